"""RSVPs through the group commit (``services.write_rsvps`` below ``services.rsvp``): many people at once are
written together, each answered once committed; the last places are never given twice, the same email never
holds two, and every RSVP's confirmation is queued."""

import copy
import threading

import pytest
from django.db import connection
from django_tasks_db.models import DBTaskResult

from convoca.actions import services
from convoca.actions.models import Rsvp
from convoca.core.errors import ServiceError
from convoca.core.group_commit import GroupCommit
from tests.actions.helpers import action


def at_once(count, fn):
    """``fn(i)`` from ``count`` threads released together; each one's result or refusal."""
    start, outcomes = threading.Barrier(count), [None] * count

    def run(i):
        start.wait()
        try:
            outcomes[i] = fn(i)
        except ServiceError as refusal:
            outcomes[i] = refusal
        finally:
            connection.close()  # each thread's own (so the test database can be dropped)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    return outcomes


@pytest.mark.django_db(transaction=True)
def test_many_rsvps_at_once_take_the_places_once_each(world, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    small, large = action(world, capacity=10), action(world, title="Asamblea")
    try:
        # 24 people to the small action (two of them with another's email, in capitals), 24 to the large one
        def rsvp(i):
            target = small if i % 2 else large
            email = f"P{i - 2}@EXAMPLE.ORG" if i in (3, 7) else f"p{i}@example.org"
            return services.rsvp(copy.copy(target), name=f"P{i}", email=email)  # as each request read it

        outcomes = at_once(48, rsvp)
    finally:
        services._rsvp_box.release_connection()  # so the test database can be dropped
    saved = [o for o in outcomes if isinstance(o, Rsvp)]
    codes = sorted(o.code for o in outcomes if isinstance(o, ServiceError))
    small.refresh_from_db()
    large.refresh_from_db()
    assert small.rsvp_count == 10 == Rsvp.objects.filter(action=small).count()
    assert large.rsvp_count == 24 == Rsvp.objects.filter(action=large).count()
    assert len(saved) == 34 and sorted(r.pk for r in saved) == sorted(Rsvp.objects.values_list("pk", flat=True))
    assert set(codes) <= {"full", "duplicate"} and len(codes) == 14 and "full" in codes
    assert Rsvp.objects.filter(action=small).values("email_key").distinct().count() == 10  # never one email twice
    queued = list(DBTaskResult.objects.filter(task_path="convoca.actions.tasks.send_rsvp_confirmations"))
    confirmed = sorted(pk for task in queued for pk in task.args_kwargs["args"][0])
    assert confirmed == sorted(r.pk for r in saved)  # every RSVP's confirmation queued, once
    assert len(queued) < len(saved)  # several RSVPs shared a transaction


@pytest.mark.django_db(transaction=True)
def test_a_batch_that_fails_is_written_one_by_one(caplog):
    """One item that breaks its batch (here: any batch of more than one) costs the others nothing; one that
    fails alone gets a translated refusal, never the database's error, and the log names the error's kind
    only (a unique key's clash quotes the row: an email)."""
    written = []

    def write_batch(items):
        if len(items) > 1:
            raise RuntimeError("a batch this writer cannot take")
        if items[0] == "broken":
            raise RuntimeError("Key (action_id, email_key)=(5, luz@example.org) already exists")
        written.append(items[0])
        return [items[0].upper()]

    committer = GroupCommit("test", write_batch)
    outcomes = at_once(12, lambda i: committer.submit("broken" if i == 5 else f"item{i}"))
    assert [o for i, o in enumerate(outcomes) if i != 5] == [f"ITEM{i}" for i in range(12) if i != 5]
    assert isinstance(outcomes[5], ServiceError) and outcomes[5].code == "retry"
    assert sorted(written) == sorted(f"item{i}" for i in range(12) if i != 5)
    assert "RuntimeError" in caplog.text and "luz@" not in caplog.text and "email_key" not in caplog.text
    committer.release_connection()
