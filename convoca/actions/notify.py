"""Emails of days of action, rendered in their reader's language and handed to the task queue. Called only
after a commit (``transaction.on_commit`` in the services, or the ticker), with ids: a row gone since is
simply not written to."""

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation

from convoca.accounts.tasks import send_email

from .models import Action, Rsvp


def _send(template, context, to, language, now=False):
    """Render the email in ``language``; send it ``now`` (already in a worker) or hand it to the task queue."""
    with translation.override(language or settings.LANGUAGE_CODE):
        subject = " ".join(render_to_string(f"actions/email/{template}_subject.txt", context).split())
        body = render_to_string(f"actions/email/{template}_body.txt", context)
    if now:
        send_email.call(subject, body, to)
    else:
        send_email.enqueue(subject, body, to)


def _host_language(action):
    person = getattr(action.host_user, "person", None)
    languages = (getattr(person, "languages", "") or "").replace(",", " ").split()
    return languages[0] if languages else settings.LANGUAGE_CODE


def host_decision(action_id):
    action = Action.objects.select_related("host_user", "campaign").filter(pk=action_id).first()
    if action is None or not action.host_user.email:
        return
    context = {"action": action, "url": settings.SITE_URL + action.get_absolute_url(),
               "approved": action.state == Action.State.APPROVED}
    _send("decision", context, action.host_user.email, _host_language(action))


def action_cancelled(action_id):
    for entry in Rsvp.objects.select_related("action__campaign").filter(action_id=action_id):
        _send("cancelled", {"action": entry.action, "rsvp": entry,
                            "url": settings.SITE_URL + entry.action.campaign.get_absolute_url()},
              entry.email, entry.language)


def rsvp_confirmation(rsvp_id, now=False):
    """The email that confirms a place (sent by ``tasks.send_rsvp_confirmations`` in a worker, ``now``)."""
    from .services import confirm_url  # services imports this module to call it after a commit

    entry = Rsvp.objects.select_related("action__campaign").filter(pk=rsvp_id).first()
    if entry is None:
        return
    context = {"action": entry.action, "rsvp": entry, "url": settings.SITE_URL + confirm_url(entry),
               "action_url": settings.SITE_URL + entry.action.get_absolute_url()}
    _send("confirm", context, entry.email, entry.language, now)


def reminder(rsvp_id):
    from .services import confirm_url  # as above

    entry = Rsvp.objects.select_related("action__campaign").filter(pk=rsvp_id).first()
    if entry is None:
        return
    action = entry.action
    context = {"action": action, "rsvp": entry, "action_url": settings.SITE_URL + action.get_absolute_url(),
               "cancel_url": settings.SITE_URL + confirm_url(entry),
               "address": action.address if action.address_visibility != "day" else ""}
    _send("reminder", context, entry.email, entry.language)
