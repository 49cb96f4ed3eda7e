"""Settings of the endorsement burst's server: the project's, behind a reverse proxy (``BEHIND_PROXY``), so
that each bench client's ``X-Forwarded-For`` counts as its own address for the flood limits, as thousands of
signers' phones and offices would behind nginx."""

from convoca.settings import *  # noqa: F403

BEHIND_PROXY = True
