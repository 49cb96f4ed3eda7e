"""Shared builders for the actions tests: a day of action of the conference and actions through the services."""

import datetime as dt

from django.utils import timezone

from convoca.actions import services
from convoca.actions.models import ActionType


def campaign(w, slug="dia-migrar"):
    existing = w.__dict__.get("_campaign")
    if existing is not None:
        return existing
    w._campaign = services.create_campaign(
        w.alice, w.conference, slug=slug, title="Día continental por el derecho a migrar",
        description="Acciones en todo el continente", starts_on=w.today + dt.timedelta(days=5),
        ends_on=w.today + dt.timedelta(days=6), action_types=[t.value for t in ActionType])
    return w._campaign


def data(**changes):
    start = timezone.now().replace(tzinfo=None, microsecond=0) + dt.timedelta(days=5)
    values = {"title": "Marcha por el derecho a migrar", "kind": "march", "starts_at": start,
              "ends_at": start + dt.timedelta(hours=3), "timezone": "America/Bogota", "city": "Bogotá",
              "country": "CO", "address": "Plaza de Bolívar", "address_visibility": "day",
              "latitude": 4.6097, "longitude": -74.0817, "description": "", "accessibility": "",
              "capacity": None, "online_url": ""}
    values.update(changes)
    return values


def action(w, user=None, approve=True, **changes):
    created = services.create_action(user or w.bob, campaign(w), data(**changes))
    if approve and created.state == created.State.PENDING:
        services.approve_action(w.carla if str(created.country) == "CO" else w.alice, created)
    created.refresh_from_db()
    return created
