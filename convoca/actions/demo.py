"""Days of action's share of ``convoca demo`` (after the proposals and the plenary): a continental day for the
right to migrate, two weeks from now, carrying out the conference's adopted proposals, with a few hundred local
actions across the Americas and the Caribbean in their own time zones, some still waiting for their national
committee, and RSVPs.

The campaign and the actions go through the services, as hosts and a coordinator would: each host's first
action in a country is approved with "trust this host" (its host gets that one email), the next ones publish
directly; the observer's actions wait for moderation. The RSVPs are written in bulk (thousands of confirmation
emails would be sent otherwise), with example.org addresses, and each action's counter set to match."""

import datetime as dt

from django.db import transaction
from django.db.models import Count

from convoca.accounts import demo as accounts_demo
from convoca.gatherings.demo_data import CONFERENCE
from convoca.proposals.models import Proposal

from . import services
from .models import Action, ActionType, Campaign, Rsvp

SLUG = "derecho-a-migrar"
ACTIONS = 300

# (country, city, IANA zone, latitude, longitude)
CITIES = [
    ("AR", "Buenos Aires", "America/Argentina/Buenos_Aires", -34.6, -58.4),
    ("AR", "Córdoba", "America/Argentina/Cordoba", -31.4, -64.2),
    ("BO", "La Paz", "America/La_Paz", -16.5, -68.1),
    ("BR", "São Paulo", "America/Sao_Paulo", -23.6, -46.6),
    ("BR", "Recife", "America/Recife", -8.1, -34.9),
    ("BR", "Manaus", "America/Manaus", -3.1, -60.0),
    ("CA", "Toronto", "America/Toronto", 43.7, -79.4),
    ("CA", "Montréal", "America/Toronto", 45.5, -73.6),
    ("CL", "Santiago", "America/Santiago", -33.4, -70.7),
    ("CO", "Bogotá", "America/Bogota", 4.6, -74.1),
    ("CO", "Medellín", "America/Bogota", 6.2, -75.6),
    ("CR", "San José", "America/Costa_Rica", 9.9, -84.1),
    ("CU", "La Habana", "America/Havana", 23.1, -82.4),
    ("DO", "Santo Domingo", "America/Santo_Domingo", 18.5, -69.9),
    ("EC", "Quito", "America/Guayaquil", -0.2, -78.5),
    ("SV", "San Salvador", "America/El_Salvador", 13.7, -89.2),
    ("GP", "Pointe-à-Pitre", "America/Guadeloupe", 16.2, -61.5),
    ("MQ", "Fort-de-France", "America/Martinique", 14.6, -61.1),
    ("GF", "Cayenne", "America/Cayenne", 4.9, -52.3),
    ("GT", "Ciudad de Guatemala", "America/Guatemala", 14.6, -90.5),
    ("HT", "Port-au-Prince", "America/Port-au-Prince", 18.5, -72.3),
    ("HN", "Tegucigalpa", "America/Tegucigalpa", 14.1, -87.2),
    ("JM", "Kingston", "America/Jamaica", 18.0, -76.8),
    ("MX", "Ciudad de México", "America/Mexico_City", 19.4, -99.1),
    ("MX", "Tijuana", "America/Tijuana", 32.5, -117.0),
    ("NI", "Managua", "America/Managua", 12.1, -86.3),
    ("PA", "Ciudad de Panamá", "America/Panama", 9.0, -79.5),
    ("PY", "Asunción", "America/Asuncion", -25.3, -57.6),
    ("PE", "Lima", "America/Lima", -12.0, -77.0),
    ("PR", "San Juan", "America/Puerto_Rico", 18.5, -66.1),
    ("TT", "Port of Spain", "America/Port_of_Spain", 10.7, -61.5),
    ("UY", "Montevideo", "America/Montevideo", -34.9, -56.2),
    ("US", "Los Angeles", "America/Los_Angeles", 34.1, -118.2),
    ("US", "Chicago", "America/Chicago", 41.9, -87.6),
    ("US", "New York", "America/New_York", 40.7, -74.0),
    ("VE", "Caracas", "America/Caracas", 10.5, -66.9),
    ("BB", "Bridgetown", "America/Barbados", 13.1, -59.6),
    ("BZ", "Belize City", "America/Belize", 17.5, -88.2),
    ("GY", "Georgetown", "America/Guyana", 6.8, -58.2),
    ("SR", "Paramaribo", "America/Paramaribo", 5.9, -55.2),
]
TITLES = {
    "march": "Marcha por el derecho a migrar",
    "rally": "Concentración frente al consulado",
    "assembly": "Asamblea abierta de trabajadoras migrantes",
    "vigil": "Vigilia por quienes no llegaron",
    "strike": "Paro de una hora en los centros de trabajo",
    "online": "Conversatorio en línea: migrar es un derecho",
}


def load(context):
    """Load the day of action once; a second run leaves it alone."""
    if Campaign.objects.filter(slug=SLUG).exists():
        context.created["campaigns"] = context.created["actions"] = context.created["rsvps"] = 0
        return None
    conference = context.loaded["gatherings"][CONFERENCE["slug"]]
    users = accounts_demo.login_users()
    coordinator = users["coordinator"]
    hosts = [users[role] for role in ("delegate", "committee", "translator", "coordinator") if role in users]
    waiting_host = users.get("observer")
    rng = context.rng
    day = context.today + dt.timedelta(days=14)
    with transaction.atomic():
        campaign = services.create_campaign(
            coordinator, conference, slug=SLUG, title="Jornada continental por el derecho a migrar",
            description="El mismo día, en todo el continente: marchas, asambleas y vigilias para que migrar sea un "
                        "derecho y no una condena. Registra tu acción o súmate a una cerca de ti.",
            starts_on=day, ends_on=day, action_types=[t.value for t in ActionType],
            proposals=Proposal.objects.filter(gathering=conference, state="adopted"), original_language="es")
        trusted, made = set(), []
        for n in range(ACTIONS):
            country, city, zone, lat, lon = CITIES[n % len(CITIES)]
            kind = rng.choice(list(TITLES))
            pending = waiting_host is not None and n % 12 == 5
            host = waiting_host if pending else hosts[n % len(hosts)]
            start = dt.datetime.combine(day, dt.time(rng.choice([9, 10, 11, 16, 17, 18]), rng.choice([0, 30])))
            data = {"title": f"{TITLES[kind]} · {city}", "kind": kind, "starts_at": start,
                    "ends_at": start + dt.timedelta(hours=rng.choice([1, 2, 3])), "timezone": zone, "city": city,
                    "country": country, "address": "", "address_visibility": "day",
                    "latitude": lat, "longitude": lon,
                    "accessibility": rng.choice(["", "Recorrido sin escalones; intérprete de lengua de señas."]),
                    "capacity": rng.choice([None, None, 40, 120]),
                    "online_url": "https://meet.example.org/derecho-a-migrar" if kind == "online" else "",
                    "description": ""}
            action = services.create_action(host, campaign, data, now=context.now)
            if action.state == Action.State.PENDING and not pending and (host.pk, country) not in trusted:
                services.approve_action(coordinator, action, trust=True, now=context.now)
                trusted.add((host.pk, country))
            made.append(action)
        rsvps = []
        for action in made:
            if action.state != Action.State.APPROVED:
                continue
            want = rng.randint(0, 40)
            if action.capacity is not None:
                want = min(want, action.capacity)
            for i in range(want):
                confirmed = rng.random() < 0.8
                rsvps.append(Rsvp(action=action, name=f"Persona {action.pk}-{i}", email=f"rsvp-{action.pk}-{i}@example.org",
                                  email_key=f"rsvp-{action.pk}-{i}@example.org", share_name=rng.random() < 0.5,
                                  language=rng.choice(["es", "pt-br", "en", "fr"]),
                                  state=Rsvp.State.CONFIRMED if confirmed else Rsvp.State.UNCONFIRMED,
                                  confirmed_at=context.now if confirmed else None))
        Rsvp.objects.bulk_create(rsvps, batch_size=1000)
        for row in Rsvp.objects.filter(action__campaign=campaign).values("action").annotate(n=Count("pk")):
            Action.objects.filter(pk=row["action"]).update(rsvp_count=row["n"])
        Campaign.objects.filter(pk=campaign.pk).update(version=campaign.version + 1)
    context.created["campaigns"] = 1
    context.created["actions"] = len(made)
    context.created["rsvps"] = len(rsvps)
    return campaign


def totals():
    return {"campaigns": Campaign.objects.count(), "actions": Action.objects.count(), "rsvps": Rsvp.objects.count()}
