import pytest

from convoca.network.models import Membership, Person, Visibility

from .helpers import count_queries, html, snapshot

NEW = {
    "display_name": "Rosa Brigadista",
    "full_name": "Rosa María Quispe",
    "email": "rosa@example.org",
    "languages": ["es", "pt"],
    "other_languages": "qu, GN",
    "display_name_visibility": "members",
    "full_name_visibility": "coordinators",
    "email_visibility": "coordinators",
    "languages_visibility": "members",
    "memberships_visibility": "coordinators",
}


def show(person, **levels):
    for field, level in levels.items():
        setattr(person, f"{field}_visibility", level)
    person.save()


class TestList:
    def test_it_sends_anonymous_visitors_to_log_in(self, client, world):
        response = client.get("/people/")
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]

    def test_it_omits_people_whose_name_is_hidden_from_the_viewer(self, world, as_user):
        page = html(as_user(world.nadia).get("/people/"))
        assert "Nadia Miembro" in page  # herself
        for name in ("Alice Coordinadora", "Bob Delegado", "Carla Comité", "Olga Observadora"):
            assert name not in page
        # no placeholder that would reveal how many are hidden or their numbers
        assert "#" + str(world.bob_person.pk) not in page
        assert f"/people/{world.bob_person.pk}/" not in page

    def test_it_lists_everyone_for_coordinators(self, world, as_user):
        page = html(as_user(world.alice).get("/people/"))
        for person in (world.bob_person, world.carla_person, world.olga_person, world.nadia_person):
            assert person.display_name in page

    def test_it_shows_each_field_only_at_its_visibility(self, world, as_user):
        show(world.bob_person, display_name="members", languages="members", email="coordinators", memberships="public")
        world.bob_person.languages = "es,qu"
        world.bob_person.save()
        page = html(as_user(world.nadia).get("/people/", HTTP_ACCEPT_LANGUAGE="en"))
        assert "Bob Delegado" in page and "Sindicato Andino" in page and "Spanish" in page
        assert "bob@example.org" not in page
        assert "not shown" in page

    def test_it_costs_the_same_queries_for_one_and_three_rows(self, world, as_user, django_assert_num_queries):
        client = as_user(world.nadia)
        one, response = count_queries(lambda: client.get("/people/"))
        assert "Nadia Miembro" in html(response)
        for person in (world.bob_person, world.olga_person):
            show(person, display_name="members", memberships="members", languages="members")
        Membership.objects.create(person=world.olga_person, organisation=world.org_mx)
        Membership.objects.create(person=world.nadia_person, organisation=world.org_mx)
        with django_assert_num_queries(one):
            response = client.get("/people/")
        page = html(response)
        assert "Bob Delegado" in page and "Olga Observadora" in page and "Red Migrante del Norte" in page

    def test_it_costs_the_same_queries_for_coordinators(self, world, as_user, django_assert_num_queries):
        Person.objects.exclude(pk__in=[world.alice_person.pk]).delete()
        client = as_user(world.alice)
        one, _response = count_queries(lambda: client.get("/people/"))
        for i in range(2):
            person = Person.objects.create(display_name=f"Persona {i}")
            Membership.objects.create(person=person, organisation=world.org_co)
        with django_assert_num_queries(one):
            assert "Persona 1" in html(client.get("/people/"))


class TestDetail:
    def test_it_answers_404_when_the_name_is_hidden_from_the_viewer(self, world, as_user):
        assert as_user(world.nadia).get(world.bob_person.get_absolute_url()).status_code == 404
        assert as_user(world.nadia).get("/people/99999/").status_code == 404

    def test_it_shows_a_person_their_own_record_with_who_sees_what(self, world, as_user):
        page = html(as_user(world.bob).get(world.bob_person.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="en"))
        assert "Bob Delegado" in page and "bob@example.org" in page and "Sindicato Andino" in page
        assert "Who sees what" in page and "Coordinators only" in page

    @pytest.mark.parametrize("level", list(Visibility))
    def test_it_shows_the_email_only_at_its_visibility(self, world, as_user, level):
        show(world.bob_person, display_name="members", email=level)
        page = html(as_user(world.nadia).get(world.bob_person.get_absolute_url()))
        assert ("bob@example.org" in page) == (level != Visibility.COORDINATORS)
        assert "Who sees what" not in page


class TestCreate:
    def test_it_defaults_every_visibility_to_coordinators_only(self, world, as_user):
        page = html(as_user(world.alice).get("/people/new/", HTTP_ACCEPT_LANGUAGE="en"))
        for field in Person.VISIBLE_FIELDS:
            assert f'name="{field}_visibility" value="coordinators" id="id_{field}_visibility_2" required checked' in page
        assert page.count("Visible to: Coordinators only.") == 5

    def test_it_creates_a_person_with_languages_and_memberships(self, world, as_user):
        response = as_user(world.alice).post("/people/new/", {**NEW, "organisations": [world.org_co.pk]})
        person = Person.objects.get(email="rosa@example.org")
        assert response.status_code == 302 and response["Location"] == person.get_absolute_url()
        assert person.languages == "es,pt,qu,gn"
        assert person.display_name_visibility == "members" and person.email_visibility == "coordinators"
        assert list(person.organisations.all()) == [world.org_co]

    def test_it_keeps_a_person_private_when_no_visibility_is_chosen(self, world, as_user):
        data = {key: value for key, value in NEW.items() if not key.endswith("_visibility")}
        response = as_user(world.alice).post("/people/new/", data)
        # the radios are required: a browser always sends the default, a bare POST is refused
        assert response.status_code == 200
        assert not Person.objects.filter(email="rosa@example.org").exists()

    @pytest.mark.parametrize(
        "bad",
        [
            {"display_name": ""},
            {"display_name": "   "},
            {"display_name": "x" * 121},
            {"email": "not-an-email"},
            {"email": "rosa@"},
            {"email": "BOB@Example.org"},
            {"email": "nadia@example.org"},
            {"other_languages": "español"},
            {"other_languages": "q"},
            {"other_languages": "es; drop table"},
            {"languages": ["xx"]},
            {"display_name_visibility": "everyone"},
            {"email_visibility": ""},
            {"organisations": ["99999"]},
            {"organisations": ["abc"]},
        ],
        ids=lambda bad: "-".join(f"{k}={str(v)[:20]}" for k, v in bad.items()),
    )
    def test_it_rejects_bad_input_and_writes_nothing(self, world, as_user, bad):
        before = snapshot()
        response = as_user(world.alice).post("/people/new/", {**NEW, **bad})
        assert response.status_code == 200
        page = html(response)
        assert 'class="error-summary"' in page and 'class="error-message"' in page
        assert snapshot() == before

    def test_it_explains_a_duplicate_email_in_another_case(self, world, as_user):
        response = as_user(world.alice).post("/people/new/", {**NEW, "email": "Bob@EXAMPLE.org"}, HTTP_ACCEPT_LANGUAGE="en")
        page = html(response)
        assert "already has this email address" in page and 'href="#id_email"' in page

    def test_it_refuses_non_coordinators(self, world, as_user):
        before = snapshot()
        for user in (world.carla, world.bob, world.nadia):
            assert as_user(user).post("/people/new/", NEW).status_code == 403
        assert snapshot() == before


class TestEdit:
    def test_it_lets_a_coordinator_change_everything(self, world, as_user):
        response = as_user(world.alice).post(f"/people/{world.olga_person.pk}/edit/", {
            **NEW, "display_name": "Olga O.", "email": "OLGA.new@example.org", "organisations": [world.org_mx.pk],
        })
        assert response.status_code == 302
        world.olga_person.refresh_from_db()
        assert world.olga_person.display_name == "Olga O." and world.olga_person.email == "olga.new@example.org"
        assert list(world.olga_person.organisations.all()) == [world.org_mx]

    def test_it_keeps_the_same_email_in_another_case(self, world, as_user):
        response = as_user(world.alice).post(f"/people/{world.olga_person.pk}/edit/", {
            **NEW, "email": "OLGA@example.org",
        })
        assert response.status_code == 302 and response["Location"] == world.olga_person.get_absolute_url()
        world.olga_person.refresh_from_db()
        assert world.olga_person.email == "olga@example.org"  # stored folded, not refused as "already registered"

    def test_it_prefills_the_form_with_current_values(self, world, as_user):
        world.bob_person.languages = "es,qu"
        world.bob_person.email_visibility = "members"
        world.bob_person.save()
        page = html(as_user(world.alice).get(f"/people/{world.bob_person.pk}/edit/", HTTP_ACCEPT_LANGUAGE="en"))
        assert 'value="es" id="id_languages_0" checked' in page and 'value="qu"' in page
        assert 'value="members" id="id_email_visibility_1" required checked' in page
        assert "Visible to: Coalition members." in page
        assert f'value="{world.org_co.pk}" selected' in page

    def test_it_lets_a_person_change_their_own_names_and_visibility_only(self, world, as_user):
        client = as_user(world.bob)
        page = html(client.get(f"/people/{world.bob_person.pk}/edit/"))
        assert 'name="email"' not in page and 'name="organisations"' not in page
        response = client.post(f"/people/{world.bob_person.pk}/edit/", {
            **NEW, "display_name": "Bob D.", "email": "stolen@example.org", "organisations": [world.org_mx.pk],
            "display_name_visibility": "members",
        })
        assert response.status_code == 302
        world.bob_person.refresh_from_db()
        assert world.bob_person.display_name == "Bob D." and world.bob_person.display_name_visibility == "members"
        assert world.bob_person.email == "bob@example.org"  # ignored: not in a member's form
        assert list(world.bob_person.organisations.all()) == [world.org_co]

    def test_it_refuses_editing_someone_else(self, world, as_user):
        show(world.bob_person, display_name="members")
        before = snapshot()
        response = as_user(world.nadia).post(f"/people/{world.bob_person.pk}/edit/", {**NEW, "display_name": "Hacked"})
        assert response.status_code == 403
        assert snapshot() == before

    def test_it_rejects_an_email_already_used_by_someone_else(self, world, as_user):
        before = snapshot()
        response = as_user(world.alice).post(f"/people/{world.olga_person.pk}/edit/", {**NEW, "email": "NADIA@example.org"})
        assert response.status_code == 200 and 'class="error-summary"' in html(response)
        assert snapshot() == before
