"""A member registers themselves: delegate of an organisation they belong to, observer or guest."""

import pytest

from convoca.core.errors import PermissionDenied, ServiceError
from convoca.gatherings import services
from convoca.gatherings.models import Registration
from convoca.network.models import Membership, Organisation, Sector

from .helpers import snapshot


def test_it_registers_a_delegate_with_a_pending_mandate(as_user, world):
    Membership.objects.create(person=world.nadia_person, organisation=world.org_co)
    response = as_user(world.nadia).post(
        "/gatherings/conferencia/register/", {"role": "delegate", "organisation": world.org_co.pk}
    )
    reg = Registration.objects.get(gathering=world.conference, person=world.nadia_person)
    assert response.status_code == 302 and response["Location"] == reg.get_absolute_url()
    assert reg.role == "delegate" and reg.organisation == world.org_co
    assert reg.mandate == "pending" and reg.status == "requested"


def test_it_registers_an_observer_without_organisation(as_user, world):
    response = as_user(world.nadia).post("/gatherings/prep-mx/register/", {"role": "observer", "organisation": ""})
    assert response.status_code == 302
    reg = Registration.objects.get(gathering=world.prep_mx, person=world.nadia_person)
    assert reg.role == "observer" and reg.mandate == "not_required" and reg.organisation is None


def test_it_says_on_the_form_who_sees_the_name(as_user, world):
    html = as_user(world.nadia).get("/gatherings/conferencia/register/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "see your display name" in html
    assert 'name="role"' in html and 'name="organisation"' in html


def test_it_offers_only_the_members_own_organisations(as_user, world):
    html = as_user(world.bob).get("/gatherings/prep-co/register/").content.decode()
    assert "Sindicato Andino" in html and "Red Migrante del Norte" not in html


def test_it_refuses_registering_twice_with_a_clear_error(world):
    before = snapshot()
    with pytest.raises(ServiceError) as exc:
        services.register(world.olga, world.conference, role="guest")
    assert exc.value.code == "already_registered" and "already registered" in str(exc.value.message)
    assert snapshot() == before


def test_it_redirects_an_already_registered_member_to_their_registration(as_user, world):
    response = as_user(world.olga).post("/gatherings/conferencia/register/", {"role": "guest"})
    assert response.status_code == 302 and response["Location"] == world.olga_reg.get_absolute_url()
    assert Registration.objects.filter(person=world.olga_person).count() == 1


def test_it_refuses_a_delegate_for_an_organisation_they_do_not_belong_to(as_user, world):
    before = snapshot()
    # through the service (the API path) ...
    with pytest.raises(ServiceError) as exc:
        services.register(world.nadia, world.conference, role="delegate", organisation=world.org_mx)
    assert exc.value.field == "organisation" and exc.value.code == "not_a_member"
    # ... and through the form, where the organisation is not even a valid choice
    response = as_user(world.nadia).post(
        "/gatherings/conferencia/register/", {"role": "delegate", "organisation": world.org_mx.pk}
    )
    assert response.status_code == 200 and "organisation" in response.context["form"].errors
    assert snapshot() == before


def test_it_refuses_a_delegate_without_organisation(as_user, world):
    before = snapshot()
    response = as_user(world.nadia).post("/gatherings/conferencia/register/", {"role": "delegate"})
    assert response.status_code == 200 and "organisation" in response.context["form"].errors
    with pytest.raises(ServiceError):
        services.register(world.nadia, world.conference, role="delegate")
    assert snapshot() == before


def test_it_refuses_a_delegate_of_a_foreign_organisation_at_a_national_meeting(world):
    Membership.objects.create(person=world.nadia_person, organisation=world.org_mx)
    before = snapshot()
    with pytest.raises(ServiceError) as exc:
        services.register(world.nadia, world.prep_co, role="delegate", organisation=world.org_mx)
    assert exc.value.code == "wrong_country"
    assert snapshot() == before


@pytest.mark.parametrize("role", ["", "president", None, "DELEGATE"], ids=["empty", "unknown", "none", "upper"])
def test_it_refuses_an_unknown_role(as_user, world, role):
    before = snapshot()
    with pytest.raises(ServiceError) as exc:
        services.register(world.nadia, world.conference, role=role)
    assert exc.value.field == "role"
    data = {"role": role} if role is not None else {}
    assert as_user(world.nadia).post("/gatherings/conferencia/register/", data).status_code == 200
    assert snapshot() == before


def test_it_refuses_when_registration_is_closed(as_user, world):
    world.prep_mx.registration_open = False
    world.prep_mx.save(update_fields=["registration_open"])
    before = snapshot()
    with pytest.raises(ServiceError) as exc:
        services.register(world.nadia, world.prep_mx, role="observer")
    assert exc.value.code == "closed"
    html = as_user(world.nadia).get("/gatherings/prep-mx/register/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "closed" in html and 'name="role"' not in html
    assert snapshot() == before


def test_it_refuses_an_account_without_a_person(as_user, world):
    from convoca.accounts.models import User

    lonely = User.objects.create_user("lonely@example.org", "x" * 12)
    before = snapshot()
    with pytest.raises(ServiceError) as exc:
        services.register(lonely, world.conference, role="observer")
    assert exc.value.code == "no_person"
    response = as_user(lonely).post("/gatherings/conferencia/register/", {"role": "observer"})
    assert response.status_code == 200
    assert snapshot() == before


def test_it_refuses_anonymous(client, world):
    from django.contrib.auth.models import AnonymousUser

    with pytest.raises(PermissionDenied):
        services.register(AnonymousUser(), world.conference, role="observer")
    response = client.post("/gatherings/conferencia/register/", {"role": "observer"})
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_it_lets_an_observer_name_an_organisation_they_belong_to(world):
    other = Organisation.objects.create(name="Colectivo X", country="PE", sector=Sector.OTHER)
    Membership.objects.create(person=world.nadia_person, organisation=other)
    reg = services.register(world.nadia, world.conference, role="guest", organisation=other)
    assert reg.organisation == other and reg.mandate == "not_required"
