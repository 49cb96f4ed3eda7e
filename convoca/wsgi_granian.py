"""The WSGI application that ``convoca serve`` runs under granian: Django
behind the ballot box's short way in (see convoca/voting/fastpath.py).

Assembled here, at the project level beside ``wsgi.py`` and ``asgi.py``, so
that core's ``serve`` command names no domain app."""

from convoca.voting.fastpath import application  # noqa: F401
