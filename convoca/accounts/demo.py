"""The accounts' share of ``convoca demo``: one login per role (run by
``convoca.core.seeding``, before the network demo, which links each named
person to the account of the same email).

This is a **fixture loader, not a user write path**: it creates the accounts
with ``bulk_create`` instead of inviting people through
``convoca/accounts/services.py``. Nothing a user does ever reaches this module.
Idempotent: an account is keyed on its email; one that exists is left alone.

The demo accounts share one published password (``demo_data.PASSWORD``): a
demo instance only. The coordinator and the committee member, who must use
two-step login, get an authenticator app whose published key
(``demo_data.TOTP_KEY``) ``convoca demo`` prints; ``convoca demo --code``
prints the code it shows now.
"""

import base64
import time

from django.db import transaction
from django.utils.translation import gettext as _
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from .demo_data import LOGINS, PASSWORD, ROLES, SECOND_FACTOR_ROLES, TOTP_KEY, login_email
from .models import User
from .services import TOTP_NAME


def _key_hex():
    return base64.b32decode(TOTP_KEY).hex()


def logins():
    """[(role label, email, password)] for every demo role, in a stable order."""
    return [(LOGINS[role][0], login_email(role), PASSWORD) for role in ROLES]


def login_users():
    """{role: User} of the demo logins that exist."""
    users = {u.email: u for u in User.objects.filter(email__in=[login_email(role) for role in ROLES])}
    return {role: users[login_email(role)] for role in ROLES if login_email(role) in users}


def holds_real_data():
    """True when the database holds accounts that the demo did not create and
    the demo has never been loaded: probably a real instance."""
    demo_emails = [login_email(role) for role in ROLES]
    if User.objects.filter(email__in=demo_emails).exists():
        return False
    return User.objects.exclude(email__in=demo_emails).exists()


def load(context):
    """Create the missing demo logins, all with the published password;
    return {role: User}."""
    with transaction.atomic():
        existing = set(User.objects.filter(email__in=[login_email(role) for role in ROLES]).values_list("email", flat=True))
        new_users = []
        for role in ROLES:
            if login_email(role) in existing:
                continue
            user = User(email=login_email(role), is_coordinator=role == "coordinator", is_translator=role == "translator")
            user.set_password(PASSWORD)
            new_users.append(user)
        User.objects.bulk_create(new_users)
        context.created["accounts"] = len(new_users)
        users = login_users()
        enrolled = set(TOTPDevice.objects.filter(user__in=users.values()).values_list("user_id", flat=True))
        devices = [
            TOTPDevice(user=users[role], name=TOTP_NAME, key=_key_hex(), confirmed=True)
            for role in SECOND_FACTOR_ROLES if role in users and users[role].pk not in enrolled
        ]
        TOTPDevice.objects.bulk_create(devices)
        context.created["authenticator apps"] = len(devices)
    return users


def current_code(now=None):
    """The 6 digits the demo's authenticator app shows now."""
    totp = TOTP(base64.b32decode(TOTP_KEY), step=30, t0=0, digits=6)
    totp.time = time.time() if now is None else now
    return f"{totp.token():06d}"


def notes():
    """Lines ``convoca demo`` prints after the logins."""
    labels = ", ".join(str(LOGINS[role][0]) for role in SECOND_FACTOR_ROLES)
    return [
        _("Two-step login (%(logins)s): after the password, enter the 6-digit code of an authenticator app "
          "(FreeOTP, Aegis, Google Authenticator...) set up with this time-based key: %(key)s") % {
            "logins": labels, "key": " ".join(TOTP_KEY[i:i + 4] for i in range(0, len(TOTP_KEY), 4))},
        _("Without an app, `convoca demo --code` prints the current code (valid for 30 seconds, once per login)."),
    ]


def codes():
    """[(label, code)] for ``convoca demo --code``."""
    return [(_("Two-step login code for the demo coordinator and committee member"), current_code())]
