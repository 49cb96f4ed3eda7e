"""cast_ballot: idempotency, refusals, weights and proxies."""

import pytest
from django.utils import timezone

from convoca.core.errors import NotFound, PermissionDenied, ServiceError
from convoca.gatherings.models import Registration
from convoca.voting import services
from convoca.voting.models import WEIGHT_UNIT, Ballot, Participation, Poll, Proxy, SealedBallot

from .helpers import add_delegate, check_in, close_and_count, key, open_poll, option


@pytest.fixture
def hall(world):
    """bob present, plus carlos (CO) and maria (MX) present."""
    w = world
    check_in(w.bob_reg)
    w.carlos, w.carlos_reg = add_delegate(w, "carlos@example.org", "Carlos", w.org_co)
    w.maria, w.maria_reg = add_delegate(w, "maria@example.org", "María", w.org_mx)
    return w


def stored():
    """(ballots, "has voted" rows): a secret poll's ballots are sealed boxes until its count."""
    return Ballot.objects.count() + SealedBallot.objects.count(), Participation.objects.count()


def test_it_counts_a_retry_with_the_same_key_once_and_returns_the_same_receipt(hall):
    poll = open_poll(hall)
    k = key()
    first = services.cast_ballot(hall.bob, poll, ["yes"], k)
    again = services.cast_ballot(hall.bob, poll, ["yes"], k)
    assert again.duplicate and again.receipt == first.receipt
    assert stored() == (1, 1)


def test_it_refuses_a_second_different_ballot(hall):
    poll = open_poll(hall)
    services.cast_ballot(hall.bob, poll, ["yes"], key())
    with pytest.raises(ServiceError, match="already voted"):
        services.cast_ballot(hall.bob, poll, ["no"], key())
    assert stored() == (1, 1)
    assert close_and_count(hall, poll).result["counts"][str(option(poll, "yes"))] == WEIGHT_UNIT


def test_it_refuses_the_same_key_with_another_ballot(hall):
    poll = open_poll(hall)
    k = key()
    services.cast_ballot(hall.bob, poll, ["yes"], k)
    with pytest.raises(ServiceError, match="different ballot"):
        services.cast_ballot(hall.bob, poll, ["no"], k)
    assert stored() == (1, 1)


def test_it_lets_a_voter_change_their_vote_when_the_poll_allows_it(hall):
    poll = open_poll(hall, secrecy=Poll.Secrecy.NAMED, allow_change=True)
    services.cast_ballot(hall.bob, poll, ["yes"], key())
    changed = services.cast_ballot(hall.bob, poll, ["no"], key())
    assert changed.changed
    assert stored() == (1, 1)
    assert Ballot.objects.get().choices == [option(poll, "no")]


@pytest.mark.parametrize("bad_key", ["short", "x" * 101, "spaces are not allowed here", "ñññññññññññññññññ"])
def test_it_refuses_a_forged_idempotency_key(hall, bad_key):
    poll = open_poll(hall)
    with pytest.raises(ServiceError) as exc:
        services.cast_ballot(hall.bob, poll, ["yes"], bad_key)
    assert exc.value.field == "idempotency_key"
    assert stored() == (0, 0)


@pytest.mark.parametrize("choices", [[], ["maybe"], [999999], ["yes", "no"], [True], "1; DROP TABLE", {"a": 1}])
def test_it_refuses_an_option_that_does_not_exist_or_a_wrong_count(hall, choices):
    poll = open_poll(hall)
    with pytest.raises(ServiceError):
        services.cast_ballot(hall.bob, poll, choices, key())
    assert stored() == (0, 0)


def test_it_refuses_voters_who_are_not_on_the_roll(hall):
    w = hall
    poll = open_poll(w)
    late, late_reg = add_delegate(w, "late@example.org", "Late", w.org_co, present=False)
    cases = {
        w.tomas: "not a delegate",  # translator
        w.olga: "Only delegates",  # observer
        w.nadia: "not a delegate",
        late: "not checked in",
    }
    for user, message in cases.items():
        with pytest.raises(PermissionDenied, match=message):
            services.cast_ballot(user, poll, ["yes"], key())
    check_in(late_reg)  # checking in after the poll opened does not add anyone to its roll
    with pytest.raises(PermissionDenied, match="when this poll opened"):
        services.cast_ballot(late, poll, ["yes"], key())
    assert stored() == (0, 0)


def test_it_refuses_a_ballot_on_another_gatherings_poll(hall):
    w = hall
    colombian, reg = add_delegate(w, "ana@example.org", "Ana", w.org_co, gathering=w.prep_co)
    prep_poll = open_poll(w, gathering=w.prep_co)
    with pytest.raises(PermissionDenied):
        services.cast_ballot(w.bob, prep_poll, ["yes"], key())
    assert services.cast_ballot(colombian, prep_poll, ["yes"], key()).votes == 1


def test_it_refuses_ballots_before_opening_and_after_closing(hall):
    w = hall
    draft = services.create_poll(w.alice, w.conference, title="Draft", kind="yes_no")
    with pytest.raises(ServiceError, match="not open yet"):
        services.cast_ballot(w.bob, draft, ["yes"], key())
    poll = open_poll(w)
    close_and_count(w, poll)
    with pytest.raises(ServiceError, match="closed"):
        services.cast_ballot(w.bob, poll, ["yes"], key())
    with pytest.raises(NotFound):
        services.cast_ballot(w.bob, 987654, ["yes"], key())
    assert stored() == (0, 0)


def test_it_splits_one_organisation_vote_among_its_present_delegates(hall):
    w = hall
    poll = open_poll(w, weighting=Poll.Weighting.ORGANISATION)
    # Sindicato Andino has bob and carlos present: half a vote each; Red Migrante one vote (maría)
    assert poll.eligible_weight == 2 * WEIGHT_UNIT
    assert services.cast_ballot(w.bob, poll, ["yes"], key()).weight == WEIGHT_UNIT // 2
    assert services.cast_ballot(w.maria, poll, ["no"], key()).weight == WEIGHT_UNIT
    close_and_count(w, poll)
    poll.refresh_from_db()
    assert poll.result["cast"] == WEIGHT_UNIT * 3 // 2
    assert poll.result["outcome"] == "rejected"


def test_it_applies_custom_bloc_weights(hall):
    w = hall
    poll = open_poll(w, custom_weights={f"org:{w.org_mx.pk}": "3"})
    assert services.cast_ballot(w.maria, poll, ["yes"], key()).weight == 3 * WEIGHT_UNIT


def test_it_lets_a_proxy_holder_cast_all_represented_votes_at_once(hall):
    w = hall
    absent, absent_reg = add_delegate(w, "abs@example.org", "Ausente", w.org_mx, present=False)
    services.give_proxy(absent, w.conference, w.bob_reg)
    poll = open_poll(w)
    k = key()
    result = services.cast_ballot(w.bob, poll, ["yes"], k)
    assert (result.votes, result.weight) == (2, 2 * WEIGHT_UNIT)
    # one receipt per vote carried, his own first; a retry gets the same ones
    assert [reg for _r, reg in result.receipts] == [w.bob_reg.pk, absent_reg.pk]
    assert len({r for r, _reg in result.receipts}) == 2
    assert services.cast_ballot(w.bob, poll, ["yes"], k).receipts == result.receipts
    with pytest.raises(PermissionDenied, match="proxy"):
        services.cast_ballot(absent, poll, ["no"], key())
    assert stored() == (2, 2)
    close_and_count(w, poll)
    assert sorted(Ballot.objects.values_list("receipt", flat=True)) == sorted(r for r, _reg in result.receipts)


def test_it_lets_a_proxy_holder_split_the_represented_votes(hall):
    w = hall
    absent, absent_reg = add_delegate(w, "abs@example.org", "Ausente", w.org_mx, present=False)
    services.give_proxy(absent, w.conference, w.bob_reg)
    poll = open_poll(w)
    services.cast_ballot(w.bob, poll, ["yes"], key(), proxy_split={str(absent_reg.pk): ["no"]})
    close_and_count(w, poll)
    poll.refresh_from_db()
    assert poll.result["counts"][str(option(poll, "yes"))] == WEIGHT_UNIT
    assert poll.result["counts"][str(option(poll, "no"))] == WEIGHT_UNIT


def test_it_refuses_a_forged_proxy(hall):
    w = hall
    poll = open_poll(w)
    with pytest.raises(ServiceError, match="do not hold a proxy"):
        services.cast_ballot(w.bob, poll, ["yes"], key(), proxy_split={str(w.maria_reg.pk): ["no"]})
    with pytest.raises(ServiceError, match="do not hold a proxy"):
        services.cast_ballot(w.bob, poll, ["yes"], key(), proxy_split={"nonsense": ["no"]})
    assert stored() == (0, 0)


def test_it_ignores_a_proxy_revoked_before_the_poll_opens_and_keeps_one_revoked_after(hall):
    w = hall
    absent, _ = add_delegate(w, "abs@example.org", "Ausente", w.org_mx, present=False)
    proxy = services.give_proxy(absent, w.conference, w.bob_reg)
    kept = open_poll(w, title="Opened with the proxy")
    services.revoke_proxy(absent, proxy)
    later = open_poll(w, title="Opened after revocation")
    assert services.cast_ballot(w.bob, kept, ["yes"], key()).votes == 2
    assert services.cast_ballot(w.bob, later, ["yes"], key()).votes == 1


def test_it_refuses_bad_proxies(hall):
    w = hall
    with pytest.raises(ServiceError, match="own proxy"):
        services.give_proxy(w.bob, w.conference, w.bob_reg)
    with pytest.raises(ServiceError, match="accredited delegate"):
        services.give_proxy(w.olga, w.conference, w.bob_reg)
    with pytest.raises(ServiceError, match="accredited delegates"):
        services.give_proxy(w.bob, w.conference, w.olga_reg)
    services.give_proxy(w.carlos, w.conference, w.bob_reg)
    with pytest.raises(ServiceError, match="already given"):
        services.give_proxy(w.carlos, w.conference, w.maria_reg)
    with pytest.raises(ServiceError, match="holds proxies"):
        services.give_proxy(w.bob, w.conference, w.maria_reg)
    assert Proxy.objects.count() == 1
    assert Registration.objects.filter(pk=w.bob_reg.pk, checked_in_at__lte=timezone.now()).exists()


def test_it_casts_ranked_and_multiple_choice_ballots(hall):
    w = hall
    ranked = open_poll(w, kind="ranked", options="Ana\nBeto\nCira", seats=1)
    a, b, c = (option(ranked, label=n) for n in ("Ana", "Beto", "Cira"))
    services.cast_ballot(w.bob, ranked, [c, a], key())
    close_and_count(w, ranked)
    assert Ballot.objects.get(poll=ranked).choices == [c, a]  # order kept
    multiple = open_poll(w, kind="multiple", options="A\nB\nC", min_choices=1, max_choices=2)
    with pytest.raises(ServiceError, match="between 1 and 2"):
        services.cast_ballot(w.bob, multiple, [option(multiple, label=x) for x in "ABC"], key())
    with pytest.raises(ServiceError, match="only once"):
        services.cast_ballot(w.bob, multiple, [option(multiple, label="A")] * 2, key())
