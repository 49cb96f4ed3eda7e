import pytest

from convoca.network.models import Organisation, Sector

from .helpers import count_queries, html, snapshot

NEW = {"name": "Coordinadora Migrante", "country": "CO", "sector": Sector.MIGRANT_RIGHTS, "website": "https://migrante.co"}


class TestList:
    def test_it_shows_only_public_organisations_to_anonymous_visitors(self, client, world):
        page = html(client.get("/organisations/"))
        assert "Sindicato Andino" in page
        assert "Red Migrante del Norte" not in page

    def test_it_shows_every_organisation_to_members(self, world, as_user):
        page = html(as_user(world.nadia).get("/organisations/"))
        assert "Sindicato Andino" in page and "Red Migrante del Norte" in page
        assert "Members only" in page or "Solo miembros" in page

    def test_it_filters_by_country_and_sector(self, world, as_user):
        client = as_user(world.nadia)
        page = html(client.get("/organisations/", {"country": "MX"}))
        assert "Red Migrante del Norte" in page and "Sindicato Andino" not in page
        page = html(client.get("/organisations/", {"sector": Sector.TRADE_UNION}))
        assert "Sindicato Andino" in page and "Red Migrante del Norte" not in page
        page = html(client.get("/organisations/", {"country": "CO", "sector": Sector.MIGRANT_RIGHTS}))
        assert "Sindicato Andino" not in page and "Red Migrante del Norte" not in page

    def test_it_offers_only_countries_the_viewer_can_see(self, client, world):
        page = html(client.get("/organisations/"))
        assert 'value="CO"' in page
        assert 'value="MX"' not in page  # the only Mexican organisation is members-only

    @pytest.mark.parametrize(
        "params",
        [{"country": "ZZ"}, {"country": "MX"}, {"sector": "bakery"}, {"page": "x"}, {"page": "999"}, {"page": "-1"},
         {"country": "<script>"}],
        ids=["unknown-country", "country-hidden-from-anonymous", "unknown-sector", "page-not-a-number",
             "page-too-far", "negative-page", "markup"],
    )
    def test_it_reports_bad_filters_without_failing(self, client, world, params):
        response = client.get("/organisations/", params)
        assert response.status_code == 200
        page = html(response)
        assert "<script>" not in page
        assert "Sindicato Andino" in page  # the bad filter is ignored, the rest still works

    def test_it_paginates(self, world, as_user):
        Organisation.objects.bulk_create(
            [Organisation(name=f"Org {i:03}", name_key=f"org {i:03}", country="BR", sector=Sector.OTHER) for i in range(60)]
        )
        client = as_user(world.nadia)
        first = html(client.get("/organisations/", {"country": "BR"}))
        assert "Org 000" in first and "Org 059" not in first
        assert "page=2" in first and "country=BR" in first
        second = html(client.get("/organisations/", {"country": "BR", "page": 2}))
        assert "Org 059" in second and "Org 000" not in second

    @pytest.mark.parametrize("who", ["anonymous", "nadia", "alice"])
    def test_it_costs_the_same_queries_for_one_and_three_rows(self, world, as_user, django_assert_num_queries, who):
        from tests.fixtures import client_for

        client = client_for(world.users[who])
        Organisation.objects.create(name="Uno", country="BR", sector=Sector.OTHER, is_public=True)
        one, response = count_queries(lambda: client.get("/organisations/", {"country": "BR"}))
        assert "Uno" in html(response)
        Organisation.objects.create(name="Dos", country="BR", sector=Sector.OTHER, is_public=True)
        Organisation.objects.create(name="Tres", country="BR", sector=Sector.OTHER, is_public=True)
        with django_assert_num_queries(one):
            response = client.get("/organisations/", {"country": "BR"})
        assert "Tres" in html(response)


class TestDetail:
    def test_it_shows_a_public_organisation_to_anonymous_visitors(self, client, world):
        page = html(client.get(world.org_co.get_absolute_url()))
        assert "Sindicato Andino" in page

    def test_it_hides_a_members_only_organisation_from_anonymous_visitors(self, client, world):
        assert client.get(world.org_mx.get_absolute_url()).status_code == 404

    def test_it_answers_404_for_a_missing_organisation(self, world, as_user):
        assert as_user(world.alice).get("/organisations/99999/").status_code == 404

    def test_it_lists_only_people_whose_name_and_membership_the_viewer_may_see(self, client, world, as_user):
        # bob is a member of org_co but shows nothing by default
        assert "Bob Delegado" not in html(as_user(world.nadia).get(world.org_co.get_absolute_url()))
        assert "Bob Delegado" in html(as_user(world.alice).get(world.org_co.get_absolute_url()))
        world.bob_person.display_name_visibility = "members"
        world.bob_person.memberships_visibility = "members"
        world.bob_person.save()
        assert "Bob Delegado" in html(as_user(world.nadia).get(world.org_co.get_absolute_url()))
        assert "Bob Delegado" not in html(client.get(world.org_co.get_absolute_url()))

    def test_it_hides_the_contact_person_unless_their_name_and_link_are_visible(self, client, world, as_user):
        url = world.org_co.get_absolute_url()
        assert "Carla Comité" not in html(client.get(url))
        assert "Carla Comité" not in html(as_user(world.nadia).get(url))
        assert "Carla Comité" in html(as_user(world.alice).get(url))
        world.carla_person.display_name_visibility = "public"
        world.carla_person.memberships_visibility = "public"
        world.carla_person.save()
        assert "Carla Comité" in html(client.get(url))

    def test_it_offers_editing_only_to_those_allowed(self, world, as_user):
        edit = f"/organisations/{world.org_co.pk}/edit/"
        assert edit in html(as_user(world.carla).get(world.org_co.get_absolute_url()))
        assert edit not in html(as_user(world.marco).get(world.org_co.get_absolute_url()))


class TestCreate:
    def test_it_lets_a_coordinator_register_an_organisation(self, world, as_user):
        response = as_user(world.alice).post("/organisations/new/", {**NEW, "is_public": "on"})
        organisation = Organisation.objects.get(name="Coordinadora Migrante")
        assert response.status_code == 302 and response["Location"] == organisation.get_absolute_url()
        assert organisation.country.code == "CO" and organisation.is_public and organisation.website == NEW["website"]

    def test_it_keeps_new_organisations_unlisted_by_default(self, world, as_user):
        as_user(world.alice).post("/organisations/new/", NEW)
        assert Organisation.objects.get(name="Coordinadora Migrante").is_public is False

    def test_it_lets_a_committee_member_register_in_their_own_country(self, world, as_user):
        response = as_user(world.carla).post("/organisations/new/", NEW)
        assert response.status_code == 302
        assert Organisation.objects.filter(name="Coordinadora Migrante", country="CO").exists()

    def test_it_offers_a_committee_member_only_their_own_country(self, world, as_user):
        page = html(as_user(world.carla).get("/organisations/new/"))
        assert 'value="CO"' in page and 'value="MX"' not in page and 'value="BR"' not in page
        assert 'name="contact"' not in page  # linking people is for coordinators

    def test_it_refuses_a_committee_member_registering_in_another_country(self, world, as_user):
        before = snapshot()
        response = as_user(world.carla).post("/organisations/new/", {**NEW, "country": "MX"})
        assert response.status_code == 200
        assert 'class="error-summary"' in html(response)
        assert snapshot() == before

    def test_it_adds_https_to_a_bare_website(self, world, as_user):
        as_user(world.alice).post("/organisations/new/", {**NEW, "website": "migrante.co"})
        assert Organisation.objects.get(name="Coordinadora Migrante").website == "https://migrante.co"

    def test_it_lets_a_coordinator_name_a_contact_person(self, world, as_user):
        as_user(world.alice).post("/organisations/new/", {**NEW, "contact": "NADIA@example.org"})
        assert Organisation.objects.get(name="Coordinadora Migrante").contact == world.nadia_person

    @pytest.mark.parametrize(
        "bad",
        [
            {"name": "sindicato andino"},
            {"name": "SINDICATO ANDINO"},
            {"name": "Sindicáto  Andíno"},
            {"name": "  Sindicato Andino "},
            {"name": ""},
            {"name": "x" * 201},
            {"country": "ZZ"},
            {"country": ""},
            {"country": "Colombia"},
            {"sector": "bakery"},
            {"sector": ""},
            {"website": "javascript:alert(1)"},
            {"website": "ftp://example.org"},
            {"website": "not a website"},
            {"website": "https://"},
            {"contact": "nobody@example.org"},
            {"contact": "99999"},
        ],
        ids=lambda bad: "-".join(f"{k}={v[:20]}" for k, v in bad.items()),
    )
    def test_it_rejects_bad_input_and_writes_nothing(self, world, as_user, bad):
        before = snapshot()
        response = as_user(world.alice).post("/organisations/new/", {**NEW, **bad})
        assert response.status_code == 200
        page = html(response)
        assert 'class="error-summary"' in page and 'class="error-message"' in page
        assert snapshot() == before

    def test_it_explains_a_duplicate_next_to_the_name(self, world, as_user):
        response = as_user(world.alice).post(
            "/organisations/new/", {**NEW, "name": "SINDICÁTO andino"}, HTTP_ACCEPT_LANGUAGE="en"
        )
        page = html(response)
        assert "already registered in Colombia" in page
        assert 'href="#id_name"' in page
        assert 'value="SINDICÁTO andino"' in page  # input kept after the error

    def test_it_allows_the_same_name_in_another_country(self, world, as_user):
        response = as_user(world.alice).post("/organisations/new/", {**NEW, "name": "Sindicato Andino", "country": "PE"})
        assert response.status_code == 302
        assert Organisation.objects.filter(name_key="sindicato andino").count() == 2


class TestEdit:
    def test_it_lets_a_coordinator_change_an_organisation(self, world, as_user):
        response = as_user(world.alice).post(
            f"/organisations/{world.org_mx.pk}/edit/",
            {"name": "Red Migrante del Norte", "country": "MX", "sector": Sector.HUMAN_RIGHTS, "website": ""},
        )
        assert response.status_code == 302
        world.org_mx.refresh_from_db()
        assert world.org_mx.sector == Sector.HUMAN_RIGHTS and world.org_mx.is_public is False

    def test_it_lets_a_committee_member_change_an_organisation_of_their_country(self, world, as_user):
        response = as_user(world.carla).post(
            f"/organisations/{world.org_co.pk}/edit/",
            {"name": "Sindicato Andino Unido", "country": "CO", "sector": Sector.TRADE_UNION, "is_public": "on"},
        )
        assert response.status_code == 302
        world.org_co.refresh_from_db()
        assert world.org_co.name == "Sindicato Andino Unido" and world.org_co.name_key == "sindicato andino unido"
        assert world.org_co.contact == world.carla_person  # untouched: not in a committee member's form

    def test_it_refuses_a_committee_member_editing_another_countrys_organisation(self, world, as_user):
        before = snapshot()
        client = as_user(world.marco)
        assert client.get(f"/organisations/{world.org_co.pk}/edit/").status_code == 403
        response = client.post(
            f"/organisations/{world.org_co.pk}/edit/",
            {"name": "Tomado", "country": "MX", "sector": Sector.OTHER},
        )
        assert response.status_code == 403
        assert snapshot() == before

    def test_it_refuses_a_committee_member_moving_an_organisation_abroad(self, world, as_user):
        before = snapshot()
        response = as_user(world.carla).post(
            f"/organisations/{world.org_co.pk}/edit/",
            {"name": "Sindicato Andino", "country": "MX", "sector": Sector.TRADE_UNION},
        )
        assert response.status_code == 200 and 'class="error-summary"' in html(response)
        assert snapshot() == before

    def test_it_rejects_renaming_onto_another_organisation(self, world, as_user):
        Organisation.objects.create(name="Central Única", country="CO", sector=Sector.TRADE_UNION)
        before = snapshot()
        response = as_user(world.alice).post(
            f"/organisations/{world.org_co.pk}/edit/",
            {"name": "central unica", "country": "CO", "sector": Sector.TRADE_UNION},
        )
        assert response.status_code == 200 and 'class="error-summary"' in html(response)
        assert snapshot() == before

    def test_it_prefills_the_form(self, world, as_user):
        page = html(as_user(world.alice).get(f"/organisations/{world.org_co.pk}/edit/"))
        assert 'value="Sindicato Andino"' in page and 'value="carla@example.org"' in page


def test_it_answers_a_delegate_registering_or_editing_an_organisation_with_the_403_page(world, as_user):
    before = snapshot()
    client = as_user(world.bob)
    for url in ["/organisations/new/", f"/organisations/{world.org_co.pk}/edit/"]:
        response = client.post(url, NEW, HTTP_ACCEPT_LANGUAGE="es")
        page = html(response)
        assert response.status_code == 403, url
        assert "<h1>No permitido</h1>" in page and 'name="name"' not in page, url
    assert snapshot() == before
