"""Reads of the coalition registry used by views, the API, imports and the CLI.

Everything a viewer may see goes through here, so the per-field visibility of
people (``rules.can_see_field``) is applied the same way in pages and API.
"""

import functools
import re
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import Count, Prefetch, Q
from django.utils import translation
from django.utils.translation import get_language_info
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from convoca.core.roles import is_coordinator, is_member

from .models import JoinRequest, Membership, NationalCommittee, Organisation, Person, Visibility, match_key
from .rules import can_see_field, committee_countries, is_self

# --- countries ------------------------------------------------------------------

# Short forms people actually type in spreadsheets, in the four site languages.
# Keys are compared after ``match_key`` (case and accents do not matter).
COUNTRY_ALIASES = {
    "US": [
        "USA", "U.S.A.", "US", "U.S.", "EEUU", "EE.UU.", "EE. UU.", "EUA", "E.U.A.", "Estados Unidos",
        "Estados Unidos de América", "Estados Unidos da América", "United States", "États-Unis",
        # the official names, which our own country list no longer shows (convoca/formats/countries.py)
        "United States of America", "États-Unis d'Amérique",
    ],
    "BR": ["Brasil", "Brésil", "Brazil"],
    "GB": ["UK", "U.K.", "Great Britain", "Gran Bretaña", "Grã-Bretanha", "Grande-Bretagne", "Inglaterra"],
    "DO": ["Rep. Dominicana", "República Dominicana", "RD"],
    "BO": ["Bolivia", "Bolívia", "Bolivie"],
    "VE": ["Venezuela"],
    "MX": ["México", "Mexique", "Mexico"],
    "HT": ["Haïti", "Haiti", "Haití"],
    "GF": ["Guyane", "Guayana Francesa", "Guiana Francesa", "French Guiana"],
    "PR": ["Puerto Rico", "Porto Rico"],
    "TT": ["Trinidad y Tobago", "Trinidad e Tobago", "Trinité-et-Tobago"],
    "KR": ["Corea", "Corea del Sur", "Coreia do Sul"],
    "CD": ["RDC", "RD Congo"],
}


def _loose_key(key: str) -> str:
    """``match_key`` without punctuation: "ee.uu." -> "ee uu", "côte d’ivoire" -> "cote d ivoire"."""
    return " ".join(re.sub(r"[^\w]+", " ", key).split())


def _country_lookup_languages():
    return [code for code, _name in settings.LANGUAGES]


@functools.cache
def country_lookup() -> dict[str, str]:
    """Normalised country name or code -> ISO 3166-1 alpha-2 code.

    Keys are ``match_key`` of: alpha-2 and alpha-3 codes, the names in every
    site language (es, pt-br, en, fr, including official and former names),
    and common short forms ("USA", "EEUU", "EUA", "Brasil", "Brésil"). Each key
    also exists without punctuation. Built once per process; do not mutate.
    """
    lookup: dict[str, str] = {}

    def add(text, code):
        key = match_key(str(text))
        if key:
            lookup.setdefault(key, code)
            lookup.setdefault(_loose_key(key), code)
        # "Bolivia (Plurinational State of)" is also typed as "Bolivia".
        short = match_key(re.sub(r"\(.*?\)", "", str(text)))
        if short and short != key:
            lookup.setdefault(short, code)
            lookup.setdefault(_loose_key(short), code)

    codes = [code for code, _name in countries]
    for code in codes:
        add(code, code)
    for code in codes:
        alpha3 = countries.alpha3(code)
        if alpha3:
            add(alpha3, code)
    for code, aliases in COUNTRY_ALIASES.items():
        for alias in aliases:
            add(alias, code)
    for language in _country_lookup_languages():
        with translation.override(language):
            for code, name in countries:
                add(name, code)
            for code, names in countries.shadowed_names.items():
                for name in names:
                    add(name, code)
    lookup.pop("", None)
    return lookup


def resolve_country(text) -> str | None:
    """The alpha-2 code for a country name or code in any site language, or None."""
    if text is None:
        return None
    key = match_key(str(text))
    if not key:
        return None
    lookup = country_lookup()
    return lookup.get(key) or lookup.get(_loose_key(key))


def country_name(code) -> str:
    """The country's name in the active language ("" for an unknown code)."""
    return countries.name(code) if code else ""


@functools.cache
def _countries_in(language):
    """Every (code, name) pair sorted by name in ``language`` (active): django-countries translates and sorts
    some 250 names at each iteration (~0.5 ms), and every form with a country list asked it."""
    return tuple((code, name) for code, name in countries)


def sorted_country_choices(codes=None):
    """(code, name) pairs sorted by name in the active language; all countries by default."""
    every = _countries_in(translation.get_language())
    if codes is None:
        return list(every)
    wanted = {str(code) for code in codes}
    return [(code, name) for code, name in every if code in wanted]


# --- organisations ------------------------------------------------------------


def organisations_visible_to(user):
    """Coalition members see every organisation; everyone else only the public ones."""
    queryset = Organisation.objects.all()
    if not is_member(user):
        queryset = queryset.filter(is_public=True)
    return queryset


def organisation_countries(queryset):
    """Country codes present in a queryset of organisations."""
    return sorted(set(queryset.order_by().values_list("country", flat=True).distinct()))


# --- people ------------------------------------------------------------------------


def visibility_q(user, field, prefix=""):
    """A Q object true for the people whose ``field`` the user may see.

    The database twin of ``rules.can_see_field``; tests check they agree."""
    if is_coordinator(user):
        return Q()
    lookup = f"{prefix}{field}_visibility"
    if is_member(user):
        return Q(**{f"{lookup}__in": [Visibility.PUBLIC, Visibility.MEMBERS]}) | Q(**{f"{prefix}user": user})
    return Q(**{lookup: Visibility.PUBLIC})


def _membership_prefetch():
    return Prefetch(
        "memberships",
        queryset=Membership.objects.select_related("organisation").order_by("organisation__name_key"),
    )


def people_visible_to(user):
    """People the user may know exist: those whose display name the user may see.

    A person whose name is hidden from the viewer is left out of lists and
    their page answers 404 — no "Member #123" placeholder that would reveal
    how many people there are or let an observer follow one record over time.
    Anonymous visitors see no one through this query (people pages are for
    members only)."""
    if not is_member(user):
        return Person.objects.none()
    return Person.objects.filter(visibility_q(user, "display_name")).prefetch_related(_membership_prefetch())


def people_of_organisation(user, organisation):
    """Members of an organisation shown on its page: name and membership both visible."""
    return (
        Person.objects.filter(memberships__organisation=organisation)
        .filter(visibility_q(user, "display_name"))
        .filter(visibility_q(user, "memberships"))
        .order_by("display_name", "pk")
    )


LANGUAGE_NAMES = {
    "es": _("Spanish"),
    "pt": _("Portuguese"),
    "en": _("English"),
    "fr": _("French"),
}


def language_name(code):
    """A language's name in the active language; the code itself when unknown."""
    if code in LANGUAGE_NAMES:
        return str(LANGUAGE_NAMES[code])
    try:
        return str(get_language_info(code)["name_translated"])
    except KeyError:
        return code


@dataclass
class PersonCard:
    """What one viewer may see of one person. A hidden field is ``None``."""

    pk: int
    url: str
    display_name: str | None
    full_name: str | None
    email: str | None
    languages: list | None
    organisations: list | None
    visibility: dict | None = None
    can_change: bool = False
    is_self: bool = False
    language_names: list | None = field(default=None)


def person_card(user, person, *, with_visibility=False):
    """Apply ``can_see_field`` to every personal field of ``person`` for ``user``."""

    def shown(name, value):
        return value if can_see_field(user, person, name) else None

    organisations = None
    if can_see_field(user, person, "memberships"):
        organisations = [m.organisation for m in person.memberships.all()]
    languages = shown("languages", person.language_list)
    can_change = bool(user and user.has_perm("network.change_person", person))
    visibility = None
    if with_visibility and can_change:
        visibility = {name: getattr(person, f"{name}_visibility") for name in Person.VISIBLE_FIELDS}
    return PersonCard(
        pk=person.pk,
        url=person.get_absolute_url(),
        display_name=shown("display_name", person.display_name),
        full_name=shown("full_name", person.full_name),
        email=shown("email", person.email),
        languages=languages,
        language_names=[language_name(code) for code in languages] if languages is not None else None,
        organisations=organisations,
        visibility=visibility,
        can_change=can_change,
        is_self=bool(is_self(user, person)),
    )


# --- national committees --------------------------------------------------------


def committees_with_counts():
    return NationalCommittee.objects.annotate(member_count=Count("members")).order_by("country")


def committees_with_visible_members(user):
    members = Person.objects.filter(visibility_q(user, "display_name")).order_by("display_name", "pk")
    return NationalCommittee.objects.prefetch_related(
        Prefetch("members", queryset=members, to_attr="visible_members")
    ).order_by("country")


def committee_members_visible_to(user, committee):
    return committee.members.filter(visibility_q(user, "display_name")).order_by("display_name", "pk")


# --- requests to join organisations ------------------------------------------------------


def join_requests_to_decide(user):
    """The pending requests ``user`` may decide (see ``network.decide_join_request``), oldest first."""
    if not is_member(user):
        return JoinRequest.objects.none()
    rows = JoinRequest.objects.filter(status=JoinRequest.Status.PENDING).select_related("person", "organisation")
    if not is_coordinator(user):
        rows = rows.filter(
            Q(country__in=committee_countries(user)) | Q(organisation__contact__user=user)
        ).exclude(person__user=user)
    return rows.order_by("created_at", "pk")


def own_join_requests(user):
    return JoinRequest.objects.filter(person__user=user).select_related("organisation").order_by("-created_at")[:20]


def join_request_deciders(join_request):
    """The people told of a new request to join (or a proposed organisation), those who may decide it
    (``network.decide_join_request``): the organisation's contact person and the members of its country's
    national committee, each with an active account, never the person asking; when nobody of these may
    decide (no committee, no contact with an account), the coordinators."""
    candidates = list(
        Person.objects.select_related("user")
        .filter(committees__country=join_request.country, user__is_active=True, erased_at__isnull=True)
        .order_by("pk")
    )
    organisation = join_request.organisation
    if organisation is not None and organisation.contact_id:
        contact = Person.objects.select_related("user").filter(
            pk=organisation.contact_id, user__is_active=True, erased_at__isnull=True
        ).first()
        if contact is not None:
            candidates.insert(0, contact)
    people = _deciding(candidates, join_request)
    if not people:
        # The coordinators, each through their record in the registry (an erased record is not told), or through
        # an unsaved record of their account when it has none (made with ``createsuperuser``): its address and
        # language.
        accounts = get_user_model().objects.select_related("person").filter(
            Q(is_coordinator=True) | Q(is_superuser=True), is_active=True).order_by("pk")
        records = [getattr(user, "person", None) or Person(user=user) for user in accounts]
        people = _deciding([record for record in records if record.erased_at is None], join_request)
    return people


def _deciding(candidates, join_request):
    seen, people = set(), []
    for person in candidates:
        key = person.pk or ("account", person.user_id)  # an unsaved record stands for its account
        if key not in seen and person.user.has_perm("network.decide_join_request", join_request):
            seen.add(key)
            people.append(person)
    return people
