"""The accounts' retention rules, run by ``convoca purge`` and hourly by the
ticker (see ``convoca.core.purging``): finished invitations (each holds an
email address) and revoked API tokens are forgotten after a period."""

from django.conf import settings
from django.utils.translation import gettext as _

from .services import purge_api_tokens, purge_invitations


def purge(now, dry_run=False):
    return [
        (_("invitations used, withdrawn or expired, created more than %(days)s days ago")
         % {"days": settings.RETENTION_INVITATION_DAYS}, purge_invitations(now=now, dry_run=dry_run)),
        (_("API tokens revoked more than %(days)s days ago") % {"days": settings.RETENTION_TOKEN_DAYS},
         purge_api_tokens(now=now, dry_run=dry_run)),
    ]
