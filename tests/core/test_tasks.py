"""A task queued from inside a transaction (core.tasks.enqueue_after_commit) runs only after the commit and
never after a rollback, with the queue in the database (the task's row joins the transaction) or with the
embedded default (queued at the commit)."""

import pytest
from django.core import mail
from django.db import transaction
from django_tasks_db.models import DBTaskResult

from convoca.accounts.tasks import send_email
from convoca.core.tasks import enqueue_after_commit


class Rollback(Exception):
    pass


@pytest.mark.django_db(transaction=True)
def test_with_the_queue_in_the_database_the_task_joins_the_transaction(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    with pytest.raises(Rollback), transaction.atomic():
        enqueue_after_commit(send_email, "Asunto", "Cuerpo", "ana@example.org")
        assert DBTaskResult.objects.count() == 1  # written now, in this transaction
        raise Rollback
    assert DBTaskResult.objects.count() == 0  # rolled back with it
    with transaction.atomic():
        enqueue_after_commit(send_email, "Asunto", "Cuerpo", "ana@example.org")
    queued = DBTaskResult.objects.get()
    assert queued.args_kwargs == {"args": ["Asunto", "Cuerpo", "ana@example.org"], "kwargs": {}}
    assert mail.outbox == []  # the worker sends it


@pytest.mark.django_db(transaction=True)
def test_with_the_embedded_default_the_task_runs_at_the_commit_and_never_after_a_rollback(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    mail.outbox.clear()
    with pytest.raises(Rollback), transaction.atomic():
        enqueue_after_commit(send_email, "Asunto", "Cuerpo", "ana@example.org")
        raise Rollback
    assert mail.outbox == []
    with transaction.atomic():
        enqueue_after_commit(send_email, "Asunto", "Cuerpo", "ana@example.org")
        assert mail.outbox == []  # not before the commit
    assert [m.to for m in mail.outbox] == [["ana@example.org"]]
