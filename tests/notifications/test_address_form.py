"""A person chooses how badges and pages address them (feminine, masculine, neutral, or not saying: the
default, a form that names no gender); the badge and the registration page use it, in all four languages."""

import pytest
from django.conf import settings
from django.utils import translation

from convoca.accounts import services as accounts
from convoca.core.errors import ServiceError
from convoca.gatherings.templatetags.address_forms import role_as_addressed
from convoca.network.models import AddressForm, Person

EXPECTED = {
    ("es", "feminine"): "Delegada", ("es", "masculine"): "Delegado", ("es", "neutral"): "Delegade",
    ("es", ""): "Persona delegada",
    ("pt-br", "feminine"): "Delegada", ("pt-br", "masculine"): "Delegado", ("pt-br", ""): "Pessoa delegada",
    ("fr", "feminine"): "Déléguée", ("fr", "masculine"): "Délégué", ("fr", "neutral"): "Délégué·e",
    ("en", "feminine"): "Delegate", ("en", ""): "Delegate",
}


@pytest.mark.parametrize("language, form", sorted(EXPECTED))
def test_the_role_in_each_language_and_form(language, form):
    with translation.override(language):
        assert role_as_addressed("delegate", form) == EXPECTED[(language, form)]


def test_nobody_is_addressed_by_a_form_they_did_not_choose(world):
    assert world.bob_person.address_form == AddressForm.UNSAID  # the default says nothing
    assert role_as_addressed("observer", "unknown") == role_as_addressed("observer", "")
    assert role_as_addressed("king", "feminine") == ""


def test_the_badge_says_delegada_when_she_chose_it(world, as_user):
    client = as_user(world.bob)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "es"
    badge = f"/gatherings/conferencia/registrations/{world.bob_reg.pk}/badge/"
    assert '<p class="badge-role">Persona delegada</p>' in client.get(badge).content.decode()
    accounts.update_own_profile(world.bob, address_form="feminine")
    html = client.get(badge).content.decode()
    assert '<p class="badge-role">Delegada</p>' in html and "DELEGADO(A)" not in html.upper()
    page = client.get(f"/gatherings/conferencia/registrations/{world.bob_reg.pk}/").content.decode()
    assert "<dd>Delegada</dd>" in page


def test_the_profile_form_sets_it_and_refuses_nonsense(world, as_user):
    client = as_user(world.nadia)
    form = {
        "display_name": "Nadia", "full_name": "", "display_name_visibility": "coordinators",
        "full_name_visibility": "coordinators", "email_visibility": "coordinators",
        "languages_visibility": "coordinators", "memberships_visibility": "coordinators",
        "address_form": "neutral", "receive_messages": "on",
    }
    assert client.post("/accounts/me/", form).status_code == 302
    person = Person.objects.get(pk=world.nadia_person.pk)
    assert person.address_form == "neutral" and person.messages_opt_out_at is None
    refused = client.post("/accounts/me/", {**form, "address_form": "royal"})
    assert refused.status_code == 200
    assert Person.objects.get(pk=person.pk).address_form == "neutral"
    assert client.post("/accounts/me/", {**form, "receive_messages": ""}).status_code == 302
    assert Person.objects.get(pk=person.pk).messages_opt_out_at is not None  # unticked: no more messages
    with pytest.raises(ServiceError):
        accounts.update_own_profile(world.nadia, address_form="royal")
