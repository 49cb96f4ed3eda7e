"""The gatherings' share of ``convoca demo``: the continental conference, one
preparatory meeting per country, registrations in every state and check-ins
(run by ``convoca.core.seeding``, after the accounts and network demos).

This is a **fixture loader, not a user write path**. To load ~300
registrations in a fraction of a second it writes seed rows with the ORM and
``bulk_create`` instead of going through ``convoca/gatherings/services.py``: no
permission checks, no emails, no realtime events, no audit trail. Nothing a
user does ever reaches this module.

Idempotent: registrations are planned from the demo's seeded generator (after
the network demo has drawn its people from it), independently of what the
database holds; gatherings are keyed on their slug and registrations on
gathering + person. Rows that exist are never updated or deleted. Gathering
dates are relative to the day of loading.

Titles and descriptions have language versions (``convoca.texts``): each
gathering is written in its country's language, the demo translator has
translated some of them, a few of those translations are outdated (the text
changed since: ``EARLIER``) and the rest are missing, so the translators' queue
has work. Snapshots and translations are keyed on gathering + revision and
gathering + language, and written as seed rows too.

The titles, places, reasons and translations are in ``demo_data.py``.
"""

import datetime as dt

from django.db import transaction
from django.utils import timezone

from convoca.accounts import demo as accounts_demo
from convoca.accounts.demo_data import login_email
from convoca.texts.models import Snapshot, Translation
from convoca.texts.registry import label_of

from .demo_data import (
    CONFERENCE,
    EARLIER,
    MEETING_DESCRIPTIONS,
    MEETINGS,
    ORIGINAL_LANGUAGE,
    REFUSAL_REASONS,
    TRANSLATIONS,
)
from .models import Gathering, Registration

# --- planning (pure Python, no database) --------------------------------------------------


def plan_gatherings(today):
    c = CONFERENCE
    conf_start = today + dt.timedelta(days=c["days_from_today"])
    gatherings = [{
        "slug": c["slug"], "kind": "conference", "title": c["title"], "country": c["country"],
        "starts_on": conf_start, "ends_on": conf_start + dt.timedelta(days=c["length_days"] - 1),
        "place": c["place"], "description": c["description"], "registration_open": True, "language": "es",
    }]
    for code, (slug, lang, city, offset, length, title) in MEETINGS.items():
        start = today + dt.timedelta(days=offset)
        gatherings.append({
            "slug": f"preparatorio-{slug}", "kind": "preparatory", "title": title, "country": code,
            "starts_on": start, "ends_on": start + dt.timedelta(days=length - 1), "place": city,
            "description": MEETING_DESCRIPTIONS[lang], "registration_open": offset > 0, "language": lang,
        })
    return gatherings


def plan_registrations(rng, today, now, gatherings, people):
    """Registrations as plain dicts. ``people``: the network demo's plan (the
    crowd registers at random; the people behind the demo logins as their role
    says). Deciders are demo roles ("coordinator", "committee")."""
    registrations = []

    def decided_at(start):
        if start > today:
            return now - dt.timedelta(hours=rng.uniform(2, 20 * 24))
        start_dt = timezone.make_aware(dt.datetime.combine(start, dt.time(9, 0)))
        return start_dt - dt.timedelta(hours=rng.uniform(24, 25 * 24))

    def checked_in_at(start):
        start_dt = timezone.make_aware(dt.datetime.combine(start, dt.time(8, 0)))
        return start_dt + dt.timedelta(minutes=rng.randint(0, 180))

    def register(gathering, person, role, org, status, mandate, reason="", checked_in=False, decider="coordinator"):
        start = gathering["starts_on"]
        decided = status != "requested"
        mandate_decided = mandate in ("confirmed", "rejected")
        registrations.append({
            "gathering": gathering["slug"], "person": person["email"], "role": role, "organisation": org,
            "status": status, "mandate": mandate, "refusal_reason": reason,
            "decided_by": decider if decided else None,
            "decided_at": decided_at(start) if decided else None,
            "mandate_decided_by": decider if mandate_decided else None,
            "mandate_decided_at": decided_at(start) if mandate_decided else None,
            "checked_in_at": checked_in_at(start) if checked_in else None,
        })

    def random_registration(gathering, person, home_orgs, past, decider):
        reasons = REFUSAL_REASONS[gathering["language"]]
        if home_orgs and rng.random() < 0.75:
            role, org = "delegate", home_orgs[0]
        else:
            role, org = ("observer" if rng.random() < 0.8 else "guest"), None
        r = rng.random()
        if past:
            status = "accredited" if r < 0.8 else ("refused" if r < 0.92 else "requested")
        else:
            status = "accredited" if r < 0.5 else ("requested" if r < 0.85 else "refused")
        reason = ""
        if role == "delegate":
            if status == "accredited":
                mandate = "confirmed"
            elif status == "requested":
                mandate = "pending" if rng.random() < 0.6 else "confirmed"
            else:
                mandate = "rejected" if rng.random() < 0.5 else "confirmed"
                reason = reasons[0] if mandate == "rejected" else rng.choice(reasons[1:])
        else:
            mandate = "not_required"
            if status == "refused":
                reason = rng.choice(reasons[2:])
        checked_in = past and status == "accredited" and rng.random() < 0.85
        register(gathering, person, role, org, status, mandate, reason, checked_in, decider)

    conference, preparatory = gatherings[0], {g["country"]: g for g in gatherings[1:]}
    for person in people:
        if person["named"]:
            continue
        if rng.random() < 0.5:
            random_registration(conference, person, person["orgs"], False, "coordinator")
        meeting = preparatory[person["country"]]
        if rng.random() < 0.55:
            home = [o for o in person["orgs"] if o[1] == person["country"]]
            past = meeting["starts_on"] < today
            decider = "committee" if person["country"] == "CO" else "coordinator"
            random_registration(meeting, person, home, past, decider)

    by_email = {p["email"]: p for p in people}
    d, o, co = (by_email[login_email(role)] for role in ("delegate", "observer", "committee"))
    register(conference, d, "delegate", d["orgs"][0], "accredited", "confirmed")
    register(preparatory["BR"], d, "delegate", d["orgs"][0], "accredited", "confirmed", checked_in=True)
    register(conference, o, "observer", None, "accredited", "not_required")
    register(preparatory["CO"], co, "delegate", co["orgs"][0], "accredited", "confirmed", checked_in=True,
             decider="committee")
    return registrations


# --- loading ---------------------------------------------------------------------------


def _has_field(model, name):
    return any(f.name == name for f in model._meta.get_fields())


def _create_missing(model, objects, key, existing_keys):
    missing = [obj for obj in objects if key(obj) not in existing_keys]
    model.objects.bulk_create(missing, batch_size=500)
    return len(missing)


def _language_versions(gatherings, translator, now):
    """The snapshots of each gathering's text (the earlier wording too, where
    it changed) and the demo translator's versions, those that are missing.
    Returns how many translations were created."""
    label = label_of(Gathering)
    ids = [g.pk for g in gatherings.values()]
    snapshots, translations = [], []
    for slug, gathering in gatherings.items():
        current = gathering.original_values()
        earlier = EARLIER.get(slug) if gathering.text_revision >= 2 else None
        versions = {gathering.text_revision: current}
        if earlier:
            versions[1] = {**current, **earlier}
        snapshots += [
            Snapshot(target=label, object_id=gathering.pk, revision=revision, language=gathering.original_language,
                     fields=fields)
            for revision, fields in versions.items()
        ]
        for language, fields in TRANSLATIONS.get(slug, {}).items():
            if language == gathering.original_language:
                continue
            fields = dict(fields)
            outdated = fields.pop("earlier", False) and earlier is not None
            translations.append(Translation(
                target=label, object_id=gathering.pk, language=language, fields=fields,
                revision=1 if outdated else gathering.text_revision, translated_by=translator,
                translated_at=now - dt.timedelta(days=20 if outdated else 3),
            ))
    _create_missing(
        Snapshot, snapshots, lambda x: (x.object_id, x.revision),
        set(Snapshot.objects.filter(target=label, object_id__in=ids).values_list("object_id", "revision")),
    )
    return _create_missing(
        Translation, translations, lambda x: (x.object_id, x.language),
        set(Translation.objects.filter(target=label, object_id__in=ids).values_list("object_id", "language")),
    )


def load(context):
    """Create the missing gatherings and registrations; return {slug: Gathering}."""
    network = context.loaded["network"]
    plan = plan_gatherings(context.today)
    registrations = plan_registrations(context.rng, context.today, context.now, plan, network.people)
    user_of_role = accounts_demo.login_users()
    people, orgs = network.persons, network.organisations
    created = context.created

    with transaction.atomic():
        # Gatherings, keyed on slug.
        slugs = [g["slug"] for g in plan]
        fields = ("slug", "kind", "title", "country", "starts_on", "ends_on", "place", "description",
                  "registration_open")
        created["gatherings"] = _create_missing(
            Gathering,
            [
                Gathering(**{f: g[f] for f in fields}, original_language=ORIGINAL_LANGUAGE[g["language"]],
                          text_revision=2 if g["slug"] in EARLIER else 1)
                for g in plan
            ],
            lambda x: x.slug, set(Gathering.objects.filter(slug__in=slugs).values_list("slug", flat=True)),
        )
        gatherings = {g.slug: g for g in Gathering.objects.filter(slug__in=slugs)}
        created["translations"] = _language_versions(gatherings, user_of_role.get("translator"), context.now)

        # Registrations, keyed on (gathering, person).
        with_mandate_time = _has_field(Registration, "mandate_decided_at")
        rows = []
        for r in registrations:
            row = Registration(
                gathering=gatherings[r["gathering"]], person=people[r["person"]], role=r["role"],
                organisation=orgs[r["organisation"]] if r["organisation"] else None, status=r["status"],
                mandate=r["mandate"], refusal_reason=r["refusal_reason"], decided_at=r["decided_at"],
                decided_by=user_of_role[r["decided_by"]] if r["decided_by"] else None,
                mandate_decided_by=user_of_role[r["mandate_decided_by"]] if r["mandate_decided_by"] else None,
                checked_in_at=r["checked_in_at"],
            )
            if with_mandate_time:
                row.mandate_decided_at = r["mandate_decided_at"]
            rows.append(row)
        created["registrations"] = _create_missing(
            Registration, rows, lambda x: (x.gathering_id, x.person_id),
            set(Registration.objects.filter(gathering__in=gatherings.values()).values_list("gathering_id", "person_id")),
        )
    return gatherings


def totals():
    return {
        "gatherings": Gathering.objects.count(), "registrations": Registration.objects.count(),
        "translations": Translation.objects.count(),
    }
