"""The proposals app's share of ``convoca tick``: when the result of a text's poll is published, the
proposal or amendment moves to adopted or rejected through the services (voting knows nothing of texts:
each text points to its poll, and this module looks for published polls that are not applied yet)."""

from . import services


def tick(now):
    """Apply the published results not applied yet; returns {"proposals": n, "amendments": n}. Each text is
    claimed with a conditional UPDATE, so two tickers at once apply a result once."""
    return services.apply_poll_results(now)
