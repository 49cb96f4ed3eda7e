"""Background work of the registry, by email in each recipient's language, after the write commits: telling
those who may decide that a request to join (or a proposed organisation) arrived, and telling the person the
answer. These are work emails, not messages from the organisers: an opt-out of messages does not skip them."""

import contextlib

from django.urls import reverse
from django_tasks import task

from convoca.core.tasks import enqueue_after_commit

from . import mail


def tell_join_decision(join_request):
    pk = join_request.pk
    enqueue_after_commit(join_request_decided, pk)


@task()
def join_request_decided(join_request_id: int) -> None:
    from .models import JoinRequest

    request = JoinRequest.objects.select_related("person__user", "organisation").filter(pk=join_request_id).first()
    if request is None or request.status == JoinRequest.Status.PENDING:
        return
    accepted = request.status == JoinRequest.Status.ACCEPTED
    mail.email_person(request.person, "network/email/join_accepted" if accepted else "network/email/join_declined", {
        "join_request": request,
        "name": request.organisation.name if request.organisation_id else request.name,
        "link": mail.site_link(reverse("network:join")),
    })


def tell_join_request(join_request):
    pk = join_request.pk
    enqueue_after_commit(join_request_received, pk)


@task()
def join_request_received(join_request_id: int) -> None:
    from .models import JoinRequest
    from .queries import join_request_deciders

    request = JoinRequest.objects.select_related("person", "organisation").filter(pk=join_request_id).first()
    if request is None or request.status != JoinRequest.Status.PENDING:
        return  # decided (or withdrawn) before the worker got here: nothing left to decide
    context = {
        "join_request": request,
        "name": request.organisation.name if request.organisation_id else request.name,
        "link": mail.site_link(reverse("network:join_requests")),
    }
    for person in join_request_deciders(request):
        # One address refused: the others are still told; the request waits on their page either way.
        with contextlib.suppress(mail.EmailNotSent):
            mail.email_person(person, "network/email/join_request_received", context)
