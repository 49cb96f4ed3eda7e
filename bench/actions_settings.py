"""Settings of the actions benchmark's server: the project's, behind a reverse proxy (``BEHIND_PROXY``), so each
bench client's ``X-Forwarded-For`` counts as its own address for the RSVP flood limits, as thousands of phones
behind nginx would."""

from convoca.settings import *  # noqa: F403

BEHIND_PROXY = True
