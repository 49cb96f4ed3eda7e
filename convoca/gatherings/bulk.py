"""Bulk actions over registrations (accredit, confirm mandates, refuse with one reason, invite).

Each row goes through the single-row service (``services.accredit`` ..., ``accounts.services.invite``)
in its own transaction, with that service's rules, audit entry and emails: a row refused (another
country's, a mandate still pending) does not stop the others and is reported with the reason.
The rows are read once (the caller's queryset, with what the rules need) before any write.
"""

import dataclasses

from django.conf import settings
from django.utils.translation import gettext as _

from convoca.accounts import services as account_services
from convoca.core.errors import ServiceError

from . import services
from .models import Registration

ACTIONS = ("accredit", "confirm_mandate", "refuse", "invite")
MAX_ROWS = 5000  # "all that match" on the largest conference, with room to spare


@dataclasses.dataclass
class Outcome:
    registration: Registration | None
    done: bool
    message: str = ""
    number: int | None = None  # the id asked for, when there is no registration to show


@dataclasses.dataclass
class Summary:
    action: str
    outcomes: list

    @property
    def done(self):
        return [o for o in self.outcomes if o.done]

    @property
    def refused(self):
        return [o for o in self.outcomes if not o.done]


def _unchanged(action, registration):
    """Why the row needs nothing (a retry, or a row already there), or None."""
    S, M = Registration.Status, Registration.Mandate
    if action == "accredit" and registration.status == S.ACCREDITED:
        return _("Already accredited.")
    if action == "refuse" and registration.status == S.REFUSED:
        return _("Already refused.")
    if action == "confirm_mandate":
        if registration.role != Registration.Role.DELEGATE:
            return _("Only delegates have a mandate to confirm.")
        if registration.mandate == M.CONFIRMED:
            return _("The mandate is already confirmed.")
    return None


def _language(person):
    """The first of the person's languages the site speaks ("pt" is "pt-br"), or None."""
    known = [code for code, _name in settings.LANGUAGES]
    for code in person.language_list:
        code = code.lower()
        for site in known:
            if code == site or code.split("-")[0] == site.split("-")[0]:
                return site
    return None


def _invite(user, registration):
    person = registration.person
    if person.erased_at is not None or not person.email:
        raise ServiceError(_("No email address in the registry."))
    if person.user_id is not None:
        raise ServiceError(_("This person already has an account: they can log in."))
    return account_services.invite(user, person.email, "member", language=_language(person))


def _one(user, action, registration, reason):
    if action == "accredit":
        services.accredit(user, registration)
    elif action == "confirm_mandate":
        services.confirm_mandate(user, registration)
    elif action == "refuse":
        services.refuse(user, registration, reason)
    elif action == "invite":
        _invite(user, registration)


def act_on(user, action, registrations, *, reason="", missing=()):
    """Do ``action`` on each of ``registrations`` (a queryset or list, read once). ``missing``: ids asked
    for that are not registrations of this gathering the user may see, reported as not found."""
    if action not in ACTIONS:
        raise ServiceError(_("Choose what to do with the rows."), field="action")
    rows = list(registrations[: MAX_ROWS + 1])
    if len(rows) > MAX_ROWS:
        raise ServiceError(
            _("At most %(max)d registrations at once: narrow the filter.") % {"max": MAX_ROWS}
        )
    outcomes = []
    for registration in rows:
        unchanged = _unchanged(action, registration)
        if unchanged:
            outcomes.append(Outcome(registration, False, unchanged))
            continue
        try:
            _one(user, action, registration, reason)
        except ServiceError as error:
            outcomes.append(Outcome(registration, False, str(error.message)))
        else:
            outcomes.append(Outcome(registration, True))
    for number in missing:
        outcomes.append(Outcome(None, False, _("Not found among the registrations of this gathering."), number))
    return Summary(action, outcomes)
