"""Every write of the gatherings app. Views, API and CLI call these functions;
each takes the acting user, checks the rules, runs in a transaction and claims
rows with conditional updates where two people could act at once.

Refusals raise ``ServiceError`` (400), ``PermissionDenied`` (403) or
``NotFound`` (404) with a translated message.
"""

import dataclasses
import datetime as dt

from django.core import signing
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator, validate_slug
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from convoca.audit import services as audit
from convoca.core.bulk import CREATE, SKIP, UPDATE, BulkPlan, RowOutcome, chunks, conflict_error, row_number
from convoca.core.errors import PermissionDenied, ServiceError
from convoca.core.roles import is_coordinator
from convoca.network import services as network_services
from convoca.network.models import Membership, Person
from convoca.network.rules import committee_countries
from convoca.texts import languages
from convoca.texts import services as text_services

from . import notifications
from .models import Gathering, Registration, new_nonce

BADGE_SALT = "convoca.gatherings.badge"
# Slugs that would shadow a page under /gatherings/.
RESERVED_SLUGS = frozenset({"new", "mandates"})
GATHERING_FIELDS = (
    "kind", "slug", "title", "country", "starts_on", "ends_on", "place", "online_url", "description",
    "registration_open", "original_language",
)
SCOPE_FIELDS = ("kind", "country")  # only coordinators change these
MAX_REASON = 1000


# --- gatherings -----------------------------------------------------------------


def _clean_gathering_values(values):
    clean = dict(values)
    for name in ("kind", "slug", "title", "country", "place", "online_url", "description"):
        if name in clean:
            clean[name] = str(clean[name] or "").strip()
    if "slug" in clean:
        clean["slug"] = clean["slug"].lower()
    if "country" in clean:
        clean["country"] = clean["country"].upper()
    if "registration_open" in clean:
        clean["registration_open"] = bool(clean["registration_open"])
    if "original_language" in clean:
        language = clean["original_language"]
        language = language.strip().lower() if isinstance(language, str) else language
        if language in (None, ""):
            clean.pop("original_language")  # not said: the author's language (create), unchanged (update)
        else:
            clean["original_language"] = language
    return clean


def gathering_problems(values, instance=None):
    """Every problem with the (merged) field values of a gathering, as a list of
    ``ServiceError`` (field + translated message). Forms show them all at once;
    the services raise the first."""
    problems = []
    kind = values.get("kind")
    if kind not in Gathering.Kind.values:
        problems.append(ServiceError(_("Choose the kind of gathering."), field="kind"))
    slug = values.get("slug") or ""
    if not slug:
        problems.append(ServiceError(_("Enter a short name for the address of the page."), field="slug"))
    else:
        try:
            validate_slug(slug)
        except ValidationError:
            problems.append(
                ServiceError(_("Use only letters, numbers, hyphens and underscores in the short name."), field="slug")
            )
        else:
            if len(slug) > Gathering._meta.get_field("slug").max_length:
                problems.append(ServiceError(_("The short name is too long."), field="slug"))
            elif slug in RESERVED_SLUGS:
                problems.append(ServiceError(_("This short name is reserved. Choose another one."), field="slug"))
            else:
                taken = Gathering.objects.filter(slug=slug)
                if instance is not None:
                    taken = taken.exclude(pk=instance.pk)
                if taken.exists():
                    problems.append(
                        ServiceError(_("Another gathering already uses this short name. Choose another one."), field="slug")
                    )
    title = values.get("title") or ""
    if not title:
        problems.append(ServiceError(_("Enter a title."), field="title"))
    elif len(title) > 200:
        problems.append(ServiceError(_("The title is too long (200 characters at most)."), field="title"))
    country = values.get("country") or ""
    if country and country not in countries:
        problems.append(ServiceError(_("Choose a country from the list."), field="country"))
    elif kind == Gathering.Kind.PREPARATORY and not country:
        problems.append(ServiceError(_("A national preparatory meeting needs a country."), field="country"))
    starts_on, ends_on = values.get("starts_on"), values.get("ends_on")
    if not isinstance(starts_on, dt.date):
        problems.append(ServiceError(_("Enter the date the gathering starts."), field="starts_on"))
    if not isinstance(ends_on, dt.date):
        problems.append(ServiceError(_("Enter the date the gathering ends."), field="ends_on"))
    elif isinstance(starts_on, dt.date) and ends_on < starts_on:
        problems.append(ServiceError(_("The end date must be on or after the start date."), field="ends_on"))
    place, online_url = values.get("place") or "", values.get("online_url") or ""
    if len(place) > 200:
        problems.append(ServiceError(_("The place is too long (200 characters at most)."), field="place"))
    if online_url:
        try:
            URLValidator(schemes=["https", "http"])(online_url)
        except ValidationError:
            problems.append(
                ServiceError(_("Enter the full address of the online room, starting with https://"), field="online_url")
            )
    if not place and not online_url:
        problems.append(ServiceError(_("Give a place, an online room, or both."), field="place"))
    language = values.get("original_language")
    if language not in (None, "") and language not in languages.codes():
        problems.append(ServiceError(
            _("Choose one of the languages: %(choices)s.") % {"choices": ", ".join(languages.codes())},
            field="original_language",
        ))
    return problems


def create_gathering(
    user, *, kind, slug, title, starts_on, ends_on, country="", place="", online_url="", description="",
    registration_open=True, original_language=None,
):
    """Coordinators create the conference and the national preparatory meetings.
    The title and description are written in ``original_language`` (the
    author's language when not given); translators add the other languages."""
    if not user.has_perm("gatherings.add_gathering"):
        raise PermissionDenied(_("Only coordinators can create gatherings."))
    values = _clean_gathering_values(
        {
            "kind": kind, "slug": slug, "title": title, "country": country, "starts_on": starts_on, "ends_on": ends_on,
            "place": place, "online_url": online_url, "description": description, "registration_open": registration_open,
            "original_language": original_language,
        }
    )
    problems = gathering_problems(values)
    if problems:
        raise problems[0]
    values["original_language"] = text_services.clean_original_language(values.get("original_language"))
    try:
        with transaction.atomic():
            gathering = Gathering.objects.create(**values)
            text_services.record_original(gathering)
            audit.record(user, "gathering.created", gathering=gathering, target=gathering)
            return gathering
    except IntegrityError:
        raise ServiceError(_("Another gathering already uses this short name. Choose another one."), field="slug") from None


def update_gathering(user, gathering, **changes):
    """Coordinators edit any gathering; a national committee edits its own
    preparatory meeting but cannot change its kind or country."""
    unknown = set(changes) - set(GATHERING_FIELDS)
    if unknown:
        raise TypeError(f"unknown gathering fields: {sorted(unknown)}")
    if not user.has_perm("gatherings.change_gathering", gathering):
        raise PermissionDenied(
            _("Only coordinators, and the national committee for its own preparatory meeting, can edit this gathering.")
        )
    changes = _clean_gathering_values(changes)
    changed = {name: value for name, value in changes.items() if getattr(gathering, name) != value}
    if any(name in SCOPE_FIELDS for name in changed) and not user.has_perm("gatherings.change_gathering_scope"):
        raise PermissionDenied(_("Only coordinators can change the kind or the country of a gathering."))
    if not changed:
        return gathering
    merged = {name: getattr(gathering, name) for name in GATHERING_FIELDS}
    merged["country"] = str(merged["country"] or "")
    merged.update(changed)
    problems = gathering_problems(merged, instance=gathering)
    if problems:
        raise problems[0]
    previous = {name: getattr(gathering, name) for name in (*Gathering.TRANSLATABLE_FIELDS, "original_language")}
    for name, value in changed.items():
        setattr(gathering, name, value)
    try:
        with transaction.atomic():
            gathering.save(update_fields=list(changed))
            # A new title or description: the translations of the earlier text become outdated.
            text_services.record_original_change(gathering, changed, previous=previous)
            audit.record(user, "gathering.changed", gathering=gathering, target=gathering, note=", ".join(sorted(changed)))
    except IntegrityError:
        raise ServiceError(_("Another gathering already uses this short name. Choose another one."), field="slug") from None
    return gathering


# --- registration -----------------------------------------------------------------


def registration_is_open(gathering):
    return gathering.registration_open and gathering.ends_on >= timezone.localdate()


def mandate_for(role):
    """Delegates wait for their organisation to confirm the mandate; others need none."""
    return Registration.Mandate.PENDING if role == Registration.Role.DELEGATE else Registration.Mandate.NOT_REQUIRED


def registration_problem(gathering, role, organisation, *, own=True):
    """The rules of a registration's role and organisation, or None when they
    fit: a known role; a delegate represents an organisation, one of the
    meeting's country at a national preparatory meeting. ``register`` asks with
    ``own`` (the messages speak to the person registering), ``bulk_register``
    without (they speak to the organiser)."""
    if role not in Registration.Role.values:
        if own:
            return ServiceError(_("Choose how you take part."), field="role")
        return ServiceError(_("Choose one of: %(choices)s.") % {
            "choices": ", ".join(str(label) for label in Registration.Role.labels)}, field="role")
    if role != Registration.Role.DELEGATE:
        return None
    if organisation is None:
        message = _("Choose the organisation you represent as a delegate.") if own else _(
            "a delegate needs an organisation")
        return ServiceError(message, field="organisation", code="no_organisation")
    if gathering.kind == Gathering.Kind.PREPARATORY and organisation.country != gathering.country:
        return ServiceError(
            _("Delegates to this national meeting represent organisations from %(country)s.")
            % {"country": gathering.country.name},
            field="organisation", code="wrong_country",
        )
    return None


def register(user, gathering, *, role, organisation=None):
    """A member registers *themselves*: as delegate of an organisation they
    belong to (mandate then waits for confirmation), as observer, or as guest."""
    if not user.has_perm("gatherings.register", gathering):
        raise PermissionDenied(_("Log in to register."))
    person = Person.objects.filter(user=user).first()
    if person is None:
        raise ServiceError(
            _("Your account is not linked to a person in the registry yet. Ask a coordinator to link it."),
            code="no_person",
        )
    if not registration_is_open(gathering):
        raise ServiceError(_("Registration for this gathering is closed."), code="closed")
    problem = registration_problem(gathering, role, organisation)
    if problem is not None:
        raise problem
    if organisation is not None and not Membership.objects.filter(person=person, organisation=organisation).exists():
        raise ServiceError(
            _("You are not a member of this organisation, so you cannot register on its behalf."),
            field="organisation", code="not_a_member",
        )
    already = ServiceError(_("You are already registered for this gathering."), code="already_registered")
    if Registration.objects.filter(gathering=gathering, person=person).exists():
        raise already
    try:
        with transaction.atomic():
            return Registration.objects.create(
                gathering=gathering, person=person, role=role, organisation=organisation, mandate=mandate_for(role)
            )
    except IntegrityError:  # a double submit raced past the check above
        raise already from None


# --- registering many people at once (imports) -----------------------------------------


def _registrations_of(person_ids, gathering_ids):
    found = {}
    if not person_ids or not gathering_ids:
        return found
    for chunk in chunks(person_ids, reserve=len(gathering_ids)):
        queryset = Registration.objects.filter(person_id__in=chunk, gathering_id__in=gathering_ids).only(
            "id", "gathering_id", "person_id", "role", "organisation_id", "status", "mandate", "mandate_decided_by",
            "mandate_decided_at",
        ).order_by()
        for registration in queryset:
            found[(registration.gathering_id, registration.person_id)] = registration
    return found


REGISTRATION_UPDATE_FIELDS = ["role", "organisation", "mandate", "mandate_decided_by", "mandate_decided_at"]


def plan_registrations(user, gathering, rows):
    """What ``bulk_register`` would do with ``rows``; writes nothing.

    Each row: ``person`` (a ``Person``, or a ``network.services.NewPerson``
    about to be created), ``role``, ``organisation`` (an ``Organisation`` or
    None) and optionally its own ``gathering`` (else ``gathering``). The rules
    are those of ``register`` (``registration_problem``). An organiser speaks
    for the organisation here, so a person who is not yet a member of the
    organisation they represent is added as one (as ``register`` only accepts
    members). Someone already registered: a registration still requested takes
    the row's role and organisation, and its mandate starts again (a mandate
    confirmed for one role or organisation does not carry over); one
    accredited or refused is left alone (skipped, reason "decided"). Whether
    the registration form is still open does not matter here: organisers
    register people after it closes."""
    plan = BulkPlan(writes={"creates": [], "updates": []})
    allowed, checked, seen = set(), [], {}
    for index, row in enumerate(rows):
        number = row_number(row, index)
        target = row.get("gathering") or gathering
        if target is None:
            raise TypeError("bulk_register: a row without a gathering")
        if target.pk not in allowed:
            # Registering other people is managing the gathering's registrations.
            if user is None or not user.has_perm("gatherings.change_gathering", target):
                raise PermissionDenied()
            allowed.add(target.pk)
        person, role, organisation = row.get("person"), row.get("role"), row.get("organisation")
        if person is None:
            plan.problem(number, ServiceError(_("Choose a person."), field="person", code="required"))
            continue
        problem = registration_problem(target, role, organisation, own=False)
        if problem is not None:
            plan.problem(number, problem)
            continue
        key = (target.pk, network_services.person_key(person))
        if key in seen:
            plan.problem(number, ServiceError(
                _("the same person and gathering as row %(row)s") % {"row": seen[key]}, field="person",
                code="duplicate"))
            continue
        seen[key] = number
        checked.append((number, target, person, role, organisation))

    current = _registrations_of({person.pk for _n, _t, person, *_rest in checked if person.pk is not None},
                                {target.pk for _n, target, *_rest in checked})
    pairs = []
    for number, target, person, role, organisation in checked:
        org_id = organisation.pk if organisation is not None else None
        values = {"gathering": target, "person": person, "role": role, "organisation": organisation}
        registration = current.get((target.pk, person.pk)) if person.pk is not None else None
        if registration is None:
            plan.writes["creates"].append((target, person, role, org_id))
            plan.outcomes.append(RowOutcome(number, CREATE, None, changes=values))
        elif registration.role == role and registration.organisation_id == org_id:
            plan.outcomes.append(RowOutcome(number, SKIP, registration, reason="unchanged"))
            continue
        elif registration.status != Registration.Status.REQUESTED:
            plan.outcomes.append(RowOutcome(number, SKIP, registration, reason="decided"))
            continue
        else:
            registration.role, registration.organisation_id = role, org_id
            registration.mandate, registration.mandate_decided_by, registration.mandate_decided_at = (
                mandate_for(role), None, None)
            plan.writes["updates"].append(registration)
            plan.outcomes.append(RowOutcome(number, UPDATE, registration, changes=values))
        if organisation is not None:
            pairs.append((person, organisation))
    if pairs:
        plan.memberships = network_services.plan_memberships(user, pairs)
    return plan


def bulk_register(user, gathering, rows):
    """Register many people at once (an organiser's import), all or nothing:
    the rules of ``register`` for each row (see ``plan_registrations``), the
    memberships it needs added through the registry's own service, one query
    per kind of record per chunk of rows. Every person must be saved already.
    Returns the ``BulkPlan`` done; raises ``RowProblems`` listing every
    problem, or ``PermissionDenied``."""
    with transaction.atomic():
        plan = plan_registrations(user, gathering, rows)
        plan.raise_problems()
        creates, updates = plan.writes["creates"], plan.writes["updates"]
        if any(person.pk is None for _target, person, _role, _org in creates):
            raise TypeError("bulk_register: save the people first")
        if plan.memberships:
            network_services.bulk_add_memberships(user, plan.memberships)
        try:
            with transaction.atomic():
                created = Registration.objects.bulk_create([
                    Registration(gathering_id=target.pk, person_id=person.pk, role=role, organisation_id=org_id,
                                 mandate=mandate_for(role))
                    for target, person, role, org_id in creates
                ])
                # Only registrations nobody decided on meanwhile.
                requested = Registration.objects.filter(status=Registration.Status.REQUESTED)
                if updates and requested.bulk_update(updates, REGISTRATION_UPDATE_FIELDS) != len(updates):
                    raise conflict_error()
        except IntegrityError:
            raise conflict_error() from None
    created = iter(created)
    for outcome in plan.outcomes:
        if outcome.action == CREATE:
            outcome.record = next(created)
    return plan


def _reload(registration):
    return Registration.objects.select_related("gathering", "person", "organisation").get(pk=registration.pk)


def _decide_mandate(user, registration, to):
    if not user.has_perm("gatherings.confirm_mandate", registration):
        raise PermissionDenied(
            _("Only the organisation's contact person, its national committee or a coordinator can decide this mandate.")
        )
    if registration.role != Registration.Role.DELEGATE:
        raise ServiceError(_("Only delegates have a mandate to confirm."), code="not_a_delegate")
    M, S = Registration.Mandate, Registration.Status
    now = timezone.now()
    with transaction.atomic():
        rows = Registration.objects.filter(pk=registration.pk, role=Registration.Role.DELEGATE)
        if to == M.CONFIRMED:
            rows = rows.filter(mandate__in=[M.PENDING, M.REJECTED])
        else:  # an accredited delegate keeps the mandate the accreditation relied on
            rows = rows.filter(mandate__in=[M.PENDING, M.CONFIRMED]).exclude(status=S.ACCREDITED)
        if rows.update(mandate=to, mandate_decided_by=user, mandate_decided_at=now):
            registration.mandate, registration.mandate_decided_by, registration.mandate_decided_at = to, user, now
            audit.record(user, f"mandate.{to}", gathering=registration.gathering_id, target=registration)
            notifications.notify(registration, f"mandate_{to}")
            return registration
        current = _reload(registration)
        if current.mandate == to:
            return current  # already decided this way: a retry changes nothing
        if current.status == S.ACCREDITED:
            raise ServiceError(
                _("This delegate is already accredited. Refuse the accreditation first, then reject the mandate."),
                code="already_accredited",
            )
        raise ServiceError(_("This registration changed meanwhile. Reload the page and try again."), code="conflict")


def confirm_mandate(user, registration):
    return _decide_mandate(user, registration, Registration.Mandate.CONFIRMED)


def reject_mandate(user, registration):
    return _decide_mandate(user, registration, Registration.Mandate.REJECTED)


def _check_accredit_perm(user, registration):
    if not user.has_perm("gatherings.accredit", registration):
        if registration.person.user_id == user.pk:
            raise PermissionDenied(_("You cannot decide on your own registration. Ask another organiser."))
        if registration.gathering.is_conference:
            raise PermissionDenied(_("Only coordinators can accredit participants of the continental conference."))
        raise PermissionDenied(
            _("Only coordinators and the national committee of %(country)s can accredit participants of this meeting.")
            % {"country": registration.gathering.country.name}
        )


def accredit(user, registration):
    """requested/refused -> accredited. A delegate needs a confirmed mandate."""
    _check_accredit_perm(user, registration)
    S = Registration.Status
    now = timezone.now()
    with transaction.atomic():
        rows = Registration.objects.filter(pk=registration.pk, status__in=[S.REQUESTED, S.REFUSED])
        rows = rows.filter(~Q(role=Registration.Role.DELEGATE) | Q(mandate=Registration.Mandate.CONFIRMED))
        if rows.update(status=S.ACCREDITED, refusal_reason="", decided_by=user, decided_at=now):
            audit.record(user, "registration.accredited", gathering=registration.gathering_id, target=registration)
            notifications.notify(registration, "accredited")
            registration.status, registration.refusal_reason = S.ACCREDITED, ""
            registration.decided_by, registration.decided_at = user, now
            return registration
        current = _reload(registration)
        if current.status == S.ACCREDITED:
            return current  # already accredited: a retry changes nothing
        if current.role == Registration.Role.DELEGATE and current.mandate != Registration.Mandate.CONFIRMED:
            raise ServiceError(
                _(
                    "A delegate cannot be accredited until the organisation confirms the mandate "
                    "(its contact person, its national committee or a coordinator)."
                ),
                code="mandate_not_confirmed",
            )
        raise ServiceError(_("This registration changed meanwhile. Reload the page and try again."), code="conflict")


def clean_refusal_reason(reason):
    """The reason for a refusal, which the person will read: required, at most ``MAX_REASON`` characters."""
    reason = (reason or "").strip()
    if not reason:
        raise ServiceError(
            _("Give the reason for the refusal. The person will see it."), field="reason", code="reason_required"
        )
    if len(reason) > MAX_REASON:
        raise ServiceError(
            _("The reason is too long (%(max)d characters at most).") % {"max": MAX_REASON}, field="reason"
        )
    return reason


def refuse(user, registration, reason):
    """Any status -> refused, with a reason the person will read. Also withdraws
    an accreditation: the badge then no longer admits."""
    _check_accredit_perm(user, registration)
    reason = clean_refusal_reason(reason)
    now = timezone.now()
    with transaction.atomic():
        rows = Registration.objects.filter(pk=registration.pk)
        news = rows.exclude(status=Registration.Status.REFUSED, refusal_reason=reason).exists()  # a retry: no email
        if not rows.update(status=Registration.Status.REFUSED, refusal_reason=reason, decided_by=user, decided_at=now):
            raise ServiceError(_("This registration no longer exists."), code="conflict")
        audit.record(user, "registration.refused", gathering=registration.gathering_id, target=registration)
        if news:
            notifications.notify(registration, "refused")
    registration.status, registration.refusal_reason = Registration.Status.REFUSED, reason
    registration.decided_by, registration.decided_at = user, now
    return registration


# --- badges and check-in -------------------------------------------------------------


def _check_badge_perm(user, registration):
    if not user.has_perm("gatherings.manage_badge", registration):
        raise PermissionDenied(_("Only the organisers of this gathering can revoke or re-issue badges."))


def revoke_badge(user, registration):
    """The badge stops admitting: its nonce is rotated, so the old token is dead."""
    _check_badge_perm(user, registration)
    now = timezone.now()
    nonce = new_nonce()
    with transaction.atomic():
        rows = Registration.objects.filter(pk=registration.pk, badge_revoked_at__isnull=True)
        if rows.update(badge_revoked_at=now, badge_nonce=nonce):
            audit.record(user, "badge.revoked", gathering=registration.gathering_id, target=registration)
            registration.badge_revoked_at, registration.badge_nonce = now, nonce
            return registration
    return _reload(registration)  # already revoked


def reissue_badge(user, registration):
    """A new badge (new nonce) for an accredited participant; any earlier token stops admitting."""
    _check_badge_perm(user, registration)
    nonce = new_nonce()
    with transaction.atomic():
        rows = Registration.objects.filter(pk=registration.pk, status=Registration.Status.ACCREDITED)
        if not rows.update(badge_revoked_at=None, badge_nonce=nonce):
            raise ServiceError(_("Only accredited participants have a badge."), code="not_accredited")
        audit.record(user, "badge.reissued", gathering=registration.gathering_id, target=registration)
    registration.badge_revoked_at, registration.badge_nonce = None, nonce
    return registration


def badge_token(registration):
    """The signed text carried by the QR code. Unguessable without SECRET_KEY;
    rotating ``badge_nonce`` (revoke / re-issue) kills earlier tokens."""
    if not registration.badge_is_valid:
        raise ServiceError(_("This registration has no valid badge."), code="no_badge")
    payload = {"r": registration.pk, "g": registration.gathering_id, "n": registration.badge_nonce}
    return signing.dumps(payload, salt=BADGE_SALT)


def read_badge_token(token):
    """The payload of a badge token, or ServiceError when it is not one of ours."""
    invalid = ServiceError(
        _("This is not a valid badge: the code is damaged or forged."), field="token", code="invalid_token"
    )
    try:
        payload = signing.loads(token, salt=BADGE_SALT)
    except (signing.BadSignature, ValueError, TypeError, UnicodeError):
        raise invalid from None
    if not (
        isinstance(payload, dict)
        and isinstance(payload.get("r"), int)
        and isinstance(payload.get("g"), int)
        and isinstance(payload.get("n"), str)
    ):
        raise invalid
    return payload


@dataclasses.dataclass
class CheckIn:
    registration: Registration
    admitted: bool  # True: checked in now; False: had already checked in
    checked_in_at: dt.datetime

    @property
    def already(self):
        return not self.admitted


def check_in(user, gathering, token):
    """Admit the holder of a badge token at the door of ``gathering``.

    Returns a ``CheckIn`` (``already`` when scanned before: not an error).
    Raises ``ServiceError`` with code invalid_token / other_gathering /
    unknown_badge / revoked_badge / not_accredited, each with a message for
    the door staff."""
    if not user.has_perm("gatherings.check_in", gathering):
        raise PermissionDenied(_("Only the organisers of this gathering can check people in."))
    token = "".join((token or "").split())  # scanners add newlines; pasting adds spaces
    if not token:
        raise ServiceError(_("Scan a badge or paste its code."), field="token", code="empty_token")
    if len(token) > 500:
        raise ServiceError(
            _("This is not a valid badge: the code is damaged or forged."), field="token", code="invalid_token"
        )
    payload = read_badge_token(token)
    if payload["g"] != gathering.pk:
        other = Gathering.objects.filter(pk=payload["g"]).values_list("title", flat=True).first()
        if other:
            message = _("Wrong gathering: this badge is for “%(title)s”.") % {"title": other}
        else:
            message = _("Wrong gathering: this badge is not for this gathering.")
        raise ServiceError(message, field="token", code="other_gathering")
    S = Registration.Status
    with transaction.atomic():
        registration = (
            Registration.objects.select_related("gathering", "person", "organisation")
            .filter(pk=payload["r"], gathering=gathering)
            .first()
        )
        if registration is None:
            raise ServiceError(_("This badge is no longer valid."), field="token", code="unknown_badge")
        if registration.badge_nonce != payload["n"] or registration.badge_revoked_at is not None:
            raise ServiceError(
                _("This badge has been revoked. The participant should ask the registration desk for a new one."),
                field="token", code="revoked_badge",
            )
        if registration.status != S.ACCREDITED:
            raise ServiceError(
                _("This participant is not accredited for this gathering."), field="token", code="not_accredited"
            )
        now = timezone.now()
        claimed = Registration.objects.filter(
            pk=registration.pk, gathering=gathering, status=S.ACCREDITED, badge_nonce=payload["n"],
            badge_revoked_at__isnull=True, checked_in_at__isnull=True,
        ).update(checked_in_at=now)
        if claimed:
            audit.record(user, "registration.checked_in", gathering=gathering, target=registration)
            registration.checked_in_at = now
            return CheckIn(registration, admitted=True, checked_in_at=now)
        registration.refresh_from_db(fields=["status", "badge_nonce", "badge_revoked_at", "checked_in_at"])
        if registration.checked_in_at is not None and registration.badge_is_valid:
            return CheckIn(registration, admitted=False, checked_in_at=registration.checked_in_at)
        raise ServiceError(_("This badge changed meanwhile. Scan it again."), field="token", code="conflict")


# --- messages to participants -----------------------------------------------------------

MAX_SUBJECT = 150
MAX_MESSAGE = 5000


def message_recipients(user, gathering, *, statuses=(), roles=(), countries=()):
    """The registrations a message from ``user`` reaches: a coordinator's, every one that matches; a national
    committee's, those of its own preparatory meeting, else those of organisations of its countries.
    ``countries`` are organisations' countries. Unknown codes raise a ServiceError."""
    R = Registration
    statuses, roles, countries = list(statuses or ()), list(roles or ()), [str(c).upper() for c in countries or ()]
    if any(s not in R.Status.values for s in statuses):
        raise ServiceError(_("Choose statuses from the list."), field="statuses")
    if any(r not in R.Role.values for r in roles):
        raise ServiceError(_("Choose roles from the list."), field="roles")
    if any(c not in countries_by_code() for c in countries):
        raise ServiceError(_("Choose countries from the list."), field="countries")
    rows = R.objects.filter(gathering=gathering, person__erased_at__isnull=True)
    if not is_coordinator(user):
        own = committee_countries(user)
        if not (gathering.kind == Gathering.Kind.PREPARATORY and gathering.country.code in own):
            if any(c not in own for c in countries):
                raise PermissionDenied(_("A national committee writes only to the participants of its own country."))
            rows = rows.filter(organisation__country__in=own)
    if statuses:
        rows = rows.filter(status__in=statuses)
    if roles:
        rows = rows.filter(role__in=roles)
    if countries:
        rows = rows.filter(organisation__country__in=countries)
    return rows


def countries_by_code():
    return dict(countries)


def message_participants(user, gathering, *, subject, body, statuses=(), roles=(), countries=()):
    """Write to the participants who match the filters: an email each, in batches through django-tasks after
    commit, with an unsubscribe link (honoured). Returns how many people it goes to. The audit keeps who
    wrote and to how many, not the text."""
    if not user.has_perm("gatherings.message_participants", gathering):
        raise PermissionDenied(_("Only coordinators and national committees can write to participants."))
    subject = " ".join((subject or "").split())
    body = (body or "").strip()
    if not subject:
        raise ServiceError(_("Write a subject."), field="subject")
    if len(subject) > MAX_SUBJECT:
        raise ServiceError(_("The subject is too long (%(max)d characters at most).") % {"max": MAX_SUBJECT},
                           field="subject")
    if not body:
        raise ServiceError(_("Write the message."), field="body")
    if len(body) > MAX_MESSAGE:
        raise ServiceError(_("The message is too long (%(max)d characters at most).") % {"max": MAX_MESSAGE},
                           field="body")
    person_ids = list(message_recipients(
        user, gathering, statuses=statuses, roles=roles, countries=countries
    ).values_list("person_id", flat=True))
    if not person_ids:
        raise ServiceError(_("Nobody matches these filters: nothing was sent."), code="no_recipients")
    with transaction.atomic():
        audit.record(user, "gathering.message_sent", gathering=gathering, note=str(len(person_ids)))
        notifications.send_message(gathering, person_ids, subject, body)
    return len(person_ids)
