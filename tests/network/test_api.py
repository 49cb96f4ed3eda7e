import pytest

from convoca.network.models import NationalCommittee, Organisation, Person, Sector

from .helpers import bearer, count_queries, snapshot

ORG = {"name": "Frente Amplio Sindical", "country": "CO", "sector": "trade_union"}


class TestOrganisations:
    def test_it_lists_public_organisations_to_anonymous_callers(self, client, world):
        body = client.get("/api/v1/organisations").json()
        assert body["count"] == 1
        assert body["items"] == [{
            "id": world.org_co.pk, "name": "Sindicato Andino", "country": "CO", "country_name": "Colombia",
            "sector": "trade_union", "website": "", "is_public": True,
        }]

    def test_it_lists_every_organisation_to_members(self, client, world):
        body = client.get("/api/v1/organisations", headers=bearer(world.nadia)).json()
        assert {item["name"] for item in body["items"]} == {"Sindicato Andino", "Red Migrante del Norte"}

    def test_it_accepts_the_browser_session(self, world, as_user):
        assert as_user(world.nadia).get("/api/v1/organisations").json()["count"] == 2

    def test_it_refuses_a_wrong_token_instead_of_answering_as_anonymous(self, client, world):
        response = client.get("/api/v1/organisations", headers={"Authorization": "Bearer nope"})
        assert response.status_code == 401

    def test_it_filters_and_paginates(self, client, world):
        headers = bearer(world.alice)
        assert client.get("/api/v1/organisations?country=mx", headers=headers).json()["count"] == 1
        assert client.get("/api/v1/organisations?sector=trade_union", headers=headers).json()["count"] == 1
        body = client.get("/api/v1/organisations?limit=1&offset=1", headers=headers).json()
        assert body["count"] == 2 and [item["name"] for item in body["items"]] == ["Sindicato Andino"]

    @pytest.mark.parametrize(
        "query, status",
        [("country=ZZ", 400), ("sector=bakery", 400), ("limit=0", 400), ("limit=10000", 400), ("offset=-1", 400),
         ("limit=abc", 400)],
    )
    def test_it_rejects_bad_filters(self, client, world, query, status):
        response = client.get(f"/api/v1/organisations?{query}")
        assert response.status_code == status
        assert "detail" in response.json()

    def test_it_shows_a_members_only_organisation_only_to_members(self, client, world):
        url = f"/api/v1/organisations/{world.org_mx.pk}"
        assert client.get(url).status_code == 404
        assert client.get(url, headers=bearer(world.nadia)).json()["name"] == "Red Migrante del Norte"
        assert client.get("/api/v1/organisations/99999").status_code == 404

    def test_it_creates_an_organisation(self, client, world):
        response = client.post("/api/v1/organisations", ORG, content_type="application/json", headers=bearer(world.alice))
        assert response.status_code == 201
        body = response.json()
        organisation = Organisation.objects.get(pk=body["id"])
        assert organisation.name == ORG["name"] and body["is_public"] is False and body["country"] == "CO"

    def test_it_refuses_anonymous_writes_with_401(self, client, world):
        before = snapshot()
        assert client.post("/api/v1/organisations", ORG, content_type="application/json").status_code == 401
        assert client.patch(
            f"/api/v1/organisations/{world.org_co.pk}", {"name": "X"}, content_type="application/json"
        ).status_code == 401
        assert snapshot() == before

    @pytest.mark.parametrize("who", ["bob", "olga", "tomas", "nadia", "marco"])
    def test_it_refuses_writes_without_the_role_with_a_json_403(self, client, world, who):
        before = snapshot()
        response = client.post("/api/v1/organisations", ORG, content_type="application/json", headers=bearer(world.users[who]))
        assert response.status_code == 403
        assert response.json()["code"] == "forbidden" and response.json()["detail"]
        assert snapshot() == before

    def test_it_refuses_a_committee_member_patching_another_countrys_organisation(self, client, world):
        before = snapshot()
        response = client.patch(
            f"/api/v1/organisations/{world.org_co.pk}", {"website": "https://x.org"},
            content_type="application/json", headers=bearer(world.marco),
        )
        assert response.status_code == 403 and response.json()["code"] == "forbidden"
        assert snapshot() == before

    def test_it_patches_only_the_given_fields(self, client, world):
        response = client.patch(
            f"/api/v1/organisations/{world.org_co.pk}", {"website": "https://andino.co"},
            content_type="application/json", headers=bearer(world.carla),
        )
        assert response.status_code == 200 and response.json()["website"] == "https://andino.co"
        world.org_co.refresh_from_db()
        assert world.org_co.name == "Sindicato Andino" and world.org_co.is_public is True

    @pytest.mark.parametrize(
        "bad, field",
        [
            ({"name": "SINDICATO ANDÍNO"}, "name"), ({"country": "ZZ"}, "country"), ({"country": "Colombia"}, "country"),
            ({"sector": "bakery"}, "sector"), ({"website": "javascript:alert(1)"}, "website"),
        ],
    )
    def test_it_rejects_bad_input_with_a_json_400(self, client, world, bad, field):
        before = snapshot()
        response = client.post(
            "/api/v1/organisations", {**ORG, **bad}, content_type="application/json", headers=bearer(world.alice)
        )
        assert response.status_code == 400
        assert response.json()["field"] == field
        assert snapshot() == before

    @pytest.mark.parametrize(
        "payload",
        ['{"name": "x"}', "not json", '{"name": 1, "country": [], "sector": {}}', '{"name": null}', "[]"],
    )
    def test_it_rejects_malformed_bodies(self, client, world, payload):
        before = snapshot()
        response = client.post("/api/v1/organisations", payload, content_type="application/json", headers=bearer(world.alice))
        assert response.status_code in (400, 422)
        assert snapshot() == before

    def test_it_rejects_null_in_a_patch(self, client, world):
        response = client.patch(
            f"/api/v1/organisations/{world.org_co.pk}", {"name": None},
            content_type="application/json", headers=bearer(world.alice),
        )
        assert response.status_code == 400 and response.json()["field"] == "name"

    def test_it_lists_in_constant_queries(self, client, world, django_assert_num_queries):
        headers = bearer(world.alice)
        one, _ = count_queries(lambda: client.get("/api/v1/organisations?country=BR", headers=headers))
        Organisation.objects.create(name="Uno", country="BR", sector=Sector.OTHER)
        many, _ = count_queries(lambda: client.get("/api/v1/organisations?country=BR", headers=headers))
        Organisation.objects.create(name="Dos", country="BR", sector=Sector.OTHER)
        Organisation.objects.create(name="Tres", country="BR", sector=Sector.OTHER)
        with django_assert_num_queries(many):
            assert client.get("/api/v1/organisations?country=BR", headers=headers).json()["count"] == 3


class TestPeople:
    def test_it_refuses_anonymous_callers(self, client, world):
        assert client.get("/api/v1/people").status_code == 401
        assert client.get(f"/api/v1/people/{world.bob_person.pk}").status_code == 401
        before = snapshot()
        assert client.post("/api/v1/people", {"display_name": "X"}, content_type="application/json").status_code == 401
        assert snapshot() == before

    def test_it_lists_only_people_whose_name_is_visible(self, client, world):
        body = client.get("/api/v1/people", headers=bearer(world.nadia)).json()
        assert body["count"] == 1 and body["items"][0]["display_name"] == "Nadia Miembro"
        assert body["items"][0]["email_addresses"] == [{"address": "nadia@example.org"}]
        assert body["items"][0]["visibility"]["email"] == "coordinators"

    def test_it_creates_a_person(self, client, world):
        response = client.post("/api/v1/people", {
            "display_name": "Rosa", "email_addresses": [{"address": "Rosa@Example.org"}], "languages": ["es", "qu"],
            "organisations": [world.org_co.pk], "visibility": {"display_name": "members"},
        }, content_type="application/json", headers=bearer(world.alice))
        assert response.status_code == 201
        body = response.json()
        person = Person.objects.get(pk=body["id"])
        assert person.email == "rosa@example.org" and person.languages == "es,qu"
        assert person.display_name_visibility == "members" and person.email_visibility == "coordinators"
        assert body["organisations"] == [{"id": world.org_co.pk, "name": "Sindicato Andino"}]
        assert body["visibility"]["display_name"] == "members"

    @pytest.mark.parametrize(
        "bad, field",
        [
            ({"email_addresses": [{"address": "nope"}]}, "email"),
            ({"email_addresses": [{"address": "BOB@example.org"}]}, "email"),
            ({"email_addresses": [{"address": "a@example.org"}, {"address": "b@example.org"}]}, "email_addresses"),
            ({"languages": ["español"]}, "languages"),
            ({"organisations": [99999]}, "organisations"),
            ({"visibility": {"email": "everyone"}}, "email_visibility"),
            ({"display_name": ""}, "display_name"),
        ],
    )
    def test_it_rejects_bad_input_with_a_json_400(self, client, world, bad, field):
        before = snapshot()
        response = client.post(
            "/api/v1/people", {"display_name": "Rosa", **bad}, content_type="application/json", headers=bearer(world.alice)
        )
        assert response.status_code == 400 and response.json()["field"] == field
        assert snapshot() == before

    def test_it_refuses_non_coordinators_with_a_json_403(self, client, world):
        before = snapshot()
        response = client.post("/api/v1/people", {"display_name": "Rosa"}, content_type="application/json",
                               headers=bearer(world.carla))
        assert response.status_code == 403 and response.json()["code"] == "forbidden"
        assert snapshot() == before

    def test_it_patches_a_person(self, client, world):
        response = client.patch(f"/api/v1/people/{world.olga_person.pk}", {
            "full_name": "Olga Pérez", "visibility": {"full_name": "members"}, "organisations": [world.org_mx.pk],
        }, content_type="application/json", headers=bearer(world.alice))
        assert response.status_code == 200
        body = response.json()
        assert body["full_name"] == "Olga Pérez" and body["visibility"]["full_name"] == "members"
        assert body["organisations"] == [{"id": world.org_mx.pk, "name": "Red Migrante del Norte"}]
        world.olga_person.refresh_from_db()
        assert world.olga_person.display_name == "Olga Observadora"

    def test_it_lets_a_person_patch_their_own_visibility_but_not_memberships(self, client, world):
        headers = bearer(world.bob)
        url = f"/api/v1/people/{world.bob_person.pk}"
        response = client.patch(url, {"visibility": {"display_name": "members"}}, content_type="application/json",
                                headers=headers)
        assert response.status_code == 200
        before = snapshot()
        response = client.patch(url, {"organisations": [world.org_mx.pk]}, content_type="application/json",
                                headers=headers)
        assert response.status_code == 403
        response = client.patch(url, {"email_addresses": [{"address": "b@example.org"}]},
                                content_type="application/json", headers=headers)
        assert response.status_code == 403
        assert snapshot() == before

    def test_it_answers_404_for_people_hidden_from_the_caller(self, client, world):
        before = snapshot()
        response = client.patch(f"/api/v1/people/{world.bob_person.pk}", {"display_name": "X"},
                                content_type="application/json", headers=bearer(world.nadia))
        assert response.status_code == 404
        assert snapshot() == before

    def test_it_refuses_a_visible_person_being_changed_by_someone_else(self, client, world):
        world.bob_person.display_name_visibility = "members"
        world.bob_person.save()
        response = client.patch(f"/api/v1/people/{world.bob_person.pk}", {"display_name": "X"},
                                content_type="application/json", headers=bearer(world.nadia))
        assert response.status_code == 403

    def test_it_lists_in_constant_queries(self, client, world, django_assert_num_queries):
        headers = bearer(world.nadia)
        one, _ = count_queries(lambda: client.get("/api/v1/people", headers=headers))
        for person in (world.bob_person, world.olga_person):
            person.display_name_visibility = person.memberships_visibility = "members"
            person.save()
        with django_assert_num_queries(one):
            assert client.get("/api/v1/people", headers=headers).json()["count"] == 3


class TestCommittees:
    def test_it_refuses_anonymous_callers(self, client, world):
        assert client.get("/api/v1/committees").status_code == 401

    def test_it_lists_committees_with_visible_members(self, client, world):
        body = client.get("/api/v1/committees", headers=bearer(world.nadia)).json()
        assert [c["country"] for c in body] == ["CO", "MX"]
        assert all(c["members"] == [] for c in body)
        body = client.get("/api/v1/committees", headers=bearer(world.alice)).json()
        assert body[0]["members"] == [{"id": world.carla_person.pk, "display_name": "Carla Comité"}]

    def test_it_lists_in_constant_queries(self, client, world, django_assert_num_queries):
        headers = bearer(world.alice)
        world.committee_mx.delete()
        one, _ = count_queries(lambda: client.get("/api/v1/committees", headers=headers))
        for code in ("BR", "GP"):
            NationalCommittee.objects.create(country=code).members.add(world.nadia_person, world.bob_person)
        with django_assert_num_queries(one):
            assert len(client.get("/api/v1/committees", headers=headers).json()) == 3


def test_it_documents_the_endpoints_in_openapi(client, db):
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    for path in ("/api/v1/organisations", "/api/v1/organisations/{organisation_id}", "/api/v1/people",
                 "/api/v1/people/{person_id}", "/api/v1/committees"):
        assert path in paths
