"""The network's share of ``convoca demo``: national committees, organisations,
people and memberships (run by ``convoca.core.seeding``).

This is a **fixture loader, not a user write path**. To load ~300 people in a
fraction of a second it writes seed rows with the ORM and ``bulk_create``
instead of going through ``convoca/network/services.py``: no permission
checks, no emails, no realtime events, no audit trail. Nothing a user does
ever reaches this module.

Idempotent: the people are planned from the demo's seeded generator,
independently of what the database holds, and every row is keyed on a natural
key (committee country, organisation name + country, person email, membership
person + organisation, committee seat). A second run finds every key and
creates nothing; rows that exist are never updated or deleted.

Every person and organisation is fictional (see ``demo_data.py``). A named
person (``demo_data.NAMED_PEOPLE``) is linked to the account that has the same
email when it exists: the accounts demo, loaded before this one, makes the
demo logins.
"""

import unicodedata
from collections import defaultdict
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db import transaction

from . import demo_data as data
from .demo_data import email_of
from .models import AddressForm, JoinRequest, Membership, NationalCommittee, Organisation, Person, Sector, match_key


def org_key(country, name):
    """The registry's own key for an organisation: (name key, country)."""
    return (match_key(name), country)


@dataclass
class NetworkDemo:
    """What the gatherings demo needs: the plan of every person (dicts with
    ``email``, ``country``, ``orgs`` as org keys, ``named``), and the rows."""

    people: list
    persons: dict  # email: Person
    organisations: dict  # org key: Organisation


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
        "email": email_of(f"{_ascii(given)}.{_ascii(first)}.{number:03d}"),
        "display_name": display_name,
        "full_name": full_name,
        "country": country,
        "languages": rng.choice(data.COUNTRY_LANGUAGES[country]),
        # Mostly the private default; some choose to be seen by members or by everyone.
        "display_name_visibility": _visibility(rng, 0.12, 0.33),
        "full_name_visibility": _visibility(rng, 0.05, 0.2),
        "email_visibility": _visibility(rng, 0.03, 0.12),
        "languages_visibility": _visibility(rng, 0.1, 0.3),
        "memberships_visibility": _visibility(rng, 0.1, 0.25),
        "orgs": [],
        "named": False,
    }


def build_plan(rng):
    """People, committees and organisation contacts, as plain dicts. Depends
    only on the state of ``rng`` (the demo's seeded generator)."""
    orgs_by_country = defaultdict(list)
    for country, _sector, name, _public in data.ORGANISATIONS:
        orgs_by_country[country].append(org_key(country, name))
    all_orgs = [key for keys in orgs_by_country.values() for key in keys]

    # The named people first, then the fictional crowd.
    people = []
    named = []
    for local, (given, surnames, country, languages, _org, _seat) in data.NAMED_PEOPLE.items():
        person = _person(rng, 0, country)
        person.update({
            "email": email_of(local), "display_name": f"{given} {surnames.split()[0]}",
            "full_name": f"{given} {surnames}", "languages": languages, "named": True,
        })
        people.append(person)
        named.append(person)
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

    crowd = [p for p in people if not p["named"]]
    committees = {code: [p["email"] for p in crowd if p["country"] == code][:3] for code in data.COUNTRY_LANGUAGES}
    for person, (_given, _surnames, _country, _languages, org, seat) in zip(
        named, data.NAMED_PEOPLE.values(), strict=True
    ):
        if org:
            person["orgs"] = [org_key(*org)]
        if seat:
            committees[seat].append(person["email"])

    # Organisation contacts: most organisations name one of their members.
    members_of = defaultdict(list)
    for p in people:
        for org in p["orgs"]:
            members_of[org].append(p["email"])
    contacts = {}
    for index, org in enumerate(all_orgs):
        if members_of[org] and index % 4 != 3:
            contacts[org] = members_of[org][0]
    return {"people": people, "committees": committees, "contacts": contacts}


# --- loading ---------------------------------------------------------------------------


def _create_missing(model, objects, key, existing_keys):
    missing = [obj for obj in objects if key(obj) not in existing_keys]
    model.objects.bulk_create(missing, batch_size=500)
    return len(missing)


def load(context):
    plan = build_plan(context.rng)
    created = context.created

    with transaction.atomic():
        # National committees, keyed on country.
        codes = list(plan["committees"])
        created["committees"] = _create_missing(
            NationalCommittee, [NationalCommittee(country=code) for code in codes], lambda x: str(x.country),
            {str(c) for c in NationalCommittee.objects.filter(country__in=codes).values_list("country", flat=True)},
        )
        committees = {str(c.country): c for c in NationalCommittee.objects.filter(country__in=codes)}

        # Organisations, keyed on (name_key, country) like the registry's own constraint.
        org_rows = []
        for country, sector, name, public in data.ORGANISATIONS:
            name = " ".join(name.split())
            org_rows.append(Organisation(name=name, name_key=match_key(name), country=country, sector=sector,
                                         is_public=public))
        row_key = lambda x: (x.name_key, str(x.country))  # noqa: E731
        name_keys = [o.name_key for o in org_rows]
        existing_orgs = {row_key(o) for o in Organisation.objects.filter(name_key__in=name_keys)}
        new_org_keys = {row_key(o) for o in org_rows} - existing_orgs
        created["organisations"] = _create_missing(Organisation, org_rows, row_key, existing_orgs)
        orgs = {row_key(o): o for o in Organisation.objects.filter(name_key__in=name_keys)}

        # People, keyed on email; a named person gets the account of the same email.
        named_emails = [p["email"] for p in plan["people"] if p["named"]]
        accounts = {u.email: u for u in get_user_model().objects.filter(email__in=named_emails)}
        person_fields = ("display_name", "display_name_visibility", "full_name", "full_name_visibility",
                         "email_visibility", "languages", "languages_visibility", "memberships_visibility")
        person_rows = []
        for p in plan["people"]:
            row = Person(email=p["email"].lower(), **{f: p[f] for f in person_fields})
            if p["named"]:
                row.user = accounts.get(p["email"])
            person_rows.append(row)
        emails = [p.email for p in person_rows]
        known_emails = set(Person.objects.filter(email__in=emails).values_list("email", flat=True))
        created["people"] = _create_missing(Person, person_rows, lambda x: x.email, known_emails)
        people = {p.email: p for p in Person.objects.filter(email__in=emails)}
        person_ids = [p.pk for p in people.values()]
        # How the named women asked their badges to address them (issue 11): set once, when created here.
        new_women = [people[email].pk for email in map(email_of, ("delegada", "observadora"))
                     if email in people and email not in known_emails]
        Person.objects.filter(pk__in=new_women).update(address_form=AddressForm.FEMININE)

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

        # Newcomers waiting (issue 11): two people of the crowd who belong to no organisation ask Colombia's
        # national committee, one to join an organisation, one to add her collective. Keyed on the person.
        loners = [p["email"] for p in plan["people"] if not p["named"] and not p["orgs"] and p["country"] == "CO"]
        colombian = sorted(key for key in orgs if key[1] == "CO")
        if len(loners) >= 2 and colombian:
            asking = {people[loners[0]].pk, people[loners[1]].pk}
            if not JoinRequest.objects.filter(person_id__in=asking).exists():
                JoinRequest.objects.bulk_create([
                    JoinRequest(person=people[loners[0]], organisation=orgs[colombian[0]], country="CO"),
                    JoinRequest(person=people[loners[1]], name="Colectiva de Recicladoras del Valle", country="CO",
                                sector=Sector.SOCIAL_MOVEMENT),
                ])
                created["join_requests"] = 2

    return NetworkDemo(people=plan["people"], persons=people, organisations=orgs)


def totals():
    return {
        "committees": NationalCommittee.objects.count(),
        "organisations": Organisation.objects.count(),
        "people": Person.objects.count(),
    }
