"""From the published declaration to its sign-on: the declaration's page calls its readers to endorse it, links
to the form and to the list, and shows how many public endorsements it has (an unverified or rejected one is not
counted). A draft shows no call (it cannot be endorsed yet)."""

import pytest
from django.urls import reverse

from convoca.endorsements import services
from convoca.endorsements.models import EndorsementSettings
from tests.endorsements.helpers import declaration, sign

pytestmark = pytest.mark.django_db

PAGE = reverse("proposals:declaration", args=["conferencia"])
SIGN = reverse("endorsements:endorse", args=["conferencia"])
LIST = reverse("endorsements:list", args=["conferencia"])


def test_the_published_declaration_links_to_its_sign_on_with_the_count(world, client):
    found = declaration(world)
    page = client.get(PAGE).content.decode()
    assert f'<a class="button" href="{SIGN}">Endorse the declaration</a>' in page
    assert f'href="{LIST}"' in page and "No one has endorsed it yet" in page
    _e, (verify, _w) = sign(found)
    assert "No one has endorsed it yet" in client.get(PAGE).content.decode()  # unverified: not public
    services.verify(verify)
    assert "1 organisation or person has endorsed it so far." in client.get(PAGE).content.decode()
    for n in range(2):
        _e, (verify, _w) = sign(found, organisation=f"Sindicato {n}", email=f"s{n}@example.org", country="CO")
        services.verify(verify)
    page = client.get(PAGE).content.decode()
    assert "3 organisations and people have endorsed it so far." in page


def test_an_endorsement_waiting_for_its_committee_is_not_counted(world, client):
    found = declaration(world)
    EndorsementSettings.objects.create(gathering=world.conference, committee_approval=True)
    _e, (verify, _w) = sign(found)
    services.verify(verify)
    assert "No one has endorsed it yet" in client.get(PAGE).content.decode()


def test_a_draft_declaration_calls_no_one_to_endorse_it(world, as_user):
    declaration(world, publish=False)
    page = as_user(world.alice).get(PAGE, follow=True).content.decode()
    assert SIGN not in page and "Endorse this declaration" not in page


def test_the_call_costs_one_query_whatever_the_count(world, client, django_assert_max_num_queries):
    found = declaration(world)
    client.get(PAGE)
    with django_assert_max_num_queries(30) as first:
        client.get(PAGE)
    for n in range(3):
        _e, (verify, _w) = sign(found, organisation=f"Sindicato {n}", email=f"s{n}@example.org", country="CO")
        services.verify(verify)
    with django_assert_max_num_queries(len(first.captured_queries)):
        client.get(PAGE)
