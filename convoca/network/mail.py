"""Emails to a person, in their own language, with links on SITE_URL.

Every app that tells someone something (accreditation, mandates, votes, join requests, messages from the
organisers) renders its email here, inside a django-tasks task enqueued with ``transaction.on_commit``. The
language is the interface language the person last chose (``User.language``), else the first of the
languages in their record the site speaks, else the site's default. Nothing here logs an address.

Messages written by organisers to participants carry a per-person unsubscribe link (``unsubscribe_url``):
signed for that one purpose (its own salt), naming only the person. Following it (a POST on the page it opens)
sets ``Person.messages_opt_out_at``; such messages then skip the person. Security and decision emails do not.
"""

import smtplib

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

UNSUBSCRIBE_SALT = "convoca.network.unsubscribe"


def language_of(person):
    codes = [code for code, _name in settings.LANGUAGES]
    user = person.user if person.user_id else None
    if user is not None and user.language in codes:
        return user.language
    for code in person.language_list:
        code = {"pt": "pt-br", "pt_br": "pt-br"}.get(code.lower(), code.lower())
        if code in codes:
            return code
    return settings.LANGUAGE_CODE


def address_of(person):
    """Where the person's email goes: the record's address, else the account's; "" if none (or erased)."""
    if person.erased_at is not None:
        return ""
    if person.email:
        return person.email
    return person.user.email if person.user_id and person.user.is_active else ""


def site_link(path):
    return settings.SITE_URL + path


def unsubscribe_token(person):
    return signing.dumps({"p": person.pk}, salt=UNSUBSCRIBE_SALT, compress=True)


def read_unsubscribe_token(token):
    """The person id a link names, or None for a forged, damaged or other-purpose token."""
    try:
        data = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    except signing.BadSignature:
        return None
    pk = data.get("p") if isinstance(data, dict) else None
    return pk if isinstance(pk, int) and not isinstance(pk, bool) else None


def unsubscribe_url(person):
    return site_link(reverse("network:unsubscribe", args=[unsubscribe_token(person)]))


def _subject(template_name, context):
    return " ".join(render_to_string(template_name, context).split())  # one line


def email_person(person, template, context, *, from_organisers=False):
    """Render ``<template>_subject.txt`` and ``<template>_body.txt`` in the person's language and send them.
    ``from_organisers``: a message written to participants, skipped for those who unsubscribed, with the
    unsubscribe link at its foot. Returns whether an email went."""
    to = address_of(person)
    if not to or (from_organisers and person.messages_opt_out_at is not None):
        return False
    context = {"person": person, "site_url": settings.SITE_URL, **context}
    if from_organisers:
        context["unsubscribe_url"] = unsubscribe_url(person)
    with translation.override(language_of(person)):
        subject = _subject(f"{template}_subject.txt", context)
        body = render_to_string(f"{template}_body.txt", context)
    headers = {}
    if from_organisers:
        headers["List-Unsubscribe"] = f"<{context['unsubscribe_url']}>"
    try:
        EmailMessage(subject, body, settings.DEFAULT_FROM_EMAIL, [to], headers=headers).send()
    except (OSError, smtplib.SMTPException) as error:  # SMTPException is an OSError; said for the reader
        # An SMTP refusal names the address, and a failed task's traceback goes to the log: keep only its kind.
        raise EmailNotSent(type(error).__name__) from None
    return True


class EmailNotSent(Exception):
    """An email could not be sent; the message names the kind of failure, never the recipient."""
