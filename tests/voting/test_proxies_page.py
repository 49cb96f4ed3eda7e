"""The proxies page offers the form only to those with a vote to entrust, lists only the delegates of this
gathering who could hold it, names them as their visibility allows, and a revocation after a poll opened
explains itself."""

import re

import pytest

from convoca.core.errors import PermissionDenied
from convoca.voting import services
from convoca.voting.models import Proxy

from .helpers import add_delegate, check_in, key, open_poll

URL = "/votes/conferencia/proxies/"


def holder_options(response):
    html = response.content.decode()
    select = re.search(r'<select name="holder".*?</select>', html, re.S)
    return select.group(0) if select else None


def test_it_offers_no_form_to_members_without_a_vote(world, as_user):
    for user in (world.olga, world.tomas, world.alice, world.nadia):  # observer, translator, coordinator, member
        response = as_user(user).get(URL)
        assert response.status_code == 200
        assert holder_options(response) is None
        assert "Only accredited delegates of this gathering" in response.content.decode()


def test_it_refuses_a_proxy_posted_by_someone_without_a_vote(world, as_user):
    response = as_user(world.olga).post(URL, {"holder": world.bob_reg.pk})
    assert response.status_code == 403
    assert not Proxy.objects.exists()


def test_it_lists_only_delegates_of_this_gathering_who_could_hold_it(world, as_user):
    w = world
    other, other_reg = add_delegate(w, "otra@example.org", "Otra Delegada", gathering=w.prep_co)
    gave, gave_reg = add_delegate(w, "dio@example.org", "Dio Su Voto")
    holder, holder_reg = add_delegate(w, "tiene@example.org", "Tiene Votos")
    services.give_proxy(gave, w.conference, holder_reg)
    options = holder_options(as_user(w.bob).get(URL))
    assert f'value="{holder_reg.pk}"' in options
    assert f'value="{other_reg.pk}"' not in options  # another gathering
    assert f'value="{gave_reg.pk}"' not in options  # gave their own vote away: cannot hold one
    assert f'value="{w.bob_reg.pk}"' not in options  # not to oneself


def test_it_names_delegates_only_as_their_visibility_allows(world, as_user):
    w = world
    hidden, hidden_reg = add_delegate(w, "oculta@example.org", "Nombre Oculto")  # private by default
    options = holder_options(as_user(w.bob).get(URL))
    assert "Nombre Oculto" not in options and w.org_co.name not in options
    assert f"Delegate no. {hidden_reg.pk}" in options
    person = hidden_reg.person
    person.display_name_visibility = person.memberships_visibility = "members"
    person.save()
    options = holder_options(as_user(w.bob).get(URL))
    assert f"Nombre Oculto ({w.org_co.name})" in options


def test_it_explains_a_proxy_revoked_after_the_poll_opened(world):
    w = world
    check_in(w.bob_reg)
    giver, giver_reg = add_delegate(w, "da@example.org", "Da Poder")
    proxy = services.give_proxy(giver, w.conference, w.bob_reg)
    poll = open_poll(w, secrecy="open")
    services.revoke_proxy(giver, proxy)
    with pytest.raises(PermissionDenied, match="still in force when this poll opened"):
        services.cast_ballot(giver, poll, ["yes"], key())
