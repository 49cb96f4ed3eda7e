import pytest

from convoca.network.models import NationalCommittee, Person

from .helpers import count_queries, html, snapshot


class TestList:
    def test_it_lists_committees_with_member_counts(self, world, as_user):
        page = html(as_user(world.nadia).get("/committees/", HTTP_ACCEPT_LANGUAGE="en"))
        assert "Colombia" in page and "Mexico" in page
        assert "/committees/CO/" in page
        assert "/committees/new/" not in page

    def test_it_names_countries_in_the_users_language(self, world, as_user):
        NationalCommittee.objects.create(country="BR")
        assert "Brésil" in html(as_user(world.nadia).get("/committees/", HTTP_ACCEPT_LANGUAGE="fr"))
        assert "Brasil" in html(as_user(world.nadia).get("/committees/", HTTP_ACCEPT_LANGUAGE="es"))

    def test_it_costs_the_same_queries_for_one_and_three_rows(self, world, as_user, django_assert_num_queries):
        world.committee_mx.delete()
        client = as_user(world.alice)
        one, _response = count_queries(lambda: client.get("/committees/"))
        for code in ("BR", "GP"):
            NationalCommittee.objects.create(country=code).members.add(world.nadia_person)
        with django_assert_num_queries(one):
            response = client.get("/committees/")
        assert "Guadeloupe" in html(response)


class TestDetail:
    def test_it_lists_only_members_whose_name_the_viewer_may_see(self, world, as_user):
        assert "Carla Comité" not in html(as_user(world.nadia).get("/committees/CO/"))
        assert "Carla Comité" in html(as_user(world.carla).get("/committees/CO/"))  # herself
        assert "Carla Comité" in html(as_user(world.alice).get("/committees/CO/"))
        world.carla_person.display_name_visibility = "members"
        world.carla_person.save()
        assert "Carla Comité" in html(as_user(world.nadia).get("/committees/CO/"))

    @pytest.mark.parametrize("code", ["co", "CO"])
    def test_it_accepts_the_code_in_any_case(self, world, as_user, code):
        response = as_user(world.alice).get(f"/committees/{code}/", HTTP_ACCEPT_LANGUAGE="en")
        assert response.status_code == 200 and "Carla Comité" in html(response) and "Colombia" in html(response)

    @pytest.mark.parametrize("code", ["BR", "ZZ", "COL", "x", "<b>"])
    def test_it_answers_404_for_a_country_without_committee(self, world, as_user, code):
        response = as_user(world.alice).get(f"/committees/{code}/", HTTP_ACCEPT_LANGUAGE="en")
        assert response.status_code == 404 and "Page not found" in html(response)

    def test_it_shows_member_management_only_to_coordinators(self, world, as_user):
        assert 'name="person"' in html(as_user(world.alice).get("/committees/CO/"))
        assert 'name="person"' not in html(as_user(world.carla).get("/committees/CO/"))


class TestCreate:
    def test_it_creates_a_committee(self, world, as_user):
        response = as_user(world.alice).post("/committees/new/", {"country": "GP"})
        assert response.status_code == 302 and response["Location"] == "/committees/GP/"
        assert NationalCommittee.objects.filter(country="GP").exists()

    def test_it_offers_only_countries_without_a_committee(self, world, as_user):
        page = html(as_user(world.alice).get("/committees/new/"))
        assert 'value="BR"' in page and 'value="CO"' not in page and 'value="MQ"' in page

    @pytest.mark.parametrize("country", ["CO", "ZZ", "", "Brasil"], ids=["existing", "unknown", "empty", "name"])
    def test_it_rejects_bad_input_and_writes_nothing(self, world, as_user, country):
        before = snapshot()
        response = as_user(world.alice).post("/committees/new/", {"country": country})
        assert response.status_code == 200 and 'class="error-summary"' in html(response)
        assert snapshot() == before


class TestMembers:
    @pytest.mark.parametrize("ref", ["nadia@example.org", "NADIA@Example.org", "{pk}", "#{pk}"])
    def test_it_adds_a_member_by_email_or_number(self, world, as_user, ref):
        ref = ref.format(pk=world.nadia_person.pk)
        response = as_user(world.alice).post("/committees/CO/members/", {"person": ref})
        assert response.status_code == 302 and response["Location"] == "/committees/CO/"
        assert world.nadia_person in world.committee_co.members.all()

    @pytest.mark.parametrize("ref", ["", "nobody@example.org", "99999", "nadia", "x" * 300])
    def test_it_rejects_unknown_people_and_writes_nothing(self, world, as_user, ref):
        before = snapshot()
        response = as_user(world.alice).post("/committees/CO/members/", {"person": ref})
        assert response.status_code == 200
        assert 'class="error-summary"' in html(response)
        assert snapshot() == before

    def test_it_removes_a_member(self, world, as_user):
        response = as_user(world.alice).post(f"/committees/CO/members/{world.carla_person.pk}/remove/")
        assert response.status_code == 302
        assert not world.committee_co.members.exists()

    def test_it_refuses_committee_members_managing_their_own_committee(self, world, as_user):
        before = snapshot()
        client = as_user(world.carla)
        assert client.post("/committees/CO/members/", {"person": "nadia@example.org"}).status_code == 403
        assert client.post(f"/committees/CO/members/{world.carla_person.pk}/remove/").status_code == 403
        assert snapshot() == before

    def test_it_only_accepts_post_for_changes(self, world, as_user):
        client = as_user(world.alice)
        assert client.get("/committees/CO/members/").status_code == 405
        assert client.get(f"/committees/CO/members/{world.carla_person.pk}/remove/").status_code == 405

    def test_it_answers_404_for_an_unknown_person(self, world, as_user):
        assert as_user(world.alice).post("/committees/CO/members/99999/remove/").status_code == 404
        assert Person.objects.filter(pk=world.carla_person.pk, committees=world.committee_co).exists()
