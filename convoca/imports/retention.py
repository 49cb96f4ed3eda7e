"""The imports' retention rule, run by ``convoca purge`` and hourly by the
ticker (see ``convoca.core.purging``): staged imports hold personal data and
are deleted after ``RETENTION_IMPORT_HOURS``, confirmed or not."""

from django.conf import settings
from django.utils.translation import gettext as _

from .services import purge_expired_batches


def purge(now, dry_run=False):
    return [(_("staged imports older than %(hours)s hours") % {"hours": settings.RETENTION_IMPORT_HOURS},
             purge_expired_batches(now=now, dry_run=dry_run))]
