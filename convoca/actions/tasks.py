"""Background work of days of action: the confirmation of an RSVP, rendered in its reader's language and sent
by the worker from the RSVP's id alone, so that neither the request nor the task table carries the email
(its confirmation link is a secret)."""

from django_tasks import task


@task()
def send_rsvp_confirmations(rsvp_ids: list[int]) -> None:
    """The confirmations of the RSVPs one group commit wrote (``services.write_rsvps``)."""
    from . import notify  # tasks are loaded by name by the worker, before the app registry

    for rsvp_id in rsvp_ids:
        notify.rsvp_confirmation(rsvp_id, now=True)
