"""The accounts' retention rule, run daily by ``convoca purge`` (found by
``convoca.core.hooks``): finished invitations are forgotten once they are a
month old, since each holds an email address."""

from django.utils.translation import gettext_lazy as _

from .services import purge_invitations


def purge(now):
    """Delete what is kept longer than needed; return (message, count), the
    message a translated sentence with a ``%(count)s`` placeholder."""
    return _("Purged %(count)s finished invitation(s)."), purge_invitations(now=now)
