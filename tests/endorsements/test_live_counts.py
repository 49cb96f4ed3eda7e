"""The public counts of endorsements follow live: an endorsement that becomes public (its email verified, or
approved by its committee) or a public one withdrawn is announced on the declaration's topic after the commit,
never on a rollback, and not when nothing public changed (a sign-on, a verification awaiting approval, a
rejection, the withdrawal of an unverified one). The event's schema holds no personal data. The list page carries
the live attributes and shows the counts without JavaScript; its counts fragment is what the script fetches."""

import time

import pytest
from django.db import transaction
from django.test import Client
from django.urls import reverse

from convoca.core import events
from convoca.endorsements import services
from convoca.endorsements.models import Endorsement, EndorsementSettings
from tests.endorsements.helpers import declaration, sign

SCHEMA = {"kind": str, "declaration": int, "country": str}


def _listen(found):
    seen = []
    events.subscribe(services.declaration_topic(found.pk), lambda _id, event: seen.append(event))
    return seen


def _wait(seen, count, seconds=3.0):
    """Throttled events go out from their own thread: wait for them a little (at most once a second each)."""
    deadline = time.monotonic() + seconds
    while len(seen) < count and time.monotonic() < deadline:
        time.sleep(0.02)
    return seen


def _check(event, country):
    assert set(event) == set(SCHEMA) and all(type(event[k]) is t for k, t in SCHEMA.items()), event
    assert event["kind"] == "endorsements.changed" and event["country"] == country


@pytest.mark.django_db(transaction=True)
def test_it_announces_a_verified_endorsement_after_the_commit_only(world, bus):
    found = declaration(world)
    seen = _listen(found)
    _e, (verify, withdraw) = sign(found, country="HT")
    assert _wait(seen, 1, 1.2) == []  # unverified: nothing public changed
    with transaction.atomic():
        services.verify(verify)
        time.sleep(0.2)
        assert seen == []  # not before the commit
    _check(_wait(seen, 1)[0], "HT")
    assert "cut.example" not in str(seen) and "Ana" not in str(seen)
    time.sleep(1.1)  # past the throttle's interval
    services.withdraw(withdraw)
    assert len(_wait(seen, 2)) == 2
    _check(seen[1], "HT")


@pytest.mark.django_db(transaction=True)
def test_it_announces_nothing_when_the_transaction_rolls_back(world, bus):
    found = declaration(world)
    seen = _listen(found)
    _e, (verify, _w) = sign(found)
    with pytest.raises(RuntimeError), transaction.atomic():
        services.verify(verify)
        raise RuntimeError("rolled back")
    assert _wait(seen, 1, 1.5) == []
    assert Endorsement.objects.get().state == Endorsement.State.UNVERIFIED


@pytest.mark.django_db(transaction=True)
def test_it_announces_an_approval_but_not_a_verification_awaiting_it_nor_a_rejection(world, bus):
    found = declaration(world)
    EndorsementSettings.objects.create(gathering=world.conference, committee_approval=True)
    seen = _listen(found)
    first, (verify, _w) = sign(found, country="CO", organisation="Sindicato del Cauca")
    services.verify(verify)
    second, (verify2, withdraw2) = sign(found, country="CO", organisation="Otra", email="otra@example.org")
    services.verify(verify2)
    services.decide(world.carla, second, approve=False)
    assert _wait(seen, 1, 1.5) == []
    services.decide(world.carla, first, approve=True)
    _check(_wait(seen, 1)[0], "CO")
    time.sleep(1.1)
    services.withdraw(withdraw2)  # it was never public: the counts do not change
    assert _wait(seen, 2, 1.5) == seen[:1]


@pytest.mark.django_db
def test_the_list_page_is_live_and_shows_the_counts_without_javascript(world):
    found = declaration(world)
    _e, (verify, _w) = sign(found, country="HT")
    services.verify(verify)
    page = Client().get(reverse("endorsements:list", args=["conferencia"])).content.decode()
    counts = reverse("endorsements:counts", args=["conferencia"])
    assert 'data-live-url="/gatherings/conferencia/endorsements/events"' in page and "js/live.js" in page
    assert f'data-live-refresh="{counts}" data-live-kinds="endorsements.changed"' in page
    assert "1 endorsement" in page and 'data-country="HT"' in page and "Haiti" in page
    part = Client().get(counts).content.decode()
    assert part.startswith("<section") and 'data-country="HT"' in part and "1 endorsement" in part
    assert "Central Única" not in part  # the counts, not the names
    stream = Client().get(reverse("endorsements:events", args=["conferencia"]), {"last": "1"})
    assert stream.status_code == 200 and stream["Content-Type"].startswith("text/event-stream")


@pytest.mark.django_db
def test_a_draft_declaration_has_no_counts_nor_stream(world):
    declaration(world, publish=False)
    assert Client().get(reverse("endorsements:counts", args=["conferencia"])).status_code == 404
    assert Client().get(reverse("endorsements:events", args=["conferencia"])).status_code == 404


@pytest.mark.django_db(transaction=True)
def test_erasing_a_person_announces_the_counts_their_public_endorsement_was_in(world, bus):
    """A person's erasure deletes the endorsements made with their email; the counts that showed one follow."""
    from convoca.endorsements import personal_data

    found = declaration(world)
    seen = _listen(found)
    world.carla_person.email = "carla.erase@x.org"
    services.verify(sign(found, country="GP", email="Carla.Erase@x.org")[1][0])
    _check(_wait(seen, 1)[0], "GP")
    time.sleep(1.1)  # past the throttle's interval
    with transaction.atomic():
        personal_data.erase(world.carla_person)
        assert len(seen) == 1  # not before the commit
    assert not Endorsement.objects.exists()
    assert len(_wait(seen, 2)) == 2
    _check(seen[1], "GP")
    assert "carla" not in str(seen).lower()
