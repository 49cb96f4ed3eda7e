"""Every write of the accounts app. Views, API and CLI call these functions;
each checks permissions itself and raises ``ServiceError`` (or a subclass)
with a translated message."""

import base64
import datetime as dt
import hashlib
import math
import secrets
import time
from binascii import unhexlify
from importlib import import_module

import nacl.exceptions
import nacl.secret
from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext_lazy as _
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp.util import random_hex

from convoca.audit import services as audit
from convoca.core.errors import NotFound, PermissionDenied, ServiceError
from convoca.core.limits import Limit, client_address
from convoca.core.tasks import enqueue_after_commit
from convoca.network.models import AddressForm, NationalCommittee, Person, Visibility
from convoca.network.services import clean_languages

from . import agents, second_factor
from .models import ApiToken, Invitation, LoginSession, User, hash_token, new_token
from .queries import LOGIN_ID
from .tasks import send_invitation_email

MAX_ACTIVE_TOKENS = 20
TOKEN_PREFIX = "cvk_"
PROFILE_TEXT_FIELDS = ("display_name", "full_name", "languages")
PROFILE_FIELDS = frozenset(PROFILE_TEXT_FIELDS + tuple(f"{f}_visibility" for f in Person.VISIBLE_FIELDS))
PROFILE_CHOICES = frozenset({"address_form", "receive_messages"})  # not visibility fields


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
    Returns the ``Invitation``. Its link is made by the worker that sends the email (``invitation_link``): the
    task's row holds the invitation's id alone, and the row is created under the digest of a token nobody
    keeps, so no copy of the database ever holds a working link."""
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
            token_hash=hash_token(new_token()),  # a token nobody keeps: the worker makes the link's (below)
            created_by=user,
            expires_at=now + dt.timedelta(days=settings.INVITATION_DAYS),
        )
        audit.record(user, "invitation.sent", target=invitation, note=role)
        enqueue_after_commit(send_invitation_email, invitation.pk)
    return invitation


def invitation_link(invitation_id):
    """A new single-use token for a usable invitation, made when its email is sent (by the worker): its digest
    replaces the one stored, so only the newest email's link works. Returns (invitation, raw token), or None
    when the invitation was withdrawn, accepted, expired or deleted meanwhile."""
    raw = new_token()
    if not Invitation.objects.filter(pk=invitation_id, accepted_at__isnull=True, revoked_at__isnull=True,
                                     expires_at__gt=timezone.now()).update(token_hash=hash_token(raw)):
        return None
    return Invitation.objects.select_related("committee").get(pk=invitation_id), raw


def revoke_invitation(user, invitation_id):
    """Withdraw an invitation so its link stops working. Idempotent."""
    if not user.has_perm("accounts.invite"):
        raise PermissionDenied(_("Only coordinators can withdraw invitations."))
    with transaction.atomic():
        invitation_id = _as_id(invitation_id)
        if Invitation.objects.filter(pk=invitation_id, revoked_at__isnull=True, accepted_at__isnull=True).update(
            revoked_at=timezone.now()
        ):
            audit.record(user, "invitation.revoked", target=("accounts.invitation", invitation_id))
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
                    language=invitation.language,  # their emails speak the invitation's language until they choose
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


def remember_language(user, code):
    """The interface language a logged-in person chose: their emails are written in it. Unknown codes
    change nothing (Django's language switch refuses them as well)."""
    if not getattr(user, "is_authenticated", False) or code not in dict(settings.LANGUAGES):
        return False
    return bool(User.objects.filter(pk=user.pk).exclude(language=code).update(language=code))


def update_own_profile(user, /, **fields):
    """Change the acting user's own ``Person``: display name, full name,
    languages and who may see each field. Creates the Person if the account
    has none yet. Returns the Person."""
    if not user.has_perm("accounts.edit_own_profile"):
        raise PermissionDenied()
    unknown = set(fields) - PROFILE_FIELDS - PROFILE_CHOICES
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
    if "address_form" in fields:
        if fields["address_form"] not in AddressForm.values:
            raise ServiceError(_("Choose how the pages address you."), field="address_form")
        changes["address_form"] = fields["address_form"]
    if "receive_messages" in fields:
        # Messages from organisers: a person who unsubscribed by link can take them again here.
        wanted = bool(fields["receive_messages"])
        opted_out = getattr(getattr(user, "person", None), "messages_opt_out_at", None)
        changes["messages_opt_out_at"] = None if wanted else (opted_out or timezone.now())
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
        audit.record(user, "token.created", target=token)
    return token, raw


def revoke_api_token(user, token_id):
    """Revoke one of the user's own tokens. Idempotent; another user's token
    is ``NotFound`` (its existence is not revealed)."""
    if not user.has_perm("accounts.manage_tokens"):
        raise PermissionDenied(_("You cannot manage API tokens."))
    token_id = _as_id(token_id)
    with transaction.atomic():
        if ApiToken.objects.filter(pk=token_id, user=user, revoked_at__isnull=True).update(revoked_at=timezone.now()):
            audit.record(user, "token.revoked", target=("accounts.apitoken", token_id))
        token = ApiToken.objects.filter(pk=token_id, user=user).first()
        if token is None:
            raise NotFound(_("This token does not exist."))
    return token


def purge_invitations(now=None, *, dry_run=False) -> int:
    """Forget invitations that can no longer be used (accepted, withdrawn or
    expired) once they are ``RETENTION_INVITATION_DAYS`` old (a month by
    default): each holds an email address. ``dry_run``: only count them."""
    now = now or timezone.now()
    finished = Invitation.objects.filter(
        created_at__lt=now - dt.timedelta(days=settings.RETENTION_INVITATION_DAYS)
    ).exclude(accepted_at__isnull=True, revoked_at__isnull=True, expires_at__gt=now)
    if dry_run:
        return finished.count()
    deleted, _detail = finished.delete()
    return deleted


def purge_api_tokens(now=None, *, dry_run=False) -> int:
    """Forget API tokens revoked more than ``RETENTION_TOKEN_DAYS`` ago (a month
    by default): a revoked token opens nothing, and its name says what someone
    scripted. ``dry_run``: only count them."""
    now = now or timezone.now()
    revoked = ApiToken.objects.filter(revoked_at__lt=now - dt.timedelta(days=settings.RETENTION_TOKEN_DAYS))
    if dry_run:
        return revoked.count()
    deleted, _detail = revoked.delete()
    return deleted


# --- abuse limits -----------------------------------------------------------------------

# Wrong passwords, counted by the email typed (whether an account has it or not,
# so the answer never tells) and by client address; wrong second-factor codes
# by account. Checked before the password is, so once reached even the right
# password is refused until the window has passed.
LOGIN_FAILURES_PER_ACCOUNT = Limit("login-account", 10, 15 * 60)
LOGIN_FAILURES_PER_ADDRESS = Limit("login-address", 50, 15 * 60)
SECOND_FACTOR_FAILURES = Limit("second-factor", 5, 15 * 60)
# Public forms, per client address (the views' decorators) and per address written to.
PASSWORD_RESETS_PER_ADDRESS = Limit("password-reset", 10, 60 * 60)
PASSWORD_RESETS_PER_EMAIL = Limit("password-reset-email", 3, 60 * 60)
INVITATION_ACCEPTS_PER_ADDRESS = Limit("invitation-accept", 20, 60 * 60)


def _login_key(email):
    return (email or "").strip().lower()[:254]


def _wait_for(limit):
    minutes = max(1, math.ceil(limit.seconds / 60))
    return ngettext(
        "Too many failed attempts to log in. For your safety, wait %(minutes)s minute and try again, or reset "
        "your password.",
        "Too many failed attempts to log in. For your safety, wait %(minutes)s minutes and try again, or reset "
        "your password.",
        minutes,
    ) % {"minutes": minutes}


def check_login_allowed(request, email):
    """Raise ``ServiceError`` (code ``throttled``) when this email or this
    client address has had too many wrong passwords lately. The message is
    the same whether an account has the email or not."""
    for limit, key in ((LOGIN_FAILURES_PER_ACCOUNT, _login_key(email)),
                       (LOGIN_FAILURES_PER_ADDRESS, client_address(request))):
        if limit.exceeded(key):
            raise ServiceError(_wait_for(limit), code="throttled")


def count_login_failure(request, email):
    LOGIN_FAILURES_PER_ACCOUNT.hit(_login_key(email))
    LOGIN_FAILURES_PER_ADDRESS.hit(client_address(request))


def may_send_password_reset(email):
    """At most a few reset emails an hour to one address: someone else asking
    for links cannot flood a mailbox. Counts the request."""
    key = _login_key(email)
    if PASSWORD_RESETS_PER_EMAIL.exceeded(key):
        return False
    PASSWORD_RESETS_PER_EMAIL.hit(key)
    return True


# --- second factor ------------------------------------------------------------------

TOTP_NAME = "Authenticator app"
RECOVERY_NAME = "Recovery codes"
RECOVERY_CODES = 10
RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/i/l
RECOVERY_LENGTH = 16  # 16 characters of 31: 79 bits
SETUP_SALT = "convoca.accounts.totp-setup"
SETUP_MAX_AGE = 60 * 60


def _codes_wrong(throttled=False):
    if throttled:
        return ServiceError(
            _("Too many wrong codes in a row. For your safety, wait a few minutes and try again."),
            field="code", code="throttled",
        )
    return ServiceError(
        _("This code is not right, or it has already been used. Enter the code your app shows now, or an unused "
          "recovery code."),
        field="code", code="wrong_code",
    )


def _shape(code):
    code = second_factor.normalise_code(code)
    if len(code) == 6 and code.isdigit():
        return "totp", code
    if len(code) == RECOVERY_LENGTH:
        return "recovery", code
    return None, code


def check_second_factor(user, code):
    """The device that accepts ``code`` for ``user`` (a current code of their
    authenticator app, or one of their unused recovery codes, which is spent),
    or ``ServiceError``. A code already accepted once is refused (django-otp
    keeps the last time step used); wrong codes are throttled by device
    (django-otp) and by account (5 in 15 minutes)."""
    if SECOND_FACTOR_FAILURES.exceeded(str(user.pk)):
        raise _codes_wrong(throttled=True)
    kind, code = _shape(code)
    device, throttled = None, False
    with transaction.atomic():
        if kind == "totp":
            devices = TOTPDevice.objects.select_for_update().filter(user=user, confirmed=True)
        elif kind == "recovery":
            devices = StaticDevice.objects.select_for_update().filter(user=user, confirmed=True)
            code = second_factor.recovery_digest(code)
        else:
            devices = []
        for candidate in devices:
            if not candidate.verify_is_allowed()[0]:
                throttled = True
                continue
            if candidate.verify_token(code):
                device = candidate
                break
    if device is None:
        SECOND_FACTOR_FAILURES.hit(str(user.pk))
        raise _codes_wrong(throttled)
    return device


def new_setup(user):
    """A fresh authenticator key for ``user`` and the signed token the set-up
    form carries it in (nothing is stored until a code proves the app has it)."""
    key = random_hex(20)
    token = signing.dumps({"user": user.pk, "key": key}, salt=SETUP_SALT)
    return key, token


def setup_key(user, token):
    """The key a set-up token carries, if it was made for ``user`` within the hour."""
    try:
        data = signing.loads(token or "", salt=SETUP_SALT, max_age=SETUP_MAX_AGE)
    except signing.BadSignature:
        data = None
    if not isinstance(data, dict) or data.get("user") != user.pk or not isinstance(data.get("key"), str):
        raise ServiceError(_("This set-up page is too old. Scan the new code below and try again."), code="expired")
    return data["key"]


def enable_totp(user, token, code):
    """Set up (or replace) ``user``'s authenticator app once ``code`` proves
    the app holds the key the set-up page showed. Returns ``(device, codes)``:
    the new device and 10 new recovery codes, shown once and stored only as
    digests (earlier codes stop working)."""
    if not user.has_perm("accounts.manage_second_factor"):
        raise PermissionDenied()
    key = setup_key(user, token)
    if SECOND_FACTOR_FAILURES.exceeded(str(user.pk)):
        raise _codes_wrong(throttled=True)
    kind, code = _shape(code)
    totp = TOTP(unhexlify(key), step=30, t0=0, digits=6)
    totp.time = time.time()
    if kind != "totp" or not totp.verify(int(code), tolerance=1):
        SECOND_FACTOR_FAILURES.hit(str(user.pk))
        raise ServiceError(
            _("This code is not right. Check that the app shows Convoca and enter the 6 digits it shows now."),
            field="code", code="wrong_code",
        )
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user).delete()
        device = TOTPDevice.objects.create(user=user, name=TOTP_NAME, key=key, confirmed=True, last_t=totp.t())
        codes = _replace_recovery_codes(user)
    return device, codes


def new_recovery_codes(user):
    """Replace ``user``'s recovery codes with 10 new ones (returned, shown once)."""
    if not user.has_perm("accounts.manage_second_factor"):
        raise PermissionDenied()
    if not second_factor.has_device(user):
        raise ServiceError(_("Set up an authenticator app first."), code="no_device")
    with transaction.atomic():
        return _replace_recovery_codes(user)


def _new_recovery_code():
    raw = "".join(secrets.choice(RECOVERY_ALPHABET) for _i in range(RECOVERY_LENGTH))
    return "-".join(raw[i:i + 4] for i in range(0, RECOVERY_LENGTH, 4))


def _replace_recovery_codes(user):
    device = StaticDevice.objects.filter(user=user).first()
    if device is None:
        device = StaticDevice.objects.create(user=user, name=RECOVERY_NAME, confirmed=True)
    else:
        device.token_set.all().delete()
        device.throttle_reset()
    codes = [_new_recovery_code() for _i in range(RECOVERY_CODES)]
    StaticToken.objects.bulk_create(
        [StaticToken(device=device, token=second_factor.recovery_digest(code)) for code in codes]
    )
    return codes


def remove_second_factor(user):
    """Remove ``user``'s authenticator app and recovery codes. Refused to
    those who must keep one (coordinators, national committee members)."""
    if not user.has_perm("accounts.manage_second_factor"):
        raise PermissionDenied()
    if second_factor.required_for(user):
        raise ServiceError(
            _("Coordinators and national committee members must keep a second factor. To move it to a new phone, "
              "set it up again."),
            code="required",
        )
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user).delete()
        StaticDevice.objects.filter(user=user).delete()


def recovery_codes_left(user):
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


# --- login sessions -----------------------------------------------------------------


def _session_box():
    key = hashlib.blake2b(settings.SECRET_KEY.encode(), person=b"convoca-session", digest_size=32).digest()
    return nacl.secret.SecretBox(key)


def _seal(session_key):
    if not session_key:
        return ""
    return base64.urlsafe_b64encode(_session_box().encrypt(session_key.encode())).decode()


def _unseal(sealed):
    try:
        return _session_box().decrypt(base64.urlsafe_b64decode(sealed.encode())).decode()
    except (ValueError, nacl.exceptions.CryptoError):
        return None  # none recorded, or SECRET_KEY changed since: the session guard still refuses it


def record_login_session(request, user):
    """Put a new login on record for ``request``'s session, which has just been
    logged in (every login goes through ``django.contrib.auth.login``, which
    calls this through ``user_logged_in``; see ``apps.py``)."""
    login_id = new_token()
    request.session[LOGIN_ID] = login_id
    browser, system = agents.summarise(request.META.get("HTTP_USER_AGENT"))
    return LoginSession.objects.create(
        user=user, key_hash=hash_token(login_id), sealed_key=_seal(request.session.session_key),
        browser=browser, system=system,
    )


def end_login_session(request):
    """The session is logging out: its login leaves the record."""
    login_id = request.session.get(LOGIN_ID)
    if isinstance(login_id, str):
        LoginSession.objects.filter(key_hash=hash_token(login_id)).delete()


def _delete_from_store(rows):
    engine = import_module(settings.SESSION_ENGINE)
    for row in rows:
        key = _unseal(row.sealed_key) if row.sealed_key else None
        if key:
            engine.SessionStore().delete(key)


def revoke_login_session(user, session_id, current_login_id=None):
    """End one of ``user``'s own logins (not the current one: that is "log
    out"): it leaves the record and its session leaves the session store; a
    request still carrying its cookie is anonymous from now on. Another
    account's login is ``NotFound``."""
    if not user.has_perm("accounts.manage_sessions"):
        raise PermissionDenied()
    rows = LoginSession.objects.filter(pk=_as_id(session_id), user=user)
    if isinstance(current_login_id, str):
        rows = rows.exclude(key_hash=hash_token(current_login_id))
    with transaction.atomic():
        row = rows.select_for_update().first()
        if row is None:
            raise NotFound(_("This session does not exist or has already ended."))
        _delete_from_store([row])
        row.delete()
    return row


def end_all_login_sessions(user):
    """Every login of ``user`` ends (after a password reset, which proved the
    mailbox: Django already refuses sessions made with the old password; this
    also clears them from the store and from the list)."""
    with transaction.atomic():
        rows = list(LoginSession.objects.select_for_update().filter(user=user))
        _delete_from_store(rows)
        LoginSession.objects.filter(pk__in=[row.pk for row in rows]).delete()
    return len(rows)


def revoke_other_login_sessions(user, current_login_id):
    """End every login of ``user`` but the current one; return how many."""
    if not user.has_perm("accounts.manage_sessions"):
        raise PermissionDenied()
    current = hash_token(current_login_id) if isinstance(current_login_id, str) else ""
    with transaction.atomic():
        rows = list(LoginSession.objects.select_for_update().filter(user=user).exclude(key_hash=current))
        _delete_from_store(rows)
        LoginSession.objects.filter(pk__in=[row.pk for row in rows]).delete()
    return len(rows)
