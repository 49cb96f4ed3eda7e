"""The demo coalition behind ``convoca demo``.

This is a **fixture loader, not a user write path**. To load ~300 people and
~500 registrations in about a second it writes seed rows with the ORM and
``bulk_create`` instead of going through the services in
``convoca/network/services.py`` and ``convoca/gatherings/services.py``: no
permission checks, no emails, no realtime events, no audit trail. Nothing a
user does ever reaches this module.

Idempotent: the whole demo is planned from a fixed seed, independently of what
the database holds, and every row is keyed on a natural key (gathering slug,
committee country, organisation name + country, person email, membership
person + organisation, registration gathering + person, account email). A
second run finds every key and creates nothing; rows that exist are never
updated or deleted.

Every person and organisation is fictional (see ``data.py``). The demo
accounts share one published password: a demo instance only.
"""

import datetime as dt
import importlib
import importlib.util
import random
import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from . import data

DEMO_DOMAIN = "demo.example.org"  # reserved by RFC 2606: mail to it never reaches anyone
PASSWORD = "convoca-demo-2026"
SEED = 2026

ROLE_LABELS = {
    "coordinator": _("Coordinator"),
    "committee": _("National committee member (Colombia)"),
    "delegate": _("Delegate accredited at the conference"),
    "observer": _("Observer at the conference"),
    "translator": _("Translator"),
}
ROLES = list(ROLE_LABELS)


def login_email(role):
    return f"{data.LOGINS[role][0]}@{DEMO_DOMAIN}"


def demo_logins():
    """[(role label, email)] for every demo role, in a stable order."""
    return [(ROLE_LABELS[role], login_email(role)) for role in ROLES]


def other_accounts_exist():
    """True when the database holds accounts that the demo did not create and
    the demo has never been loaded: probably a real instance."""
    from convoca.accounts.models import User

    demo_emails = [login_email(role) for role in ROLES]
    if User.objects.filter(email__in=demo_emails).exists():
        return False
    return User.objects.exclude(email__in=demo_emails).exists()


@dataclass
class DemoResult:
    created: dict = field(default_factory=dict)
    totals: dict = field(default_factory=dict)
    polls: str = ""  # "loaded", "absent" (voting demo not available yet)

    @property
    def changed(self):
        return any(self.created.values())


# --- planning (pure Python, no database) --------------------------------------------------


def _ascii(text):
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return "".join(ch for ch in plain.lower() if ch.isalnum())


def _visibility(rng, public, members):
    r = rng.random()
    if r < public:
        return "public"
    if r < public + members:
        return "members"
    return "coordinators"


def _person(rng, number, country):
    given_pool, surname_pool, two_surnames = data.NAME_POOLS[country]
    given = rng.choice(given_pool)
    first = rng.choice(surname_pool)
    second = rng.choice(surname_pool)
    if country == "BR":
        two_surnames = rng.random() < 0.6
    full_name = f"{given} {first} {second}" if two_surnames and second != first else f"{given} {first}"
    display_name = f"{given} {first[0]}." if rng.random() < 0.3 else f"{given} {first}"
    return {
        "email": f"{_ascii(given)}.{_ascii(first)}.{number:03d}@{DEMO_DOMAIN}",
        "display_name": display_name,
        "full_name": full_name,
        "country": country,
        "languages": rng.choice(data.COUNTRIES[country][6]),
        # Mostly the private default; some choose to be seen by members or by everyone.
        "display_name_visibility": _visibility(rng, 0.12, 0.33),
        "full_name_visibility": _visibility(rng, 0.05, 0.2),
        "email_visibility": _visibility(rng, 0.03, 0.12),
        "languages_visibility": _visibility(rng, 0.1, 0.3),
        "memberships_visibility": _visibility(rng, 0.1, 0.25),
        "orgs": [],
        "login": None,
    }


def _org_key(country, name):
    from convoca.network.models import match_key

    return (match_key(name), country)


def build_plan(today, now):
    """Everything the demo contains, as plain dicts. Depends only on the seed
    and on today's date (gathering dates are relative to the day of loading)."""
    rng = random.Random(SEED)
    orgs_by_country = defaultdict(list)
    for country, _sector, name, _public in data.ORGANISATIONS:
        orgs_by_country[country].append(_org_key(country, name))
    all_orgs = [key for keys in orgs_by_country.values() for key in keys]

    # Gatherings.
    gatherings = []
    c = data.CONFERENCE
    conf_start = today + dt.timedelta(days=c["days_from_today"])
    gatherings.append({
        "slug": c["slug"], "kind": "conference", "title": c["title"], "country": c["country"],
        "starts_on": conf_start, "ends_on": conf_start + dt.timedelta(days=c["length_days"] - 1),
        "place": c["place"], "description": c["description"], "registration_open": True, "language": "es",
    })
    for code, (slug, lang, city, offset, length, title, _langs) in data.COUNTRIES.items():
        start = today + dt.timedelta(days=offset)
        gatherings.append({
            "slug": f"preparatorio-{slug}", "kind": "preparatory", "title": title, "country": code,
            "starts_on": start, "ends_on": start + dt.timedelta(days=length - 1), "place": city,
            "description": data.MEETING_DESCRIPTIONS[lang], "registration_open": offset > 0, "language": lang,
        })

    # People: the five logins first, then the fictional crowd.
    people = []
    logins = {}
    for role, (local, given, surnames, country, languages) in data.LOGINS.items():
        person = _person(rng, 0, country)
        person.update({
            "email": f"{local}@{DEMO_DOMAIN}", "display_name": f"{given} {surnames.split()[0]}",
            "full_name": f"{given} {surnames}", "languages": languages, "login": role,
        })
        people.append(person)
        logins[role] = person
    number = 0
    for country, count in data.PEOPLE_PER_COUNTRY.items():
        for _i in range(count):
            number += 1
            person = _person(rng, number, country)
            r = rng.random()
            howmany = 0 if r < 0.12 else (1 if r < 0.85 else 2)
            for _j in range(howmany):
                pool = all_orgs if rng.random() < 0.1 else orgs_by_country[country]
                org = rng.choice(pool)
                if org not in person["orgs"]:
                    person["orgs"].append(org)
            people.append(person)

    key = _org_key
    logins["delegate"]["orgs"] = [key("BR", "Sindicato dos Trabalhadores da Construção do ABC")]
    logins["committee"]["orgs"] = [key("CO", "Unión Sindical de Trabajadores del Café del Quindío")]
    logins["observer"]["orgs"] = [key("GP", "Kolèktif Solidarité Migran Gwadloup")]

    crowd = [p for p in people if p["login"] is None]
    committees = {code: [p["email"] for p in crowd if p["country"] == code][:3] for code in data.COUNTRIES}
    committees["CO"].append(logins["committee"]["email"])

    # Organisation contacts: most organisations name one of their members.
    members_of = defaultdict(list)
    for p in people:
        for org in p["orgs"]:
            members_of[org].append(p["email"])
    contacts = {}
    for index, org in enumerate(all_orgs):
        if members_of[org] and index % 4 != 3:
            contacts[org] = members_of[org][0]

    # Registrations.
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
        reasons = data.REFUSAL_REASONS[gathering["language"]]
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
    for person in crowd:
        if rng.random() < 0.5:
            random_registration(conference, person, person["orgs"], False, "coordinator")
        meeting = preparatory[person["country"]]
        if rng.random() < 0.55:
            home = [o for o in person["orgs"] if o[1] == person["country"]]
            past = meeting["starts_on"] < today
            decider = "committee" if person["country"] == "CO" else "coordinator"
            random_registration(meeting, person, home, past, decider)

    d, o, co = logins["delegate"], logins["observer"], logins["committee"]
    register(conference, d, "delegate", d["orgs"][0], "accredited", "confirmed")
    register(preparatory["BR"], d, "delegate", d["orgs"][0], "accredited", "confirmed", checked_in=True)
    register(conference, o, "observer", None, "accredited", "not_required")
    register(preparatory["CO"], co, "delegate", co["orgs"][0], "accredited", "confirmed", checked_in=True,
             decider="committee")

    return {
        "gatherings": gatherings, "people": people, "committees": committees, "contacts": contacts,
        "registrations": registrations,
    }


# --- loading ---------------------------------------------------------------------------


def _has_field(model, name):
    return any(f.name == name for f in model._meta.get_fields())


def _create_missing(model, objects, key, existing_keys):
    missing = [obj for obj in objects if key(obj) not in existing_keys]
    model.objects.bulk_create(missing, batch_size=500)
    return len(missing)


def load_demo():
    """Load the demo coalition; return what was created and the table totals."""
    from convoca.accounts.models import User
    from convoca.gatherings.models import Gathering, Registration
    from convoca.network.models import Membership, NationalCommittee, Organisation, Person

    now = timezone.now()
    plan = build_plan(timezone.localdate(), now)
    created = {}

    with transaction.atomic():
        # Accounts: one per role, all with the published demo password.
        login_emails = [login_email(role) for role in ROLES]
        existing = set(User.objects.filter(email__in=login_emails).values_list("email", flat=True))
        new_users = []
        for role in ROLES:
            if login_email(role) in existing:
                continue
            user = User(email=login_email(role), is_coordinator=role == "coordinator",
                        is_translator=role == "translator")
            user.set_password(PASSWORD)
            new_users.append(user)
        User.objects.bulk_create(new_users)
        created["accounts"] = len(new_users)
        users = {u.email: u for u in User.objects.filter(email__in=login_emails)}
        user_of_role = {role: users[login_email(role)] for role in ROLES}

        # Gatherings, keyed on slug.
        slugs = [g["slug"] for g in plan["gatherings"]]
        fields = ("slug", "kind", "title", "country", "starts_on", "ends_on", "place", "description",
                  "registration_open")
        created["gatherings"] = _create_missing(
            Gathering, [Gathering(**{f: g[f] for f in fields}) for g in plan["gatherings"]], lambda x: x.slug,
            set(Gathering.objects.filter(slug__in=slugs).values_list("slug", flat=True)),
        )
        gatherings = {g.slug: g for g in Gathering.objects.filter(slug__in=slugs)}

        # National committees, keyed on country.
        codes = list(plan["committees"])
        created["committees"] = _create_missing(
            NationalCommittee, [NationalCommittee(country=code) for code in codes], lambda x: str(x.country),
            {str(c) for c in NationalCommittee.objects.filter(country__in=codes).values_list("country", flat=True)},
        )
        committees = {str(c.country): c for c in NationalCommittee.objects.filter(country__in=codes)}

        # Organisations, keyed on (name_key, country) like the registry's own constraint.
        from convoca.network.models import match_key

        org_rows = []
        for country, sector, name, public in data.ORGANISATIONS:
            name = " ".join(name.split())
            org_rows.append(Organisation(name=name, name_key=match_key(name), country=country, sector=sector,
                                         is_public=public))
        org_key = lambda x: (x.name_key, str(x.country))  # noqa: E731
        name_keys = [o.name_key for o in org_rows]
        existing_orgs = {org_key(o) for o in Organisation.objects.filter(name_key__in=name_keys)}
        new_org_keys = {org_key(o) for o in org_rows} - existing_orgs
        created["organisations"] = _create_missing(Organisation, org_rows, org_key, existing_orgs)
        orgs = {org_key(o): o for o in Organisation.objects.filter(name_key__in=name_keys)}

        # People, keyed on email.
        person_fields = ("display_name", "display_name_visibility", "full_name", "full_name_visibility",
                         "email_visibility", "languages", "languages_visibility", "memberships_visibility")
        person_rows = []
        for p in plan["people"]:
            row = Person(email=p["email"].lower(), **{f: p[f] for f in person_fields})
            if p["login"]:
                row.user = user_of_role[p["login"]]
            person_rows.append(row)
        emails = [p.email for p in person_rows]
        created["people"] = _create_missing(
            Person, person_rows, lambda x: x.email,
            set(Person.objects.filter(email__in=emails).values_list("email", flat=True)),
        )
        people = {p.email: p for p in Person.objects.filter(email__in=emails)}
        person_ids = [p.pk for p in people.values()]

        # Memberships, keyed on (person, organisation).
        rows = [Membership(person=people[p["email"]], organisation=orgs[org]) for p in plan["people"] for org in p["orgs"]]
        created["memberships"] = _create_missing(
            Membership, rows, lambda x: (x.person_id, x.organisation_id),
            set(Membership.objects.filter(person_id__in=person_ids).values_list("person_id", "organisation_id")),
        )

        # Committee members, keyed on (committee, person).
        Through = NationalCommittee.members.through
        rows = [Through(nationalcommittee=committees[code], person=people[email])
                for code, members in plan["committees"].items() for email in members]
        created["committee_members"] = _create_missing(
            Through, rows, lambda x: (x.nationalcommittee_id, x.person_id),
            set(Through.objects.filter(person_id__in=person_ids).values_list("nationalcommittee_id", "person_id")),
        )

        # Contacts, only on organisations created by this run (never overwrite an edit).
        updated = []
        for key, email in plan["contacts"].items():
            org = orgs[key]
            if key in new_org_keys and org.contact_id is None:
                org.contact = people[email]
                updated.append(org)
        Organisation.objects.bulk_update(updated, ["contact"], batch_size=500)

        # Registrations, keyed on (gathering, person).
        with_mandate_time = _has_field(Registration, "mandate_decided_at")
        rows = []
        for r in plan["registrations"]:
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

    result = DemoResult(created=created)
    result.polls = _load_polls(gatherings[data.CONFERENCE["slug"]], user_of_role["coordinator"])
    result.totals = {
        "gatherings": Gathering.objects.count(),
        "committees": NationalCommittee.objects.count(),
        "organisations": Organisation.objects.count(),
        "people": Person.objects.count(),
        "registrations": Registration.objects.count(),
    }
    return result


def _load_polls(conference, coordinator):
    """Demo votes come from the voting app: loaded once (a conference that has
    polls already is left alone). The voters are accredited delegates of the
    conference; the fictional ones get an account without a usable password so
    that they can be on the voter roll (nobody can log in as them)."""
    if importlib.util.find_spec("convoca.voting.demo") is None:
        return "absent"
    from convoca.accounts.models import User
    from convoca.gatherings.models import Registration
    from convoca.voting.models import Poll

    if Poll.objects.filter(gathering=conference).exists():
        return "present"
    delegates = list(
        Registration.objects.filter(
            gathering=conference, role=Registration.Role.DELEGATE, status=Registration.Status.ACCREDITED,
            person__user__isnull=True,
        ).exclude(person__email="").select_related("person")[:40]
    )
    for registration in delegates:
        user = User(email=registration.person.email)
        user.set_unusable_password()
        user.save()
        registration.person.user = user
        registration.person.save(update_fields=["user"])
    module = importlib.import_module("convoca.voting.demo")
    logins = User.objects.filter(email__in=[login_email(role) for role in ROLES])
    module.load_demo_polls(conference, coordinator, leave_to=list(logins))
    return "loaded"
