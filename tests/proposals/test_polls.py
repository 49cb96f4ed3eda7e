"""Votes on texts: one click gives a proposal or amendment its poll (voting.services.create_poll); when the
result is published, ``convoca tick`` moves the text to adopted or rejected through the proposals service."""

import pytest
from django.core.management import call_command

from convoca.core.errors import PermissionDenied, ServiceError
from convoca.proposals import services
from convoca.proposals.models import Amendment, Conflict, Event, Proposal
from convoca.voting import services as voting
from convoca.voting.models import Poll
from tests.voting.helpers import PASSPHRASE

from .helpers import amend, delegate, proposal, published_poll, snapshot, to_debate

OPEN = {"secrecy": "open", "electorate": "accredited"}
FIRST = "Convocamos una jornada continental de lucha el 1.º de mayo."


def test_one_click_gives_a_proposal_in_debate_its_yes_no_poll(world):
    p = proposal(world, "debate")
    poll = services.create_proposal_poll(world.alice, p)
    assert poll.kind == "yes_no" and poll.gathering == world.conference and poll.state == "draft"
    assert poll.title == "Do you adopt proposal P-1 “Jornada continental del 1.º de mayo”?"
    assert Proposal.objects.get(pk=p.pk).poll == poll
    assert Event.objects.filter(proposal=p, action="poll", poll=poll).exists()
    with pytest.raises(ServiceError, match="already has its poll"):
        services.create_proposal_poll(world.alice, p)


def test_a_poll_waits_for_the_debate_the_amendments_and_an_organiser(world):
    p = proposal(world, "amendment")
    amend(world, p, "replace", 1, text=FIRST)
    with pytest.raises(ServiceError, match="Only a proposal in debate is put to the vote"):
        services.create_proposal_poll(world.alice, p)
    to_debate(world, p)
    before = snapshot()
    polls = Poll.objects.count()
    with pytest.raises(ServiceError, match="Decide its amendments first"):
        services.create_proposal_poll(world.alice, p)
    with pytest.raises(PermissionDenied):
        services.create_proposal_poll(world.bob, p)
    assert snapshot() == before and Poll.objects.count() == polls


@pytest.mark.parametrize("choice, state", [("yes", "adopted"), ("no", "rejected")])
def test_the_ticker_applies_a_published_result_once(world, choice, state):
    p = proposal(world, "debate")
    poll = services.create_proposal_poll(world.alice, p, **OPEN)
    voting.open_poll(world.alice, poll)
    assert services.apply_poll_results() == {"proposals": 0, "amendments": 0}  # open: nothing to apply
    voting.cast_ballot(world.bob, poll, [choice], "k" * 20)
    voting.close_poll(world.alice, poll)
    services.apply_poll_results()
    assert Proposal.objects.get(pk=p.pk).state == "debate"  # closed but not published: nothing yet
    voting.publish_poll(world.alice, poll)
    call_command("tick")  # convoca tick runs every app's ticks.py
    p.refresh_from_db()
    assert p.state == state and p.poll_applied_at is not None
    event = Event.objects.get(proposal=p, to_state=state)
    assert (event.actor, event.poll) == (None, poll)
    assert services.apply_poll_results() == {"proposals": 0, "amendments": 0}  # once


def test_a_poll_without_quorum_leaves_the_proposal_in_debate_for_another_poll(world):
    p = proposal(world, "debate")
    poll = services.create_proposal_poll(world.alice, p, quorum_percent="100", **OPEN)
    eva, _reg = delegate(world, "eva@example.org", "Eva")  # on the roll, does not vote
    published_poll(world, poll, [(world.bob, ["yes"])])
    services.apply_poll_results()
    p.refresh_from_db()
    assert p.state == "debate" and Event.objects.filter(proposal=p, action="poll_undecided", note="no_quorum").exists()
    again = services.create_proposal_poll(world.alice, p)
    assert again.pk != poll.pk


def test_a_result_for_a_proposal_withdrawn_meanwhile_is_recorded_but_not_applied(world):
    p = proposal(world, "debate")
    poll = services.create_proposal_poll(world.alice, p, **OPEN)
    voting.open_poll(world.alice, poll)
    voting.cast_ballot(world.bob, poll, ["yes"], "k" * 20)
    services.withdraw_proposal(world.bob, p)
    voting.close_poll(world.alice, poll)
    voting.publish_poll(world.alice, poll)
    services.apply_poll_results()
    p.refresh_from_db()
    assert p.state == "withdrawn" and Event.objects.filter(proposal=p, action="poll_not_applied").exists()


def test_an_amendment_gets_its_own_poll_and_its_result_consolidates_the_text(world):
    p = proposal(world, "amendment")
    a = amend(world, p, "replace", 1, text=FIRST)
    to_debate(world, p)
    a.refresh_from_db()
    poll = services.create_amendment_poll(world.alice, a, **OPEN)
    assert poll.title == "Do you adopt amendment A1 to proposal P-1?"
    published_poll(world, poll, [(world.bob, ["yes"])])
    assert services.apply_poll_results() == {"proposals": 0, "amendments": 1}
    p.refresh_from_db()
    assert Amendment.objects.get(pk=a.pk).state == "adopted" and p.text.startswith(FIRST) and p.version == 2


def test_competing_amendments_are_the_alternatives_of_one_poll(world):
    p = proposal(world, "amendment")
    a = amend(world, p, "replace", 1, text=FIRST)
    b = amend(world, p, "replace", 1, text="Convocamos una jornada continental de protesta el 1.º de mayo.")
    c = amend(world, p, "delete", 1)
    to_debate(world, p)
    amendments = list(Amendment.objects.filter(proposal=p))
    poll = services.create_alternatives_poll(world.alice, p, amendments, **OPEN)
    labels = [o.label for o in poll.options.order_by("position")]
    assert poll.kind == "single" and len(labels) == 4
    assert labels[0].startswith("A1: ") and labels[2] == "A3: delete the paragraph"
    assert labels[3] == "None of them: keep the text as it is"
    b.refresh_from_db()
    published_poll(world, poll, [(world.bob, [b.poll_option_id])])
    services.apply_poll_results()
    states = dict(Amendment.objects.values_list("number", "state"))
    assert states == {1: "rejected", 2: "adopted", 3: "rejected"}
    assert "protesta" in Proposal.objects.get(pk=p.pk).text and not Conflict.objects.exists()
    assert Amendment.objects.get(pk=a.pk).poll == Amendment.objects.get(pk=c.pk).poll == poll


def test_alternatives_need_two_amendments_in_debate_of_this_proposal(world):
    p = proposal(world, "amendment")
    a = amend(world, p, "replace", 1, text=FIRST)
    a2 = amend(world, p, "delete", 3)
    other = proposal(world, "amendment")
    b = amend(world, other, "delete", 2)
    to_debate(world, p)
    a.refresh_from_db()
    a2.refresh_from_db()
    with pytest.raises(ServiceError, match="at least two competing amendments"):
        services.create_alternatives_poll(world.alice, p, [a])
    with pytest.raises(ServiceError, match="Choose amendments of this proposal"):
        services.create_alternatives_poll(world.alice, p, [a2, b])
    services.create_amendment_poll(world.alice, a)
    before, polls = snapshot(), Poll.objects.count()
    with pytest.raises(ServiceError, match="Amendment A1 already has its poll."):
        services.create_alternatives_poll(world.alice, p, [Amendment.objects.get(pk=a.pk), a2])
    assert snapshot() == before and Poll.objects.count() == polls


def test_a_secret_poll_on_a_text_goes_through_its_tellers(world):
    p = proposal(world, "debate")
    poll = services.create_proposal_poll(world.alice, p, electorate="accredited")
    assert poll.secrecy == "secret"  # the voting app's private default
    voting.set_teller_passphrase(world.alice, poll, PASSPHRASE)
    voting.open_poll(world.alice, poll)
    voting.cast_ballot(world.bob, poll, ["yes"], "k" * 20)
    voting.close_poll(world.alice, poll)
    voting.count_sealed(world.alice, poll, [(world.alice, PASSPHRASE)])
    voting.publish_poll(world.alice, poll)
    services.apply_poll_results()
    assert Proposal.objects.get(pk=p.pk).state == "adopted"
