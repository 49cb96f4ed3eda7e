from django.utils import timezone

from .models import Gathering


def upcoming_gatherings():
    return Gathering.objects.filter(ends_on__gte=timezone.localdate()).order_by("starts_on", "title")
