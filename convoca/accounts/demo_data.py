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


def login_email(role):
    return email_of(LOGINS[role][1])
