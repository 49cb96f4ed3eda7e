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
from convoca.core.errors import PermissionDenied, ServiceError

from . import queries, services
from .models import Registration

ACTIONS = ("accredit", "confirm_mandate", "refuse", "invite")
MAX_ROWS = 5000  # "all that match" on the largest conference, with room to spare


@dataclasses.dataclass
class Outcome:
    registration: Registration | None
    done: bool
    message: str = ""
    number: int | None = None  # the id asked for, when there is no registration to show
    code: str = ""  # why a row was refused, for scripts: the service's error code, "unchanged" or "not_found"

    @property
    def pk(self):
        return self.registration.pk if self.registration is not None else self.number


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

    def as_dict(self):
        """The summary for the API and the command: every row asked for (those found in the order asked, then
        those not found), with why it was refused."""
        return {
            "action": self.action, "done": len(self.done), "refused": len(self.refused),
            "rows": [
                {"id": o.pk, "done": o.done, "code": o.code or None, "reason": str(o.message) or None}
                for o in self.outcomes
            ],
        }


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
    _check_action(action, reason)
    rows = list(registrations[: MAX_ROWS + 1])
    if len(rows) > MAX_ROWS:
        raise ServiceError(
            _("At most %(max)d registrations at once: narrow the filter.") % {"max": MAX_ROWS}
        )
    outcomes = []
    for registration in rows:
        unchanged = _unchanged(action, registration)
        if unchanged:
            outcomes.append(Outcome(registration, False, unchanged, code="unchanged"))
            continue
        try:
            _one(user, action, registration, reason)
        except ServiceError as error:
            outcomes.append(Outcome(registration, False, str(error.message), code=error.code))
        else:
            outcomes.append(Outcome(registration, True))
    for number in missing:
        outcomes.append(Outcome(
            None, False, _("Not found among the registrations of this gathering."), number, code="not_found"
        ))
    return Summary(action, outcomes)


def _check_action(action, reason):
    """The action and its reason, checked once before any row (a refusal without a reason would fail on each)."""
    if action not in ACTIONS:
        raise ServiceError(_("Choose what to do with the rows."), field="action")
    if action == "refuse":
        services.clean_refusal_reason(reason)


def _ids(ids):
    """The ids asked for, once each in their order; any that is not a whole number refuses the lot."""
    if isinstance(ids, (str, bytes)) or not hasattr(ids, "__iter__"):
        raise ServiceError(_("Give the numbers of the registrations as a list."), field="ids")
    wanted = []
    for value in ids:
        if isinstance(value, bool) or not isinstance(value, int):
            raise ServiceError(_("Give the numbers of the registrations as a list."), field="ids")
        wanted.append(value)
    return list(dict.fromkeys(wanted))


def act_on_ids(user, gathering, action, ids, *, reason=""):
    """``action`` on the registrations of ``gathering`` numbered ``ids`` (the rows ticked on the list page,
    the ids an API call or the ``bulk-registrations`` command names). The user must manage the gathering's
    list; then each row is decided by its single-row service, as in ``act_on``. Ids that are no registration
    of this gathering are reported as not found, row by row, like rows of another country."""
    if not user.has_perm("gatherings.list_registrations", gathering):
        raise PermissionDenied(_("Only the organisers of this gathering can see its registrations."))
    _check_action(action, reason)
    if action == "invite" and not user.has_perm("accounts.invite"):
        raise PermissionDenied(_("Only coordinators can invite people."))
    wanted = _ids(ids)
    if not wanted:
        raise ServiceError(_("Give the numbers of the registrations to act on."), field="ids", code="required")
    if len(wanted) > MAX_ROWS:
        raise ServiceError(
            _("At most %(max)d registrations at once: narrow the filter.") % {"max": MAX_ROWS}, field="ids",
            code="too_many",
        )
    storable = [pk for pk in wanted if 0 < pk < 2**63]  # beyond what the database holds: no such row
    found = {r.pk: r for r in queries.registrations_for(gathering).filter(pk__in=storable)} if storable else {}
    rows = [found[pk] for pk in wanted if pk in found]
    missing = [pk for pk in wanted if pk not in found]
    return act_on(user, action, rows, reason=reason, missing=missing)
