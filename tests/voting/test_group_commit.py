"""The group commit below cast_ballot: concurrent casts from many threads are
committed together, each answered once durable, retries counted once."""

import threading

import pytest

from convoca.voting import ballot_box, services
from convoca.voting.models import Ballot, Participation, SealedBallot

from .helpers import add_delegate, check_in, close_and_count, key, open_poll


@pytest.mark.django_db(transaction=True)
def test_it_commits_concurrent_casts_in_batches_and_counts_retries_once(world, monkeypatch):
    w = world
    check_in(w.bob_reg)
    voters = [w.bob] + [add_delegate(w, f"g{i}@example.org", f"G{i}")[0] for i in range(23)]
    poll = open_poll(w)
    ballot_box.poll_spec(poll.pk)  # warm this process's cache, as the first request would
    sizes = []
    real = ballot_box.commit_batch

    def counting(items):
        sizes.append(len(items))
        return real(items)

    monkeypatch.setattr(ballot_box, "commit_batch", counting)
    keys = [key() for _ in voters]
    results, errors = {}, []
    start = threading.Barrier(len(voters) * 2)

    def cast(i):
        start.wait()
        try:
            results.setdefault(i, []).append(services.cast_ballot(voters[i], poll.pk, ["yes"], keys[i]).receipt)
        except Exception as exc:  # noqa: BLE001
            errors.append(exc)

    threads = [threading.Thread(target=cast, args=(i,)) for i in range(len(voters)) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert not errors
    assert all(len(set(r)) == 1 and len(r) == 2 for r in results.values())  # retry -> same receipt
    assert SealedBallot.objects.filter(poll=poll).count() == len(voters) and not Ballot.objects.exists()
    assert Participation.objects.filter(poll=poll).count() == len(voters)
    assert sum(sizes) == len(voters) * 2 and max(sizes) > 1  # several casts shared a transaction
    close_and_count(w, poll)
    assert poll.result["ballots"] == len(voters) == Ballot.objects.filter(poll=poll).count()
    assert sorted(Ballot.objects.values_list("receipt", flat=True)) == sorted(r[0] for r in results.values())
    ballot_box.release_connection()  # so the test database can be dropped
