"""Django's ``db`` session engine, each session read in one plain query (see the package)."""

from django.contrib.sessions.backends import db

from . import PlainRead


class SessionStore(PlainRead, db.SessionStore):
    pass
