"""Every write of the accounts app. Views, API and CLI call these functions;
each checks permissions itself and raises ``ServiceError`` (or a subclass)
with a translated message."""

import datetime as dt

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from convoca.core.errors import NotFound, PermissionDenied, ServiceError
from convoca.network.models import NationalCommittee, Person, Visibility
from convoca.network.services import clean_languages

from .models import ApiToken, Invitation, User, hash_token, new_token
from .tasks import send_invitation_email

MAX_ACTIVE_TOKENS = 20
TOKEN_PREFIX = "cvk_"
PROFILE_TEXT_FIELDS = ("display_name", "full_name", "languages")
PROFILE_FIELDS = frozenset(PROFILE_TEXT_FIELDS + tuple(f"{f}_visibility" for f in Person.VISIBLE_FIELDS))


class Gone(ServiceError):
    """The thing existed but can no longer be used (an expired invitation)."""

    status = 410

    def __init__(self, message, field=None, code="gone"):
        super().__init__(message, field, code)


def _normalise_email(email):
    email = (email or "").strip().lower()
    try:
        if len(email) > 254:
            raise ValidationError("too long")
        validate_email(email)
    except ValidationError:
        raise ServiceError(_("Enter an email address like name@example.org."), field="email") from None
    return email


def _as_id(value):
    """A primary key from user input; junk becomes an id that matches nothing."""
    try:
        value = int(value)
    except (TypeError, ValueError):
        return 0
    return value if 0 < value < 2**63 else 0  # beyond BIGINT the database would raise


def _account_exists(email):
    return User.objects.filter(email=email).exists()


# --- invitations -----------------------------------------------------------------


def invite(user, email, role, committee=None, language=None):
    """Create an invitation and email its single-use link (after commit).
    Returns the ``Invitation``; the raw token only travels in the email."""
    if not user.has_perm("accounts.invite"):
        raise PermissionDenied(_("Only coordinators can invite people."))
    email = _normalise_email(email)
    if role not in Invitation.Role.values:
        raise ServiceError(_("Choose a role."), field="role")
    if role == Invitation.Role.COMMITTEE:
        if committee is None:
            raise ServiceError(_("Choose the national committee."), field="committee")
        if not isinstance(committee, NationalCommittee):
            committee = NationalCommittee.objects.filter(pk=_as_id(committee)).first()
            if committee is None:
                raise ServiceError(_("Choose the national committee."), field="committee")
    else:
        committee = None
    languages = [code for code, _name in settings.LANGUAGES]
    language = language or get_language()
    if language not in languages:
        language = settings.LANGUAGE_CODE

    raw = new_token()
    now = timezone.now()
    with transaction.atomic():
        if _account_exists(email):
            raise ServiceError(_("This person already has an account: they can log in."), field="email")
        pending = Invitation.objects.filter(
            email=email, accepted_at__isnull=True, revoked_at__isnull=True, expires_at__gt=now
        )
        if pending.exists():
            raise ServiceError(
                _("This email already has an invitation waiting. Withdraw it first to send a new one."),
                field="email",
            )
        invitation = Invitation.objects.create(
            email=email,
            role=role,
            committee=committee,
            language=language,
            token_hash=hash_token(raw),
            created_by=user,
            expires_at=now + dt.timedelta(days=settings.INVITATION_DAYS),
        )
        transaction.on_commit(lambda: send_invitation_email.enqueue(invitation.pk, raw))
    return invitation


def revoke_invitation(user, invitation_id):
    """Withdraw an invitation so its link stops working. Idempotent."""
    if not user.has_perm("accounts.invite"):
        raise PermissionDenied(_("Only coordinators can withdraw invitations."))
    with transaction.atomic():
        invitation_id = _as_id(invitation_id)
        Invitation.objects.filter(pk=invitation_id, revoked_at__isnull=True, accepted_at__isnull=True).update(
            revoked_at=timezone.now()
        )
        invitation = Invitation.objects.filter(pk=invitation_id).first()
        if invitation is None:
            raise NotFound(_("This invitation does not exist."))
        if invitation.accepted_at is not None:
            raise ServiceError(_("This invitation has already been accepted: the account exists."))
    return invitation


def usable_invitation(raw_token):
    """The invitation for a raw token, or ``NotFound`` / ``Gone``. Writes nothing."""
    invitation = (
        Invitation.objects.select_related("committee").filter(token_hash=hash_token(raw_token or "")).first()
    )
    if invitation is None:
        raise NotFound(_("This invitation link is not valid. Check that you copied all of it."))
    if invitation.accepted_at is not None:
        raise Gone(_("This invitation has already been used. If you accepted it, log in with your email."),
                   code="accepted")
    if invitation.revoked_at is not None:
        raise Gone(_("This invitation has been withdrawn. Ask a coordinator for a new one."), code="revoked")
    if invitation.expires_at <= timezone.now():
        raise Gone(_("This invitation has expired. Ask a coordinator for a new one."), code="expired")
    return invitation


def _clean_display_name(display_name):
    display_name = " ".join((display_name or "").split())
    if not display_name:
        raise ServiceError(_("Enter the name others will know you by."), field="display_name")
    if len(display_name) > Person._meta.get_field("display_name").max_length:
        raise ServiceError(_("Use a shorter name."), field="display_name")
    return display_name


def accept_invitation(raw_token, display_name, password):
    """Create the account the invitation was for, with its role, and return
    the new ``User``. The invitation is claimed with a conditional update, so a
    double submit creates one account at most; any refusal writes nothing."""
    invitation = usable_invitation(raw_token)
    display_name = _clean_display_name(display_name)
    try:
        validate_password(password, user=User(email=invitation.email))
    except ValidationError as exc:
        raise ServiceError(" ".join(exc.messages), field="password") from None

    with transaction.atomic():
        if _account_exists(invitation.email):
            raise ServiceError(
                _("An account with this email already exists. Log in, or reset your password if you forgot it."),
                code="account_exists",
            )
        now = timezone.now()
        claimed = Invitation.objects.filter(
            pk=invitation.pk, accepted_at__isnull=True, revoked_at__isnull=True, expires_at__gt=now
        ).update(accepted_at=now)
        if not claimed:
            raise Gone(_("This invitation has already been used or is no longer valid."))
        try:
            with transaction.atomic():
                user = User.objects.create_user(
                    invitation.email,
                    password,
                    is_coordinator=invitation.role == Invitation.Role.COORDINATOR,
                    is_translator=invitation.role == Invitation.Role.TRANSLATOR,
                )
        except IntegrityError:
            raise ServiceError(
                _("An account with this email already exists. Log in, or reset your password if you forgot it."),
                code="account_exists",
            ) from None
        person = Person.objects.filter(email__iexact=invitation.email).first()
        if person is None:
            # Visibility fields keep their model defaults: the most private choice.
            person = Person.objects.create(display_name=display_name, email=invitation.email, user=user)
        elif person.user_id is not None:
            raise ServiceError(
                _("This email belongs to someone else's record. Ask a coordinator to check it."),
                code="person_taken",
            )
        else:
            person.user = user
            person.display_name = display_name
            person.save(update_fields=["user", "display_name"])
        if invitation.role == Invitation.Role.COMMITTEE and invitation.committee_id:
            invitation.committee.members.add(person)
    return user


# --- own profile -------------------------------------------------------------------


def update_own_profile(user, /, **fields):
    """Change the acting user's own ``Person``: display name, full name,
    languages and who may see each field. Creates the Person if the account
    has none yet. Returns the Person."""
    if not user.has_perm("accounts.edit_own_profile"):
        raise PermissionDenied()
    unknown = set(fields) - PROFILE_FIELDS
    if unknown:
        raise ServiceError(_("These details cannot be changed here."))
    changes = {}
    if "display_name" in fields:
        changes["display_name"] = _clean_display_name(fields["display_name"])
    if "full_name" in fields:
        full_name = " ".join((fields["full_name"] or "").split())
        if len(full_name) > Person._meta.get_field("full_name").max_length:
            raise ServiceError(_("Use a shorter name."), field="full_name")
        changes["full_name"] = full_name
    if "languages" in fields:
        changes["languages"] = clean_languages(fields["languages"])
    for name in PROFILE_FIELDS - set(PROFILE_TEXT_FIELDS):
        if name in fields:
            if fields[name] not in Visibility.values:
                raise ServiceError(_("Choose who can see this."), field=name)
            changes[name] = fields[name]

    with transaction.atomic():
        person = Person.objects.select_for_update().filter(user=user).first()
        if person is None:
            person = Person.objects.select_for_update().filter(email__iexact=user.email).first()
            if person is not None:
                if person.user_id is not None:
                    raise ServiceError(_("This email belongs to someone else's record. Ask a coordinator to check it."))
                person.user = user
                person.save(update_fields=["user"])
        if person is None:
            if not changes.get("display_name"):
                raise ServiceError(_("Enter the name others will know you by."), field="display_name")
            return Person.objects.create(email=user.email, user=user, **changes)
        changed = [name for name, value in changes.items() if getattr(person, name) != value]
        for name in changed:
            setattr(person, name, changes[name])
        if changed:
            person.save(update_fields=changed)
    return person


# --- API tokens -------------------------------------------------------------------


def create_api_token(user, name):
    """Return ``(ApiToken, raw_token)``. The raw token is shown once and only
    its SHA-256 digest is stored."""
    if not user.has_perm("accounts.manage_tokens"):
        raise PermissionDenied(_("You cannot create API tokens."))
    name = " ".join((name or "").split())
    if not name:
        raise ServiceError(_("Give the token a name, such as the script that will use it."), field="name")
    if len(name) > ApiToken._meta.get_field("name").max_length:
        raise ServiceError(_("Use a shorter name."), field="name")
    with transaction.atomic():
        active = ApiToken.objects.filter(user=user, revoked_at__isnull=True).count()
        if active >= MAX_ACTIVE_TOKENS:
            raise ServiceError(
                _("You have %(count)d active tokens. Revoke one you no longer use first.") % {"count": active},
                field="name",
            )
        raw = TOKEN_PREFIX + new_token()
        token = ApiToken.objects.create(user=user, name=name, prefix=raw[:8], key_hash=hash_token(raw))
    return token, raw


def revoke_api_token(user, token_id):
    """Revoke one of the user's own tokens. Idempotent; another user's token
    is ``NotFound`` (its existence is not revealed)."""
    if not user.has_perm("accounts.manage_tokens"):
        raise PermissionDenied(_("You cannot manage API tokens."))
    token_id = _as_id(token_id)
    with transaction.atomic():
        ApiToken.objects.filter(pk=token_id, user=user, revoked_at__isnull=True).update(revoked_at=timezone.now())
        token = ApiToken.objects.filter(pk=token_id, user=user).first()
        if token is None:
            raise NotFound(_("This token does not exist."))
    return token


INVITATION_RETENTION = dt.timedelta(days=30)


def purge_invitations(now=None) -> int:
    """Forget invitations that can no longer be used (accepted, withdrawn or
    expired) once they are a month old: each holds an email address."""
    now = now or timezone.now()
    finished = Invitation.objects.filter(created_at__lt=now - INVITATION_RETENTION).exclude(
        accepted_at__isnull=True, revoked_at__isnull=True, expires_at__gt=now
    )
    deleted, _detail = finished.delete()
    return deleted
