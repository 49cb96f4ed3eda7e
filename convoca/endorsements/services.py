"""Every write of endorsements: sign on, verify, withdraw, approve or reject, the coordinators' settings and
their CSV export. Views, the API and the CLI call these functions; emails go out after the commit."""

import csv
import io
import secrets

from django.core import signing
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from convoca.audit import services as audit
from convoca.core import events
from convoca.core.errors import NotFound, PermissionDenied, ServiceError
from convoca.core.tasks import enqueue_after_commit
from convoca.network.models import Sector, match_key

from . import queries
from .models import Endorsement, EndorsementSettings
from .tasks import send_verification

VERIFY_SALT = "convoca.endorsements.verify"
WITHDRAW_SALT = "convoca.endorsements.withdraw"
LINK_MAX_AGE = 14 * 86400  # a verification link works for two weeks
FORBIDDEN = "<>"  # no markup in a name: it would be shown escaped, but it is never what a name holds


def declaration_topic(declaration_id):
    return f"endorsements:{declaration_id}"


def _announce(declaration_id, country):
    """After the commit: the public counts of the declaration's endorsements changed (ids and the country only,
    nothing of the signer). A burst of sign-ons is heard at most once a second; the last one always is."""
    event = {"kind": "endorsements.changed", "declaration": declaration_id, "country": str(country)}
    transaction.on_commit(lambda: events.publish_throttled(declaration_topic(declaration_id), event,
                                                           key=f"endorsements:{declaration_id}"))


def settings_for(gathering):
    """The gathering's endorsement settings (unsaved defaults when the coordinators chose nothing yet)."""
    gathering_id = getattr(gathering, "pk", gathering)
    found = EndorsementSettings.objects.filter(gathering_id=gathering_id).first()
    return found or EndorsementSettings(gathering_id=gathering_id)


def change_settings(user, gathering, *, individuals_allowed, committee_approval):
    if not user.has_perm("endorsements.manage", gathering):
        raise PermissionDenied()
    with transaction.atomic():
        found, _created = EndorsementSettings.objects.update_or_create(
            gathering=gathering,
            defaults={"individuals_allowed": bool(individuals_allowed), "committee_approval": bool(committee_approval)},
        )
        audit.record(user, "endorsements.settings", gathering=gathering, target=found)
    return found


def _clean(value, field, limit):
    value = " ".join(str(value or "").split())
    if any(ch in value for ch in FORBIDDEN):
        raise ServiceError(_("Use letters, numbers and punctuation only: “<” and “>” are not allowed."), field=field)
    if len(value) > limit:
        raise ServiceError(_("This is too long."), field=field)
    return value


def sign_on(declaration, *, kind, organisation="", country, sector="", signatory, role="", email,
            show_signatory=False, language=None):
    """A new endorsement, unverified until its email's link is opened. Returns ``(endorsement, raw links)``;
    a second sign-on with the same email, or for the same organisation and country, is refused (it is the same
    endorsement: it is counted once)."""
    if declaration is None or not declaration.is_published:
        raise ServiceError(_("This declaration is not published: it cannot be endorsed yet."), code="unpublished")
    if kind not in Endorsement.Kind.values:
        raise ServiceError(_("Choose who endorses."), field="kind")
    if kind == Endorsement.Kind.INDIVIDUAL and not settings_for(declaration.gathering).individuals_allowed:
        raise ServiceError(_("Only organisations can endorse this declaration."), field="kind")
    organisation = _clean(organisation, "organisation", 200)
    signatory = _clean(signatory, "signatory", 120)
    role = _clean(role, "role", 120)
    email = _clean(email, "email", 254)
    if kind == Endorsement.Kind.ORGANISATION and not organisation:
        raise ServiceError(_("Give the organisation's name."), field="organisation")
    if kind == Endorsement.Kind.ORGANISATION and sector not in Sector.values:
        raise ServiceError(_("Choose the organisation's sector."), field="sector")
    if not signatory:
        raise ServiceError(_("Give the name of the person signing."), field="signatory")
    if "@" not in email:
        raise ServiceError(_("Give an email address where we can send the confirmation link."), field="email")
    if str(country or "") not in dict(countries):
        raise ServiceError(_("Choose a country from the list."), field="country")
    endorsement = Endorsement(
        declaration=declaration, kind=kind, country=country, signatory=signatory, role=role, email=email,
        email_key=email.lower(), show_signatory=bool(show_signatory), language=language or translation.get_language(),
        organisation=organisation if kind == Endorsement.Kind.ORGANISATION else "",
        organisation_key=match_key(organisation) if kind == Endorsement.Kind.ORGANISATION else "",
        sector=sector if kind == Endorsement.Kind.ORGANISATION else "",
        nonce=secrets.token_hex(16), withdraw_nonce=secrets.token_hex(16),
    )
    try:
        with transaction.atomic():
            endorsement.save()
            links = links_for(endorsement)
            enqueue_after_commit(send_verification, endorsement.pk)
    except IntegrityError:
        raise _duplicate(declaration, endorsement) from None
    return endorsement, links


def _duplicate(declaration, endorsement):
    if Endorsement.objects.filter(declaration=declaration, email_key=endorsement.email_key).exists():
        return ServiceError(
            _("An endorsement with this email is already recorded: it counts once. Look for our email to confirm it."),
            field="email", code="duplicate",
        )
    return ServiceError(
        _("This organisation has already endorsed the declaration for this country: it counts once."),
        field="organisation", code="duplicate",
    )


def links_for(endorsement):
    """The signed verification and withdrawal tokens of an endorsement (the email holds them; the database keeps
    only their nonces)."""
    verify = signing.dumps({"e": endorsement.pk, "n": endorsement.nonce}, salt=VERIFY_SALT, compress=True)
    withdraw = signing.dumps({"e": endorsement.pk, "n": endorsement.withdraw_nonce}, salt=WITHDRAW_SALT, compress=True)
    return verify, withdraw


def _read(token, salt, max_age=None):
    try:
        data = signing.loads(str(token or ""), salt=salt, max_age=max_age)
        return int(data["e"]), str(data["n"])
    except (signing.BadSignature, ValueError, TypeError, KeyError, UnicodeError):
        raise ServiceError(_("This link is not valid. Copy the whole link from the email."), code="bad_link") from None


def verify(token):
    """Open a verification link: once only. Public at once, or waiting for the national committee."""
    pk, nonce = _read(token, VERIFY_SALT, LINK_MAX_AGE)
    found = Endorsement.objects.select_related("declaration").filter(pk=pk).first()
    if found is None or not nonce:
        raise ServiceError(_("This link is not valid. Copy the whole link from the email."), code="bad_link")
    approval = settings_for(found.declaration.gathering_id).committee_approval
    state = Endorsement.State.PENDING if approval else Endorsement.State.PUBLIC
    now = timezone.now()
    with transaction.atomic():
        claimed = Endorsement.objects.filter(pk=pk, nonce=nonce, state=Endorsement.State.UNVERIFIED).update(
            state=state, nonce="", verified_at=now,
        )
        if claimed and state == Endorsement.State.PUBLIC:
            _announce(found.declaration_id, found.country)
    if not claimed:
        raise ServiceError(_("This link has already been used. Your endorsement is recorded."), code="used_link")
    found.state, found.nonce, found.verified_at = state, "", now
    return found


def withdraw(token):
    """The signer takes back their endorsement: the row is deleted, nothing of them is kept."""
    pk, nonce = _read(token, WITHDRAW_SALT)
    with transaction.atomic():
        found = Endorsement.objects.filter(pk=pk, withdraw_nonce=nonce).values("state", "declaration_id",
                                                                                "country").first()
        deleted, _rows = Endorsement.objects.filter(pk=pk, withdraw_nonce=nonce).delete()
        if deleted and found["state"] == Endorsement.State.PUBLIC:
            _announce(found["declaration_id"], found["country"])
    if not deleted:
        raise ServiceError(_("This endorsement has already been withdrawn."), code="withdrawn")
    return pk


def erase_signed_with(email):
    """A person's erasure (``personal_data.erase``): every endorsement made with ``email`` is deleted, and the
    public counts of the declarations that showed one of them are announced (as a withdrawal's are). The caller
    holds the transaction; the announcements go after its commit."""
    mine = queries.signed_with(email)
    shown = set(mine.filter(state=Endorsement.State.PUBLIC).values_list("declaration_id", "country"))
    deleted, _rows = mine.delete()
    for declaration_id, country in sorted(shown):
        _announce(declaration_id, country)
    return deleted


def decide(user, endorsement, *, approve):
    """The national committee of the endorsement's country (or a coordinator) approves or rejects it."""
    if not user.has_perm("endorsements.decide", endorsement):
        raise PermissionDenied()
    state = Endorsement.State.PUBLIC if approve else Endorsement.State.REJECTED
    with transaction.atomic():
        claimed = Endorsement.objects.filter(pk=endorsement.pk, state=Endorsement.State.PENDING).update(
            state=state, decided_at=timezone.now(), decided_by=user,
        )
        if not claimed:
            current = Endorsement.objects.filter(pk=endorsement.pk).values_list("state", flat=True).first()
            if current == state:
                endorsement.state = state
                return endorsement  # a retry changes nothing
            raise ServiceError(_("This endorsement is not waiting for a decision."), code="stale")
        audit.record(user, "endorsement.approved" if approve else "endorsement.rejected",
                     gathering=endorsement.declaration.gathering_id, target=endorsement)
        if approve:
            _announce(endorsement.declaration_id, endorsement.country)
    endorsement.state = state
    return endorsement


CSV_COLUMNS = ("id", "kind", "organisation", "country", "sector", "signatory", "role", "show_signatory", "email",
               "state", "created_at", "verified_at")


def _cell(value):
    """A spreadsheet must not read a cell as a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def export_csv(user, declaration):
    """Every endorsement of the declaration, for the coordinators; recorded in the audit trail."""
    if not user.has_perm("endorsements.export", declaration.gathering):
        raise PermissionDenied()
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    rows = Endorsement.objects.filter(declaration=declaration).order_by("pk").values_list(*CSV_COLUMNS)
    for row in rows.iterator(chunk_size=2000):
        writer.writerow([_cell(v) for v in row])
    with transaction.atomic():
        audit.record(user, "endorsements.exported", gathering=declaration.gathering_id, target=declaration)
    return out.getvalue()


def get(pk, declaration):
    found = Endorsement.objects.filter(pk=pk, declaration=declaration).first()
    if found is None:
        raise NotFound()
    return found
