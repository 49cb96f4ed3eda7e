"""Background work of the accounts app: outgoing email.

Enqueued from services with ``transaction.on_commit`` so nothing is sent for a
write that was rolled back. Arguments must be JSON: ids and strings only.
"""

from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django_tasks import task


def _render_subject(template_name, context):
    # A subject must be one line.
    return " ".join(render_to_string(template_name, context).split())


@task()
def send_invitation_email(invitation_id: int, raw_token: str) -> None:
    """The raw token exists only in this email: the database keeps its digest."""
    from .models import Invitation

    invitation = Invitation.objects.select_related("committee").filter(pk=invitation_id).first()
    if invitation is None or not invitation.is_usable:
        return  # revoked (or deleted) before the worker got to it
    with translation.override(invitation.language):
        context = {
            "invitation": invitation,
            "role": invitation.role_description(),
            "accept_url": settings.SITE_URL + reverse("accounts:invitation_accept", args=[raw_token]),
            "expires_at": invitation.expires_at,
        }
        subject = _render_subject("accounts/email/invitation_subject.txt", context)
        body = render_to_string("accounts/email/invitation_body.txt", context)
    EmailMessage(subject, body, settings.DEFAULT_FROM_EMAIL, [invitation.email]).send()


@task()
def send_email(subject: str, body: str, to: str) -> None:
    """An email already rendered in its reader's language (password reset)."""
    EmailMessage(subject, body, settings.DEFAULT_FROM_EMAIL, [to]).send()
