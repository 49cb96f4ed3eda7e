"""The follow-up's share of ``convoca demo`` (after the proposals demo): each resolution the conference adopted
has its implementation record; a working group per theme of the conference and one by country (Brazil), with
the demo's delegate, observer and coordinator as members; each record assigned to a group, most with dated
progress updates, in every status. Through the services, as the coordinators and the groups would."""

import datetime as dt

from convoca.accounts import demo as accounts_demo
from convoca.gatherings.demo_data import CONFERENCE
from convoca.proposals.models import Theme

from . import services
from .models import Implementation, Status, Update, WorkingGroup

PROGRESS = [
    (Status.IN_PROGRESS, "Reunión virtual con los sindicatos de la región: calendario acordado."),
    (Status.IN_PROGRESS, "Primeras acciones locales registradas para la jornada continental."),
    (Status.DONE, "Carta entregada a los parlamentos de la región; acuse de recibo en seis países."),
    (Status.BLOCKED, "A la espera de la respuesta de las autoridades migratorias."),
]


def load(context):
    conference = context.loaded["gatherings"][CONFERENCE["slug"]]
    if WorkingGroup.objects.filter(gathering=conference).exists():
        context.created["working groups"] = 0
        return None
    users = accounts_demo.login_users()
    coordinator = users.get("coordinator")
    if coordinator is None:
        context.created["working groups"] = 0
        return None
    services.ensure_implementations(conference)
    groups = [
        services.create_group(coordinator, conference, name=f"Grupo de trabajo: {theme.name}", theme=theme,
                              coordinator=users.get("delegate"))
        for theme in Theme.objects.filter(gathering=conference)
    ]
    groups.append(services.create_group(coordinator, conference, name="Comité de seguimiento Brasil", country="BR",
                                        coordinator=users.get("delegate")))
    for group in groups:
        for role in ("observer", "coordinator"):
            if role in users:
                services.add_member(coordinator, group, users[role])
    rng, updates = context.rng, 0
    items = list(Implementation.objects.filter(gathering=conference).select_related("proposal"))
    for n, item in enumerate(items):
        theme_group = next((g for g in groups if g.theme_id and g.theme_id == item.proposal.theme_id), None)
        brazil = n % 2 == 1  # every other resolution to the country group: progress by country too
        services.assign(coordinator, item, groups[-1] if brazil else (theme_group or groups[n % len(groups)]))
        if n % 4 == 3:
            continue  # not started yet
        for days, (status, text) in enumerate(rng.sample(PROGRESS, 2)):
            services.post_progress(coordinator, item, status=status, text=text,
                                   on=context.today - dt.timedelta(days=20 - 7 * days))
            updates += 1
    context.created["working groups"] = len(groups)
    context.created["progress updates"] = updates
    return groups


def totals():
    return {"working groups": WorkingGroup.objects.count(), "progress updates": Update.objects.count()}
