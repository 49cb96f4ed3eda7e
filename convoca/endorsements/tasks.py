"""Background work of endorsements: the email with the verification and withdrawal links, enqueued after the
commit. The raw links exist only in this email."""

from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django_tasks import task


@task()
def send_verification(endorsement_id: int, verify_token: str, withdraw_token: str) -> None:
    from .models import Endorsement  # tasks are loaded by name by the worker, before the app registry

    found = Endorsement.objects.select_related("declaration__gathering").filter(pk=endorsement_id).first()
    if found is None:
        return  # withdrawn before the worker got to it
    slug = found.declaration.gathering.slug
    with translation.override(found.language):
        context = {
            "endorsement": found, "declaration": found.declaration,
            "verify_url": settings.SITE_URL + reverse("endorsements:verify", args=[slug, verify_token]),
            "withdraw_url": settings.SITE_URL + reverse("endorsements:withdraw", args=[slug, withdraw_token]),
        }
        subject = " ".join(render_to_string("endorsements/email/verify_subject.txt", context).split())
        body = render_to_string("endorsements/email/verify_body.txt", context)
    EmailMessage(subject, body, settings.DEFAULT_FROM_EMAIL, [found.email]).send()
