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
def send_invitation_email(invitation_id: int) -> None:
    """The link's token is made here and exists only in this email: the database keeps its digest."""
    from .services import invitation_link

    issued = invitation_link(invitation_id)
    if issued is None:
        return  # withdrawn, accepted or expired before the worker got to it
    invitation, raw_token = issued
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
def send_password_reset(user_id: int, language: str, subject_template: str, body_template: str) -> None:
    """The reset link is signed here, in the worker: the task's row holds the account's id alone, so a copy of
    the database (the task table included) holds no link that could take the account over."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.tokens import default_token_generator
    from django.utils.encoding import force_bytes
    from django.utils.http import urlsafe_base64_encode

    user_model = get_user_model()
    user = user_model.objects.filter(pk=user_id, is_active=True).first()
    if user is None or not user.has_usable_password():
        return
    email = getattr(user, user_model.get_email_field_name())
    with translation.override(language):
        context = {"email": email, "user": user, "uid": urlsafe_base64_encode(force_bytes(user.pk)),
                   "token": default_token_generator.make_token(user), "site_url": settings.SITE_URL,
                   "valid_hours": max(1, settings.PASSWORD_RESET_TIMEOUT // 3600)}
        subject = _render_subject(subject_template, context)
        body = render_to_string(body_template, context)
    EmailMessage(subject, body, settings.DEFAULT_FROM_EMAIL, [email]).send()


@task()
def send_email(subject: str, body: str, to: str) -> None:
    """An email already rendered in its reader's language (password reset)."""
    EmailMessage(subject, body, settings.DEFAULT_FROM_EMAIL, [to]).send()
