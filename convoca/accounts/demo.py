"""The accounts' share of ``convoca demo``: one login per role (run by
``convoca.core.seeding``, before the network demo, which links each named
person to the account of the same email).

This is a **fixture loader, not a user write path**: it creates the accounts
with ``bulk_create`` instead of inviting people through
``convoca/accounts/services.py``. Nothing a user does ever reaches this module.
Idempotent: an account is keyed on its email; one that exists is left alone.

The demo accounts share one published password (``demo_data.PASSWORD``): a
demo instance only.
"""

from django.db import transaction

from .demo_data import LOGINS, PASSWORD, ROLES, login_email
from .models import User


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
    return login_users()
