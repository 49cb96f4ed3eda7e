"""Tellers of a secret poll: teller passphrases, opening, the count (k of n), and every bad input refused with
a clear message, nothing changed, never a 500."""

import re
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from convoca.core.errors import PermissionDenied, ServiceError
from convoca.voting import queries, services
from convoca.voting.models import Ballot, Participation, Poll, SealedBallot, Teller
from tests.audit.helpers import audit_entries

from .helpers import PASSPHRASE, add_delegate, check_in, close_and_count, key, new_poll, open_poll
from .test_api import bearer, post

PASS = {"alice": "alice's long passphrase", "carla": "carla's long passphrase", "tomas": "tomás's long passphrase"}


@pytest.fixture
def three(world):
    """A secret poll with three tellers (alice, carla, tomas), two needed, each passphrase set; bob and maría
    vote."""
    w = world
    check_in(w.bob_reg)
    w.maria, _ = add_delegate(w, "maria@example.org", "María", w.org_mx)
    poll = services.create_poll(w.alice, w.conference, title="Q", kind="yes_no",
                                tellers=["alice@example.org", "CARLA@example.org", str(w.tomas.pk)])
    for name in ("alice", "carla", "tomas"):
        services.set_teller_passphrase(getattr(w, name), poll, PASS[name])
    w.poll = poll
    return w


def opened_and_closed(w):
    services.open_poll(w.alice, w.poll)
    services.cast_ballot(w.bob, w.poll, ["yes"], key())
    services.cast_ballot(w.maria, w.poll, ["no"], key())
    services.close_poll(w.alice, w.poll)
    return w.poll


def snapshot(poll):
    poll = Poll.objects.get(pk=poll.pk)
    return (poll.state, poll.result, bytes(poll.public_key or b""), Ballot.objects.count(),
            SealedBallot.objects.count(), Participation.objects.count(),
            sorted((t.user_id, bytes(t.share or b""), bytes(t.locked_private_key or b"")) for t in Teller.objects.all()))


def refused(poll, call, code=None, match=None):
    """``call()`` is refused with a ServiceError (its code and message as given) and changes nothing."""
    before = snapshot(poll)
    with pytest.raises(ServiceError) as exc:
        call()
    assert str(exc.value.message)
    if code:
        assert exc.value.code == code, exc.value.code
    if match:
        assert match in str(exc.value.message), exc.value.message
    assert snapshot(poll) == before
    return exc.value


def test_it_names_the_tellers_and_a_majority_by_default(three):
    w = three
    assert [t.user_id for t in w.poll.tellers.all()] == [w.alice.pk, w.carla.pk, w.tomas.pk]
    assert w.poll.tellers_needed == 2
    solo = new_poll(w)
    assert [t.user_id for t in solo.tellers.all()] == [w.alice.pk] and solo.tellers_needed == 1
    named = services.create_poll(w.alice, w.conference, title="N", kind="yes_no", secrecy=Poll.Secrecy.NAMED,
                                 tellers=["carla@example.org"])
    assert not named.tellers.exists()  # only secret polls have tellers


@pytest.mark.parametrize("tellers,needed,field", [
    (["nobody@example.org"], None, "tellers"),
    (["carla@example.org", "carla@example.org"], None, "tellers"),
    (["carla@example.org", "tomas@example.org"], 3, "tellers_needed"),
    (["carla@example.org"], 0, "tellers_needed"),
    (["carla@example.org"], "two", "tellers_needed"),
    ([f"t{i}@example.org" for i in range(30)], None, "tellers"),
])
def test_it_refuses_bad_tellers_when_creating_a_poll(world, tellers, needed, field):
    with pytest.raises(ServiceError) as exc:
        services.create_poll(world.alice, world.conference, title="Q", kind="yes_no", tellers=tellers,
                             tellers_needed=needed)
    assert exc.value.field == field and str(exc.value.message)
    assert not Poll.objects.exists() and not Teller.objects.exists()


def test_it_refuses_a_too_short_passphrase_and_a_non_teller(world):
    w = world
    poll = services.create_poll(w.alice, w.conference, title="Q", kind="yes_no")
    exc = refused(poll, lambda: services.set_teller_passphrase(w.alice, poll, "short one"), "short_passphrase",
                  "at least 12 characters")
    assert exc.field == "passphrase"
    with pytest.raises(PermissionDenied, match="Only a teller"):
        services.set_teller_passphrase(w.bob, poll, "bob is no teller here")
    assert not Teller.objects.exclude(public_key=None).exists()


def test_it_refuses_to_open_while_a_teller_has_no_passphrase(world):
    w = world
    check_in(w.bob_reg)
    poll = services.create_poll(w.alice, w.conference, title="Q", kind="yes_no", tellers=["alice@example.org", w.carla])
    services.set_teller_passphrase(w.alice, poll, PASSPHRASE)
    refused(poll, lambda: services.open_poll(w.alice, poll), "tellers_not_ready", "1 of its 2 tellers")
    assert not audit_entries(poll).filter(action="poll.opened").exists()


def test_it_fixes_the_passphrases_once_the_poll_is_open(three):
    w = three
    services.open_poll(w.alice, w.poll)
    refused(w.poll, lambda: services.set_teller_passphrase(w.carla, w.poll, "a new passphrase now"), "bad_state")


def test_it_seals_a_share_to_each_teller_and_stores_neither_the_private_key_nor_a_plain_share(three):
    w = three
    services.open_poll(w.alice, w.poll)
    w.poll.refresh_from_db()
    assert len(bytes(w.poll.public_key)) == 32
    shares = [bytes(t.share) for t in w.poll.tellers.all()]
    assert len(set(shares)) == 3 and all(len(s) > 100 for s in shares)  # sealed boxes, not 32-byte shares


def test_it_counts_with_any_two_of_three_tellers_and_destroys_every_key(three):
    w = three
    poll = opened_and_closed(w)
    assert poll.result is None and not queries.can_see_results(w.alice, poll)
    services.count_sealed(w.carla, poll, [(w.tomas.email, PASS["tomas"]), (w.alice, PASS["alice"])])
    poll.refresh_from_db()
    assert poll.result["ballots"] == 2 and poll.public_key is None
    assert not SealedBallot.objects.exists() and Ballot.objects.filter(poll=poll, voter=None).count() == 2
    assert not Teller.objects.exclude(public_key=None, locked_private_key=None, salt=None, share=None).exists()
    audit = list(audit_entries(poll).filter(action__in=["poll.unlocked", "poll.counted"]).values_list("action", "actor_id"))
    assert audit == [("poll.unlocked", w.tomas.pk), ("poll.unlocked", w.alice.pk), ("poll.counted", w.carla.pk)]


def test_it_refuses_a_wrong_passphrase_and_counts_nothing(three):
    w = three
    poll = opened_and_closed(w)
    refused(poll, lambda: services.count_sealed(w.alice, poll, [(w.alice, PASS["alice"]), (w.carla, "not carla's one")]),
            "bad_passphrase", "passphrase of teller 2 is wrong")


def test_it_refuses_too_few_tellers(three):
    w = three
    poll = opened_and_closed(w)
    refused(poll, lambda: services.count_sealed(w.alice, poll, [(w.alice, PASS["alice"])]), "too_few_tellers",
            "passphrases of 2 tellers together; 1 given")
    refused(poll, lambda: services.count_sealed(w.alice, poll, "nonsense"), "too_few_tellers")


def test_it_refuses_the_same_teller_twice(three):
    w = three
    poll = opened_and_closed(w)
    refused(poll, lambda: services.count_sealed(w.alice, poll, [(w.alice, PASS["alice"]), (w.alice.email, PASS["alice"])]),
            "same_teller", "teller 1 is given twice")


def test_it_refuses_someone_who_is_not_a_teller(three):
    w = three
    poll = opened_and_closed(w)
    refused(poll, lambda: services.count_sealed(w.alice, poll, [(w.alice, PASS["alice"]), (w.bob, "bob's passphrase!")]),
            "not_a_teller", "is not a teller of this poll")
    with pytest.raises(PermissionDenied):  # bob may not even ask for the count
        services.count_sealed(w.bob, poll, [(w.alice, PASS["alice"]), (w.carla, PASS["carla"])])


def test_it_refuses_the_passphrase_of_another_poll(three):
    w = three
    other = new_poll(w, title="Otra")  # alice is its teller with another passphrase
    assert other.pk != w.poll.pk
    poll = opened_and_closed(w)
    refused(poll, lambda: services.count_sealed(w.alice, poll, [(w.alice, PASSPHRASE), (w.carla, PASS["carla"])]),
            "bad_passphrase")


def test_it_refuses_a_share_copied_from_another_poll(three):
    w = three
    other = open_poll(w, title="Otra")  # alice's share of another poll, under her key of that poll
    poll = opened_and_closed(w)
    theirs = Teller.objects.get(poll=other, user=w.alice)
    Teller.objects.filter(poll=poll, user=w.alice).update(
        share=theirs.share, public_key=theirs.public_key, locked_private_key=theirs.locked_private_key,
        salt=theirs.salt, kdf_ops=theirs.kdf_ops, kdf_mem=theirs.kdf_mem)
    refused(poll, lambda: services.count_sealed(w.alice, poll, [(w.alice, PASSPHRASE), (w.carla, PASS["carla"])]),
            "bad_other_poll", "belongs to another poll")


@pytest.mark.parametrize("state", ["draft", "open", "counted", "published", "annulled"])
def test_it_refuses_to_count_a_poll_that_is_not_waiting_for_its_count(three, state):
    w = three
    poll = w.poll
    if state != "draft":
        services.open_poll(w.alice, poll)
    if state in ("counted", "published"):
        services.close_poll(w.alice, poll)
        services.count_sealed(w.alice, poll, [(w.alice, PASS["alice"]), (w.carla, PASS["carla"])])
    if state == "published":
        services.publish_poll(w.alice, poll)
    if state == "annulled":
        services.annul_poll(w.alice, poll, "Mal planteada")
    code = {"draft": "bad_state", "open": "bad_state", "annulled": "bad_state"}.get(state, "already_counted")
    refused(poll, lambda: services.count_sealed(w.alice, poll, [(w.alice, PASS["alice"]), (w.carla, PASS["carla"])]),
            code)


def test_it_refuses_to_count_a_named_poll_by_unlocking(world):
    w = world
    check_in(w.bob_reg)
    poll = open_poll(w, secrecy=Poll.Secrecy.NAMED)
    close_and_count(w, poll)
    refused(poll, lambda: services.count_sealed(w.alice, poll, [(w.alice, PASSPHRASE)]), "not_sealed")


def test_it_refuses_closing_twice_and_a_ballot_once_the_key_is_destroyed(three):
    w = three
    poll = opened_and_closed(w)
    refused(poll, lambda: services.close_poll(w.alice, poll), "bad_state", "Only an open poll")
    services.count_sealed(w.alice, poll, [(w.alice, PASS["alice"]), (w.carla, PASS["carla"])])
    refused(poll, lambda: services.cast_ballot(w.bob, poll, ["no"], key()), "poll_not_open")
    refused(poll, lambda: services.close_poll(w.alice, poll), "bad_state")


def test_it_publishes_only_a_counted_poll(three):
    w = three
    poll = opened_and_closed(w)
    refused(poll, lambda: services.publish_poll(w.alice, poll), "not_counted", "still sealed")
    services.count_sealed(w.alice, poll, [(w.alice, PASS["alice"]), (w.carla, PASS["carla"])])
    services.publish_poll(w.alice, poll)
    assert Poll.objects.get(pk=poll.pk).state == Poll.State.PUBLISHED


def test_it_destroys_sealed_ballots_and_keys_when_annulled(three):
    w = three
    poll = opened_and_closed(w)
    services.annul_poll(w.alice, poll, "Texto equivocado")
    poll.refresh_from_db()
    assert poll.state == Poll.State.ANNULLED and poll.result is None and poll.public_key is None
    assert not SealedBallot.objects.exists() and not Ballot.objects.exists()
    assert not Teller.objects.exclude(share=None).exists()


def test_it_answers_bad_counts_through_the_api_with_json_errors(three):
    w = three
    poll = opened_and_closed(w)
    alice = bearer(w.alice)
    url = f"/api/v1/polls/{poll.pk}/count"
    before = snapshot(poll)
    for payload, status, code in [
        ([{"teller": "alice@example.org", "passphrase": PASS["alice"]}], 400, "too_few_tellers"),
        ([{"teller": w.alice.pk, "passphrase": PASS["alice"]}, {"teller": w.carla.pk, "passphrase": "nope nope nope"}],
         400, "bad_passphrase"),
        ([{"teller": "bob@example.org", "passphrase": "x"}, {"teller": w.carla.pk, "passphrase": "y"}], 400, "not_a_teller"),
        ({"teller": 1}, 400, "invalid"),
    ]:
        r = post(url, payload, **alice)
        assert r.status_code == status, r.content
        if code:
            assert r.json()["code"] == code
    assert post(url, [], **bearer(w.bob)).status_code == 403
    assert snapshot(poll) == before
    ok = post(url, [{"teller": "carla@example.org", "passphrase": PASS["carla"]},
                    {"teller": w.tomas.pk, "passphrase": PASS["tomas"]}], **bearer(w.carla))
    assert ok.status_code == 200 and ok.json()["counted"]


def test_it_counts_from_the_command_line_with_passphrases_read_from_stdin(three, monkeypatch):
    w = three
    poll = opened_and_closed(w)
    with pytest.raises(CommandError, match="wrong"):
        call_command("count", str(poll.pk), "--teller", "alice@example.org", "--teller", "carla@example.org",
                     stdin=StringIO(f"{PASS['alice']}\nnot carla's\n"))
    with pytest.raises(CommandError, match="one per line"):
        call_command("count", str(poll.pk), "--teller", "alice@example.org", "--teller", "carla@example.org",
                     stdin=StringIO(f"{PASS['alice']}\n"))
    assert Poll.objects.get(pk=poll.pk).result is None
    out = StringIO()
    call_command("count", str(poll.pk), "--teller", "alice@example.org", "--teller", "carla@example.org",
                 stdin=StringIO(f"{PASS['alice']}\n{PASS['carla']}\n"), stdout=out)
    assert "counted" in out.getvalue() and Poll.objects.get(pk=poll.pk).result["ballots"] == 2


def test_it_sets_a_teller_passphrase_from_the_command_line(world):
    w = world
    poll = services.create_poll(w.alice, w.conference, title="Q", kind="yes_no")
    with pytest.raises(CommandError, match="at least 12"):
        call_command("teller", str(poll.pk), "--teller", "alice@example.org", stdin=StringIO("short\n"))
    with pytest.raises(CommandError, match="no account"):
        call_command("teller", str(poll.pk), "--teller", "ghost@example.org", stdin=StringIO("long enough phrase\n"))
    call_command("teller", str(poll.pk), "--teller", "alice@example.org", stdin=StringIO("long enough phrase\n"),
                 stdout=StringIO())
    assert Teller.objects.get(poll=poll).is_ready


def test_it_gives_a_proxy_holder_one_receipt_per_vote_on_the_confirmation_page(world, as_user):
    from django.urls import reverse

    w = world
    check_in(w.bob_reg)
    dora, dora_reg = add_delegate(w, "dora@example.org", "Dora Delegada", w.org_mx, present=False)
    services.give_proxy(dora, w.conference, w.bob_reg)
    poll = open_poll(w)
    yes = poll.options.get(code="yes").pk
    page = as_user(w.bob).post(reverse("voting:cast", args=[poll.pk]), {"choice": str(yes), "idempotency_key": key()})
    html = page.content.decode()
    codes = set(re.findall(r"[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}", html))
    assert len(codes) == 2 and "votes you hold by proxy" in html
