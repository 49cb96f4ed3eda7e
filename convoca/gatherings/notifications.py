"""Emails about registrations and messages from the organisers, sent by django-tasks after commit.

``notify(registration, event)`` is called by the services once a decision is written; it enqueues the
task only when the transaction commits, so a rolled-back decision tells nobody. Task arguments are ids
and codes only: the email is rendered by the worker, in the recipient's language
(``network.mail.email_person``).
"""

from django.db import transaction
from django.urls import reverse
from django_tasks import task

from convoca.core.tasks import enqueue_after_commit
from convoca.network import mail
from convoca.network.models import Person

EVENTS = ("accredited", "refused", "mandate_confirmed", "mandate_rejected")
BATCH = 200  # people per task of a message to participants


def notify(registration, event):
    assert event in EVENTS
    pk = registration.pk
    enqueue_after_commit(registration_decided, pk, event)


@task()
def registration_decided(registration_id: int, event: str) -> None:
    from .models import Registration

    registration = (
        Registration.objects.select_related("gathering", "person__user", "organisation").filter(pk=registration_id)
        .first()
    )
    if registration is None or event not in EVENTS:
        return
    # The decision may have changed before the worker got here: tell only what is still true.
    still = {
        "accredited": registration.status == Registration.Status.ACCREDITED,
        "refused": registration.status == Registration.Status.REFUSED,
        "mandate_confirmed": registration.mandate == Registration.Mandate.CONFIRMED,
        "mandate_rejected": registration.mandate == Registration.Mandate.REJECTED,
    }[event]
    if not still:
        return
    mail.email_person(registration.person, f"gatherings/email/{event}", {
        "registration": registration,
        "gathering": registration.gathering,
        "link": mail.site_link(registration.get_absolute_url()),
    })


def send_message(gathering, person_ids, subject, body):
    """Enqueue a message to participants after commit, in batches."""
    ids = sorted(set(person_ids))
    gathering_id = gathering.pk

    def enqueue():
        for start in range(0, len(ids), BATCH):
            message_to_participants.enqueue(gathering_id, ids[start:start + BATCH], subject, body)

    transaction.on_commit(enqueue)


@task()
def message_to_participants(gathering_id: int, person_ids: list[int], subject: str, body: str) -> None:
    from .models import Gathering

    gathering = Gathering.objects.filter(pk=gathering_id).first()
    if gathering is None:
        return
    link = mail.site_link(reverse("gatherings:detail", args=[gathering.slug]))
    failed = 0
    people = list(Person.objects.select_related("user").filter(pk__in=person_ids, erased_at__isnull=True))
    for person in people:
        try:
            mail.email_person(person, "gatherings/email/message", {
                "gathering": gathering, "subject": subject, "body": body, "link": link,
            }, from_organisers=True)
        except mail.EmailNotSent:
            failed += 1  # the others still get theirs
    if failed:
        raise mail.EmailNotSent(f"{failed} of {len(people)} emails not sent")
