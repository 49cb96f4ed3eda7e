"""With the demo coalition loaded, every public page and every public API
answer is searched for every private value of every person: emails, full
names, display names and pseudonyms their owner did not make public, and
memberships they did not make public. None may appear.

Public pages are found as a visitor finds them: from the home page, by
following every link (and every page of every list). The API is asked every
GET operation of its OpenAPI document, for every gathering, organisation,
poll and proposal of the demo. Then the same walk as a plain member (the demo
observer) looks for what only coordinators may see.
"""

import html
import re
from collections import deque
from urllib.parse import urljoin, urlsplit

import pytest
from django.core.management import call_command
from django.test import Client

from convoca.accounts.demo_data import login_email
from convoca.accounts.models import User
from convoca.gatherings.models import Gathering
from convoca.network.models import Organisation, Person, ShownAs, Visibility
from convoca.voting.models import Poll

pytestmark = pytest.mark.django_db

HREF = re.compile(r"""href=["']([^"'#]+)""")
SKIP = ("/static/", "/api/v1/docs", "/i18n/", "/accounts/logout", "mailto:", "/accounts/password/reset/")
PAGE_LIMIT = 1500  # pages per walk: far more than the demo has for a visitor, a cap for a member's walk


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        call_command("demo", stdout=open("/dev/null", "w"))  # noqa: SIM115 (closed with the process)
        yield
        from django.core.management import call_command as run

        run("flush", interactive=False, verbosity=0)


def _text(response):
    return html.unescape(response.content.decode("utf-8", "replace"))


def walk(client, start="/", limit=PAGE_LIMIT):
    """{path: text} of every page reachable from ``start`` by links, GET only."""
    seen, queue, pages = {start}, deque([start]), {}
    while queue and len(pages) < limit:
        path = queue.popleft()
        response = client.get(path)
        if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
            continue
        pages[path] = _text(response)
        for href in HREF.findall(response.content.decode("utf-8", "replace")):
            target = urljoin(path, html.unescape(href))
            parts = urlsplit(target)
            if parts.netloc or not parts.path.startswith("/") or target.startswith(SKIP):
                continue
            target = parts.path + (f"?{parts.query}" if parts.query else "")
            if target not in seen:
                seen.add(target)
                queue.append(target)
    return pages


def api_answers(client):
    """{path: text} of every GET operation of the API, for every object of the demo it can name."""
    schema = client.get("/api/v1/openapi.json").json()
    values = {
        "slug": list(Gathering.objects.values_list("slug", flat=True)),
        "organisation_id": list(Organisation.objects.values_list("pk", flat=True)),
        "poll_id": list(Poll.objects.values_list("pk", flat=True)),
        "person_id": list(Person.objects.values_list("pk", flat=True)[:20]),
    }
    try:
        from convoca.proposals.models import Proposal

        values["proposal_id"] = list(Proposal.objects.values_list("pk", flat=True))
    except ImportError:  # an app not built yet
        values["proposal_id"] = []
    answers = {}
    for template, operations in schema["paths"].items():
        if "get" not in operations:
            continue
        names = re.findall(r"{(\w+)}", template)
        if any(name not in values for name in names):
            continue  # a pair of ids (a conflict of a proposal, a translation): needs a login anyway
        combos = [{}]
        for name in names:
            combos = [{**combo, name: value} for combo in combos for value in values[name]]
        for combo in combos:
            path = template.format(**combo)
            for query in ("", "?limit=200", "?limit=200&offset=200"):
                answers[path + query] = _text(client.get(path + query))
    return answers


def _private_values(people, shown_to):
    """[(what, value)] a viewer of level ``shown_to`` ("public" or "members") may not see."""
    allowed = {"public": {Visibility.PUBLIC}, "members": {Visibility.PUBLIC, Visibility.MEMBERS}}[shown_to]
    private = []
    for person in people:
        if person.email and person.email_visibility not in allowed:
            private.append(("email", person.email))
        if person.full_name and person.full_name_visibility not in allowed:
            private.append(("full name", person.full_name))
        if person.display_name_visibility not in allowed:
            private.append(("display name", person.display_name))
        if person.pseudonym and person.shown_as != ShownAs.PSEUDONYM:
            private.append(("pseudonym not chosen", person.pseudonym))
    return private


def _visible_values(people, organisations, shown_to):
    """Texts the viewer may see: a private value equal to (or inside) one of these is not evidence of a leak."""
    allowed = {"public": {Visibility.PUBLIC}, "members": {Visibility.PUBLIC, Visibility.MEMBERS}}[shown_to]
    visible = [org.name for org in organisations]
    for person in people:
        for field in ("display_name", "full_name", "email"):
            if getattr(person, f"{field}_visibility") in allowed:
                visible.append(getattr(person, field))
        if person.shown_as == ShownAs.PSEUDONYM:
            visible.append(person.pseudonym)
    visible += list(Gathering.objects.values_list("title", flat=True))
    return [v for v in visible if v]


def _pattern(value):
    return re.compile(rf"(?<![\w@.]){re.escape(value)}(?![\w@])")


def find_leaks(outputs, private, visible, *, exempt=()):
    leaks = []
    for what, value in private:
        if value in exempt or any(value in other for other in visible):
            continue
        pattern = _pattern(value)
        leaks.extend(f"{what} {value!r} in {path}" for path, text in outputs.items() if pattern.search(text))
    return leaks


def membership_leaks(outputs, people, shown_to):
    """A person shown by name next to an organisation they belong to, where the membership is not theirs to show."""
    allowed = {"public": {Visibility.PUBLIC}, "members": {Visibility.PUBLIC, Visibility.MEMBERS}}[shown_to]
    leaks = []
    for person in people:
        if person.display_name_visibility not in allowed or person.memberships_visibility in allowed:
            continue
        name = _pattern(person.display_name)
        for membership in person.memberships.all():
            org = _pattern(membership.organisation.name)
            for path, text in outputs.items():
                for found in name.finditer(text):
                    around = text[max(0, found.start() - 300): found.end() + 300]
                    if org.search(around):
                        leaks.append(f"{person.display_name!r} with {membership.organisation.name!r} in {path}")
    return leaks


def _people():
    return list(Person.objects.prefetch_related("memberships__organisation"))


def test_it_shows_the_public_no_private_value_of_anyone(demo):
    client = Client()
    pages = walk(client)
    assert len(pages) > 20 and "/organisations/" in pages and any(p.startswith("/gatherings/") for p in pages)
    answers = api_answers(client)
    assert len(answers) > 20
    outputs = {**pages, **answers}
    people = _people()
    private = _private_values(people, "public")
    assert len(private) > 500  # the demo has hundreds of people, most of them private
    visible = _visible_values(people, Organisation.objects.filter(is_public=True), "public")
    leaks = find_leaks(outputs, private, visible) + membership_leaks(outputs, people, "public")
    assert not leaks, leaks[:20]


def test_it_shows_a_member_no_value_kept_for_coordinators(demo):
    member = User.objects.get(email=login_email("observer"))
    client = Client()
    client.force_login(member)
    pages = walk(client, limit=300)
    assert len(pages) > 50 and "/people/" in pages
    people = _people()
    own = Person.objects.get(user=member)
    private = [(what, value) for what, value in _private_values(people, "members")
               if value not in (own.email, own.full_name, own.display_name)]
    visible = _visible_values(people, Organisation.objects.all(), "members")
    leaks = find_leaks(pages, private, visible) + membership_leaks(pages, [p for p in people if p != own], "members")
    assert not leaks, leaks[:20]
