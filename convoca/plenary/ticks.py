"""The plenary's share of ``convoca tick``: a speech whose time has run out is marked over time (every page
showing it turns red, with or without JavaScript) and an item whose total speaking time is spent has its list
of speakers closed. Never on a page read."""

from . import services


def tick(now):
    """Returns {"speeches": n, "items": n}: what was due and done now."""
    return services.expire(now)
