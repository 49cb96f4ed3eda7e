"""Background work of endorsements: the email with the verification and withdrawal links, queued with the
sign-on (``core.tasks.enqueue_after_commit``) by the endorsement's id alone: the links are signed here, when
the email is written, and exist only in it (never in the task table, which a copy of the database holds)."""

from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django_tasks import task


@task()
def send_verification(endorsement_id: int) -> None:
    from .models import Endorsement  # tasks are loaded by name by the worker, before the app registry
    from .services import links_for

    found = Endorsement.objects.select_related("declaration__gathering").filter(pk=endorsement_id).first()
    if found is None:
        return  # withdrawn before the worker got to it
    slug = found.declaration.gathering.slug
    verify_token, withdraw_token = links_for(found)
    with translation.override(found.language):
        context = {
            "endorsement": found, "declaration": found.declaration,
            "verify_url": settings.SITE_URL + reverse("endorsements:verify", args=[slug, verify_token]),
            "withdraw_url": settings.SITE_URL + reverse("endorsements:withdraw", args=[slug, withdraw_token]),
        }
        subject = " ".join(render_to_string("endorsements/email/verify_subject.txt", context).split())
        body = render_to_string("endorsements/email/verify_body.txt", context)
    EmailMessage(subject, body, settings.DEFAULT_FROM_EMAIL, [found.email]).send()
