"""The imports' retention rule, run daily by ``convoca purge`` (found by
``convoca.core.hooks``): staged imports are deleted after a day, confirmed or
not, since they hold personal data."""

from django.utils.translation import gettext_lazy as _

from .services import purge_expired_batches


def purge(now):
    """Delete what is kept longer than needed; return (message, count), the
    message a translated sentence with a ``%(count)s`` placeholder."""
    return _("Purged %(count)s staged import(s)."), purge_expired_batches(now=now)
