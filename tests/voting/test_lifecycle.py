"""Creating, opening, closing, publishing and annulling polls; the audit trail."""

import datetime as dt
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse
from django.utils import timezone

from convoca.core.errors import PermissionDenied, ServiceError
from convoca.core.management.commands.tick import tick_once
from convoca.voting import queries, services
from convoca.voting.models import Option, Poll
from tests.audit.helpers import audit_entries

from .helpers import PASSPHRASE, add_delegate, check_in, close_and_count, key, new_poll, open_poll, option


def close_and_count_sealed(w, poll):
    services.count_sealed(w.alice, poll, [(w.alice, PASSPHRASE)])
    poll.refresh_from_db()
    return poll

CONTRADICTIONS = [
    ({"kind": "multiple", "options": "A\nB\nC", "min_choices": 3, "max_choices": 2}, "min_choices"),
    ({"kind": "multiple", "options": "A\nB", "max_choices": 3}, "max_choices"),
    ({"quorum_percent": "120"}, "quorum_percent"),
    ({"quorum_percent": "-1"}, "quorum_percent"),
    ({"quorum_percent": "NaN"}, "quorum_percent"),
    ({"majority": "custom"}, "majority_percent"),
    ({"majority": "whatever"}, "majority"),
    ({"kind": "ranked", "options": "A\nB", "seats": 2}, "seats"),
    ({"kind": "single", "options": "Only one"}, "options"),
    ({"kind": "single", "options": "Same\nsame"}, "options"),
    ({"secrecy": "secret", "allow_change": True}, "allow_change"),
    ({"secrecy": "secret", "results_while_open": True}, "results_while_open"),
    ({"title": "   "}, "title"),
    ({"block_threshold": 0, "kind": "consensus"}, "block_threshold"),
    ({"block_threshold": 10**12, "kind": "consensus"}, "block_threshold"),
    ({"kind": "approval", "options": "A\nB", "min_choices": 10**9}, "min_choices"),
    ({"kind": "multiple", "options": "A\nB", "seats": 10**9}, "seats"),
    ({"custom_weights": {"org:x": "1"}}, "custom_weights"),
    ({"custom_weights": {"org:1": "-2"}}, "custom_weights"),
    ({"closes_at": timezone.now() - dt.timedelta(minutes=1)}, "closes_at"),
]


@pytest.mark.parametrize("values,field", CONTRADICTIONS)
def test_it_refuses_contradictory_rules_and_stores_nothing(world, values, field):
    values = {"title": "Q", "kind": "yes_no", **values}
    with pytest.raises(ServiceError) as exc:
        services.create_poll(world.alice, world.conference, **values)
    assert exc.value.field == field
    assert str(exc.value.message)
    assert not Poll.objects.exists() and not Option.objects.exists()


def test_it_lets_only_organisers_create_polls(world):
    w = world
    for user in (w.bob, w.olga, w.tomas, w.nadia, w.carla):
        with pytest.raises(PermissionDenied):
            services.create_poll(user, w.conference, title="Q", kind="yes_no")
    # the Colombian committee runs the polls of its own preparatory meeting, not Mexico's
    assert services.create_poll(w.carla, w.prep_co, title="Q", kind="yes_no")
    with pytest.raises(PermissionDenied):
        services.create_poll(w.carla, w.prep_mx, title="Q", kind="yes_no")


def test_it_runs_the_whole_lifecycle_and_audits_every_step(world):
    w = world
    check_in(w.bob_reg)
    poll = new_poll(w, title="¿Huelga continental?", kind="yes_no")
    assert poll.options.count() == 3
    services.open_poll(w.alice, poll)
    assert queries.turnout(poll)["voted"] == 0
    services.cast_ballot(w.bob, poll, ["yes"], key())
    assert queries.turnout(poll)["voted"] == 1
    assert not queries.can_see_results(w.bob, poll)
    close_and_count(w, poll)
    assert queries.can_see_results(w.alice, poll) and not queries.can_see_results(w.bob, poll)
    services.publish_poll(w.alice, poll)
    assert queries.can_see_results(w.bob, poll)
    assert poll.result["outcome"] == "adopted"
    assert list(audit_entries(poll).values_list("action", "actor_id")) == [
        ("poll.created", w.alice.pk), ("poll.teller_ready", w.alice.pk), ("poll.opened", w.alice.pk),
        ("poll.closed", w.alice.pk), ("poll.unlocked", w.alice.pk), ("poll.counted", w.alice.pk),
        ("poll.published", w.alice.pk),
    ]
    with pytest.raises(ServiceError):
        services.annul_poll(w.alice, poll, "too late")


def test_it_refuses_steps_out_of_order(world):
    w = world
    check_in(w.bob_reg)
    poll = new_poll(w, title="Q", kind="yes_no")
    for step in (services.close_poll, services.publish_poll):
        with pytest.raises(ServiceError):
            step(w.alice, poll)
    services.open_poll(w.alice, poll)
    with pytest.raises(ServiceError):
        services.open_poll(w.alice, poll)


def test_it_refuses_to_open_a_poll_nobody_can_vote_in(world):
    poll = services.create_poll(world.alice, world.conference, title="Q", kind="yes_no")
    with pytest.raises(ServiceError, match="Nobody can vote"):
        services.open_poll(world.alice, poll)
    poll.refresh_from_db()
    assert poll.state == Poll.State.DRAFT


def test_it_annuls_with_a_reason(world):
    w = world
    poll = open_poll(w, electorate="accredited")
    with pytest.raises(ServiceError, match="why"):
        services.annul_poll(w.alice, poll, "  ")
    services.annul_poll(w.alice, poll, "Wrong text on the screen")
    poll.refresh_from_db()
    assert poll.state == Poll.State.ANNULLED and poll.annul_reason == "Wrong text on the screen"
    with pytest.raises(ServiceError):
        services.cast_ballot(w.bob, poll, ["yes"], key())


def test_it_changes_nothing_when_a_page_is_read_after_the_opening_time(world, client):
    w = world
    check_in(w.bob_reg)
    poll = services.create_poll(w.alice, w.conference, title="Q", kind="yes_no",
                                closes_at=timezone.now() + dt.timedelta(minutes=10))
    Poll.objects.filter(pk=poll.pk).update(opens_at=timezone.now() - dt.timedelta(seconds=1))
    client.force_login(w.alice)
    for url in (poll.get_absolute_url(), f"/api/v1/polls/{poll.pk}", f"/api/v1/polls/{poll.pk}/receipts",
                reverse("voting:receipts", args=[poll.pk])):
        client.get(url)
    poll.refresh_from_db()
    assert poll.state == Poll.State.DRAFT and not audit_entries(poll).filter(action="poll.opened").exists()


def test_it_opens_and_closes_on_schedule(world):
    w = world
    check_in(w.bob_reg)
    poll = new_poll(w, title="Q", kind="yes_no", opens_at=timezone.now() + dt.timedelta(minutes=5),
                    closes_at=timezone.now() + dt.timedelta(minutes=10))
    assert tick_once()["voting"] == {"opened": 0, "closed": 0}
    with pytest.raises(ServiceError, match="not open yet"):
        services.cast_ballot(w.bob, poll.pk, ["yes"], key())
    Poll.objects.filter(pk=poll.pk).update(opens_at=timezone.now() - dt.timedelta(seconds=1))
    with pytest.raises(ServiceError, match="not open yet"):  # a ballot never opens a poll: the ticker does
        services.cast_ballot(w.bob, poll.pk, ["yes"], key())
    assert tick_once()["voting"] == {"opened": 1, "closed": 0}
    assert tick_once()["voting"] == {"opened": 0, "closed": 0}  # claimed once
    services.cast_ballot(w.bob, poll.pk, ["yes"], key())
    Poll.objects.filter(pk=poll.pk).update(closes_at=timezone.now() - dt.timedelta(seconds=1))
    with pytest.raises(ServiceError, match="closed"):  # past its closing time, before the ticker has run
        services.cast_ballot(w.bob, poll.pk, ["no"], key())
    poll.refresh_from_db()
    assert poll.state == Poll.State.OPEN
    assert tick_once()["voting"] == {"opened": 0, "closed": 1}
    poll.refresh_from_db()
    assert poll.state == Poll.State.CLOSED and poll.result is None  # sealed: it waits for its teller
    assert close_and_count_sealed(w, poll).result["ballots"] == 1
    actions = list(audit_entries(poll).values_list("action", "note", "actor_id"))
    assert actions[2:4] == [("poll.opened", "scheduled", None), ("poll.closed", "scheduled", None)]


def test_it_leaves_a_secret_poll_to_the_ticker_only_once_every_teller_is_ready(world):
    w = world
    check_in(w.bob_reg)
    poll = services.create_poll(w.alice, w.conference, title="Q", kind="yes_no", tellers=["alice@example.org", w.carla.pk])
    Poll.objects.filter(pk=poll.pk).update(opens_at=timezone.now() - dt.timedelta(seconds=1))
    services.set_teller_passphrase(w.alice, poll, PASSPHRASE)
    assert tick_once()["voting"] == {"opened": 0, "closed": 0}  # carla has not set hers: skipped, nothing changed
    poll.refresh_from_db()
    assert poll.state == Poll.State.DRAFT and poll.public_key is None
    services.set_teller_passphrase(w.carla, poll, "carla's own teller passphrase")
    assert tick_once()["voting"] == {"opened": 1, "closed": 0}


def test_it_elects_a_committee_by_stv_and_reports_the_rounds(world):
    w = world
    check_in(w.bob_reg)
    voters = [w.bob] + [add_delegate(w, f"v{i}@example.org", f"V{i}")[0] for i in range(5)]
    poll = open_poll(w, kind="ranked", options="Ana\nBeto\nCira\nDuda", seats=2)
    a, b, c, d = (option(poll, label=n) for n in ("Ana", "Beto", "Cira", "Duda"))
    ballots = [[a, b], [a, c], [a, b], [b, a], [c, d], [c, d]]  # no tie: Cira is second
    for user, ranking in zip(voters, ballots, strict=True):
        services.cast_ballot(user, poll, ranking, key())
    close_and_count(w, poll)
    assert poll.result["winners"][0] == a and len(poll.result["winners"]) == 2
    assert poll.result["rounds"][0]["quota"] == "3"


def test_it_fails_a_consensus_blocked_by_one_organisation(world):
    w = world
    check_in(w.bob_reg)
    maria, _ = add_delegate(w, "maria@example.org", "María", w.org_mx)
    poll = open_poll(w, kind="consensus", weighting="organisation", block_threshold=1)
    services.cast_ballot(w.bob, poll, ["agree"], key())
    services.cast_ballot(maria, poll, ["block"], key())
    close_and_count(w, poll)
    assert poll.result["outcome"] == "blocked"


def test_it_ticks_from_the_command_line(world):
    w = world
    check_in(w.bob_reg)
    poll = new_poll(w, title="Q", kind="yes_no")
    Poll.objects.filter(pk=poll.pk).update(opens_at=timezone.now() - dt.timedelta(seconds=1))
    out = StringIO()
    call_command("tick", stdout=out)
    assert "voting: {'opened': 1, 'closed': 0}" in out.getvalue()
    poll.refresh_from_db()
    assert poll.state == Poll.State.OPEN
    with pytest.raises(CommandError):
        call_command("tick", "--loop", "--interval", "0")
