"""Background work of the registry: telling a person the answer to their request to join an organisation
(or their proposed organisation), by email in their language, after the decision commits."""

from django.db import transaction
from django.urls import reverse
from django_tasks import task

from . import mail


def tell_join_decision(join_request):
    pk = join_request.pk
    transaction.on_commit(lambda: join_request_decided.enqueue(pk))


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
