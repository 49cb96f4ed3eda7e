"""The demo logins: one account per role, all with one published password (a
demo instance only). Plain Python, importable without Django set up (the
page-weight benchmark reads it); the loader is ``demo.py``.
"""

from django.utils.translation import gettext_lazy as _

from convoca.network.demo_data import email_of

PASSWORD = "convoca-demo-2026"

# role: (label, email local part of the named person whose account it is, see
# convoca/network/demo_data.py NAMED_PEOPLE)
LOGINS = {
    "coordinator": (_("Coordinator"), "coordinadora"),
    "committee": (_("National committee member (Colombia)"), "comite.colombia"),
    "delegate": (_("Delegate accredited at the conference"), "delegada"),
    "observer": (_("Observer at the conference"), "observadora"),
    "translator": (_("Translator"), "traductor"),
}
ROLES = list(LOGINS)

# Coordinators and national committee members must use two-step login: the demo
# sets up their authenticator app with this published key (base32, time-based,
# 6 digits, 30 s), printed by `convoca demo`; `convoca demo --code` prints the
# current code. A demo instance only, like the password.
TOTP_KEY = "CONVOCADEMOKEYISPUBLICNEVERUSEIT"
SECOND_FACTOR_ROLES = ["coordinator", "committee"]


def login_email(role):
    return email_of(LOGINS[role][1])
