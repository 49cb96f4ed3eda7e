"""Django's ``cached_db`` session engine, a session missing from the cache read in one plain query (see the
package)."""

from django.contrib.sessions.backends import cached_db

from . import PlainRead


class SessionStore(PlainRead, cached_db.SessionStore):
    pass
