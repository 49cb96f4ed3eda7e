"""The endorsements' retention rule (``convoca purge``, hourly on the ticker): a sign-on whose email was never
verified is deleted once its link has expired; nothing of it was ever shown."""

import datetime as dt

from django.utils.translation import gettext as _

from .models import Endorsement
from .services import LINK_MAX_AGE


def purge(now, dry_run=False):
    stale = Endorsement.objects.filter(state=Endorsement.State.UNVERIFIED,
                                       created_at__lt=now - dt.timedelta(seconds=LINK_MAX_AGE))
    count = stale.count() if dry_run else stale.delete()[0]
    return [(_("endorsements never confirmed, signed more than %(days)s days ago")
             % {"days": LINK_MAX_AGE // 86400}, count)]
