"""The managers' list of registrations: filters, counts, htmx actions, no N+1."""

from django.db import connection
from django.test.utils import CaptureQueriesContext

from convoca.gatherings import queries, services
from convoca.gatherings.models import Registration
from convoca.gatherings.rules import can_see_registrant_name
from convoca.network.models import Organisation, Person, Sector, Visibility

from .helpers import delegate, observer, snapshot


def _people(n, start=0):
    return [Person.objects.create(display_name=f"Persona {i}") for i in range(start, start + n)]


def test_it_lists_registrations_with_counts(as_user, world):
    html = as_user(world.alice).get("/gatherings/conferencia/registrations/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Bob Delegado" in html and "Olga Observadora" in html
    assert queries.counts_by_status(world.conference) == {"requested": 1, "accredited": 1, "refused": 0, "total": 2}
    assert '<span class="count">2</span> in total' in html
    assert 'class="stack registrations"' in html and 'data-label="Participant"' in html


def test_it_filters_by_status_and_role(as_user, world):
    alice = as_user(world.alice)
    html = alice.get("/gatherings/conferencia/registrations/?status=accredited").content.decode()
    assert "Bob Delegado" in html and "Olga Observadora" not in html
    html = alice.get("/gatherings/conferencia/registrations/?role=observer").content.decode()
    assert "Olga Observadora" in html and "Bob Delegado" not in html
    html = alice.get("/gatherings/conferencia/registrations/?role=observer&status=accredited").content.decode()
    assert "Olga" not in html and "Bob" not in html


def test_it_ignores_unknown_filter_values_without_error(as_user, world):
    response = as_user(world.alice).get("/gatherings/conferencia/registrations/?status=hacked&role=%27;--&page=x")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Bob Delegado" in html and "Olga Observadora" in html


def test_it_never_shows_another_gatherings_registrations(as_user, world):
    observer(world.prep_co, world.nadia_person)
    html = as_user(world.carla).get("/gatherings/prep-co/registrations/").content.decode()
    assert "Nadia Miembro" in html and "Bob Delegado" not in html and "Olga" not in html


def test_it_costs_the_same_queries_for_one_and_three_rows(as_user, world):
    client = as_user(world.carla)
    url = "/gatherings/prep-co/registrations/"
    org = Organisation.objects.create(name="Colectivo Sur", country="CO", sector=Sector.SOCIAL_MOVEMENT)
    first, second, third = _people(3)
    delegate(world, world.prep_co, first, org, mandate="confirmed", status="accredited")
    client.get(url)  # warm caches (content types, sessions)
    with CaptureQueriesContext(connection) as one:
        assert client.get(url).status_code == 200
    delegate(world, world.prep_co, second, world.org_co)
    observer(world.prep_co, third)
    with CaptureQueriesContext(connection) as three:
        response = client.get(url)
    assert response.content.decode().count('<tr id="registration-') == 3
    assert len(one) == len(three), [q["sql"] for q in three.captured_queries]


def test_it_accredits_from_the_list_with_htmx_and_returns_the_row(as_user, world):
    url = f"/gatherings/conferencia/registrations/{world.olga_reg.pk}/accredit/"
    response = as_user(world.alice).post(url, {"next": "/gatherings/conferencia/registrations/"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    html = response.content.decode()
    assert html.strip().startswith(f'<tr id="registration-{world.olga_reg.pk}"')
    assert "tag-accredited" in html and 'role="status"' in html
    world.olga_reg.refresh_from_db()
    assert world.olga_reg.status == "accredited"


def test_it_accredits_from_the_list_without_js_and_redirects_back(as_user, world):
    url = f"/gatherings/conferencia/registrations/{world.olga_reg.pk}/accredit/"
    back = "/gatherings/conferencia/registrations/?status=requested"
    response = as_user(world.alice).post(url, {"next": back})
    assert response.status_code == 302 and response["Location"] == back


def test_it_shows_the_mandate_error_in_the_row_with_htmx(as_user, world):
    reg = delegate(world, world.prep_co, world.nadia_person, world.org_co)
    before = snapshot()
    response = as_user(world.carla).post(
        f"/gatherings/prep-co/registrations/{reg.pk}/accredit/", HTTP_HX_REQUEST="true", HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 200  # htmx swaps only 2xx responses
    html = response.content.decode()
    assert 'role="alert"' in html and "mandate" in html
    assert snapshot() == before


def test_it_refuses_from_the_list_with_htmx(as_user, world):
    url = f"/gatherings/conferencia/registrations/{world.olga_reg.pk}/refuse/"
    response = as_user(world.alice).post(url, {"reason": "Sin cupo"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and "tag-refused" in response.content.decode()
    world.olga_reg.refresh_from_db()
    assert world.olga_reg.status == "refused" and world.olga_reg.refusal_reason == "Sin cupo"


def test_it_keeps_the_row_and_says_why_when_refusing_without_reason_with_htmx(as_user, world):
    before = snapshot()
    url = f"/gatherings/conferencia/registrations/{world.olga_reg.pk}/refuse/"
    response = as_user(world.alice).post(url, {"reason": ""}, HTTP_HX_REQUEST="true", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'role="alert"' in html and "Give the reason" in html and "tag-requested" in html
    assert snapshot() == before


def test_it_has_htmx_and_plain_forms_for_the_row_actions(as_user, world):
    html = as_user(world.alice).get("/gatherings/conferencia/registrations/").content.decode()
    accredit = f"/gatherings/conferencia/registrations/{world.olga_reg.pk}/accredit/"
    # one shared form (a plain POST without JavaScript, htmx with it): each row's button names its own address
    assert f'form="accredit" formaction="{accredit}"' in html and 'id="accredit" hx-post=' in html
    assert " style=" not in html and "<script>" not in html


def test_it_paginates_long_lists(as_user, world, settings):
    from convoca.gatherings import list_views as views

    people = _people(3)
    for person in people:
        observer(world.prep_co, person)
    old, views.PAGE_SIZE = views.PAGE_SIZE, 2
    try:
        html = as_user(world.carla).get("/gatherings/prep-co/registrations/?role=observer&page=2").content.decode()
    finally:
        views.PAGE_SIZE = old
    assert html.count('<tr id="registration-') == 1 and "role=observer&amp;page=1" in html


class TestNames:
    """Display names follow can_see_field, plus: managers of the gathering and
    (for delegates) those who decide the mandate see the display name."""

    def test_managers_see_names_of_people_registered_at_their_gathering(self, world):
        reg = observer(world.prep_co, world.nadia_person)  # nadia's name: coordinators only
        assert can_see_registrant_name(world.carla, reg)  # CO committee manages prep-co
        assert not can_see_registrant_name(world.marco, reg)  # MX committee does not
        assert not can_see_registrant_name(world.tomas, reg)

    def test_a_committee_does_not_see_names_at_the_conference(self, world):
        assert not can_see_registrant_name(world.carla, world.olga_reg)
        assert not can_see_registrant_name(world.bob, world.olga_reg)
        assert can_see_registrant_name(world.olga, world.olga_reg)

    def test_a_public_display_name_is_visible_to_members(self, world):
        world.olga_person.display_name_visibility = Visibility.MEMBERS
        world.olga_person.save(update_fields=["display_name_visibility"])
        assert can_see_registrant_name(world.nadia, world.olga_reg)

    def test_the_mandate_confirmer_sees_the_delegates_name(self, world):
        assert can_see_registrant_name(world.carla, world.bob_reg)  # contact of Sindicato Andino
        assert not can_see_registrant_name(world.marco, world.bob_reg)

    def test_the_list_never_shows_a_full_name_or_email(self, as_user, world):
        world.olga_person.full_name = "Olga Patricia Ramírez Soto"
        world.olga_person.save(update_fields=["full_name"])
        html = as_user(world.alice).get("/gatherings/conferencia/registrations/").content.decode()
        assert "Ramírez" not in html and "olga@example.org" not in html


def test_registrations_for_orders_and_filters(world):
    rows = list(queries.registrations_for(world.conference))
    assert [r.pk for r in rows] == [world.bob_reg.pk, world.olga_reg.pk]
    assert list(queries.registrations_for(world.conference, status="requested", role="observer")) == [world.olga_reg]
    assert queries.counts_by_role(world.conference) == {"delegate": 1, "observer": 1, "guest": 0}


def test_present_count_counts_only_accredited_and_checked_in(world):
    token = services.badge_token(world.bob_reg)
    services.check_in(world.alice, world.conference, token)
    assert queries.present_count(world.conference) == 1
    Registration.objects.filter(pk=world.bob_reg.pk).update(status="refused", refusal_reason="x")
    assert queries.present_count(world.conference) == 0


def test_it_answers_a_delegate_accrediting_with_the_403_page(as_user, world):
    before = snapshot()
    url = f"/gatherings/conferencia/registrations/{world.bob_reg.pk}/accredit/"  # his own: he sees it, may not decide
    for headers in [{}, {"HTTP_HX_REQUEST": "true"}]:  # with htmx too: no row pretending it worked
        response = as_user(world.bob).post(url, HTTP_ACCEPT_LANGUAGE="es", **headers)
        page = response.content.decode()
        assert response.status_code == 403
        assert "<h1>No permitido</h1>" in page and "Su rol no permite hacer esto." in page
    assert snapshot() == before
