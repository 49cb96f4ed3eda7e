import re
import time
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from convoca.accounts.demo import current_code
from convoca.accounts.demo_data import PASSWORD, ROLES, SECOND_FACTOR_ROLES, TOTP_KEY, login_email
from convoca.accounts.models import User
from convoca.gatherings.models import Gathering, Registration
from convoca.network.demo_data import DEMO_DOMAIN
from convoca.network.models import Membership, NationalCommittee, Organisation, Person, Sector
from convoca.network.rules import committee_countries
from tests.fixtures import make_user

pytestmark = pytest.mark.django_db

COUNTRIES = {"BR", "CO", "EC", "US", "GP", "GY", "MX", "PA", "PE", "VE"}


def run_demo(*args):
    out = StringIO()
    call_command("demo", *args, stdout=out)
    return out.getvalue()


def table_counts():
    return {
        "accounts": User.objects.count(),
        "gatherings": Gathering.objects.count(),
        "committees": NationalCommittee.objects.count(),
        "committee members": NationalCommittee.members.through.objects.count(),
        "organisations": Organisation.objects.count(),
        "contacts": Organisation.objects.filter(contact__isnull=False).count(),
        "people": Person.objects.count(),
        "memberships": Membership.objects.count(),
        "registrations": Registration.objects.count(),
        "checked in": Registration.objects.filter(checked_in_at__isnull=False).count(),
    }


@pytest.fixture
def loaded():
    return run_demo()


def test_it_changes_nothing_when_run_twice(loaded):
    first = table_counts()
    output = run_demo()
    assert table_counts() == first
    assert "nothing changed" in output


def test_it_never_overwrites_a_row_that_exists(loaded):
    org = Organisation.objects.filter(contact__isnull=False).first()
    edited = not org.is_public
    org.is_public = edited
    org.contact = None
    org.save(update_fields=["is_public", "contact"])
    run_demo()
    org.refresh_from_db()
    assert (org.is_public, org.contact) == (edited, None)


def test_it_loads_the_meetings_and_the_conference(loaded):
    conferences = Gathering.objects.filter(kind=Gathering.Kind.CONFERENCE)
    assert conferences.count() == 1
    assert conferences.get().place == "Ciudad de Panamá"
    preparatory = Gathering.objects.filter(kind=Gathering.Kind.PREPARATORY)
    assert {str(c) for c in preparatory.values_list("country", flat=True)} == COUNTRIES
    assert {str(c) for c in NationalCommittee.objects.values_list("country", flat=True)} == COUNTRIES
    assert all(c.members.exists() for c in NationalCommittee.objects.all())


def test_it_loads_organisations_of_every_sector_in_every_country(loaded):
    assert Organisation.objects.count() >= 55
    assert set(Organisation.objects.values_list("sector", flat=True)) == set(Sector.values)
    assert {str(c) for c in Organisation.objects.values_list("country", flat=True)} == COUNTRIES
    assert Organisation.objects.filter(is_public=True).exists()
    assert Organisation.objects.filter(is_public=False).exists()


def test_it_loads_people_mostly_private_with_accents_and_languages(loaded):
    people = Person.objects.all()
    assert people.count() >= 250
    assert all(p.email.endswith("@" + DEMO_DOMAIN) for p in people)
    assert any(not p.display_name.isascii() for p in people)
    assert {"es", "pt", "en", "fr"} <= {code for p in people for code in p.language_list}
    private = people.filter(email_visibility="coordinators").count()
    assert private > people.count() * 0.7
    assert people.filter(display_name_visibility="public").exists()
    assert people.filter(display_name_visibility="members").exists()
    assert Membership.objects.count() >= 200


def test_it_registers_people_in_every_state(loaded):
    for kind in Gathering.Kind.values:
        registrations = Registration.objects.filter(gathering__kind=kind)
        assert set(registrations.values_list("status", flat=True)) == set(Registration.Status.values), kind
        assert set(registrations.values_list("role", flat=True)) == set(Registration.Role.values), kind
    delegates = Registration.objects.filter(role=Registration.Role.DELEGATE)
    assert {"pending", "confirmed", "rejected"} <= set(delegates.values_list("mandate", flat=True))
    assert not delegates.filter(organisation__isnull=True).exists()
    assert not Registration.objects.filter(status=Registration.Status.REFUSED, refusal_reason="").exists()
    checked_in = Registration.objects.filter(checked_in_at__isnull=False)
    assert checked_in.exists()
    assert not checked_in.exclude(status=Registration.Status.ACCREDITED).exists()


def test_it_gives_one_working_login_per_role(loaded, client):
    emails = {role: login_email(role) for role in ROLES}
    for email in emails.values():
        assert client.login(email=email, password=PASSWORD), email
        client.logout()
    users = {role: User.objects.get(email=email) for role, email in emails.items()}
    assert users["coordinator"].is_coordinator
    assert users["translator"].is_translator
    assert committee_countries(users["committee"]) == {"CO"}
    conference = Gathering.objects.get(kind=Gathering.Kind.CONFERENCE)
    delegate = Registration.objects.get(gathering=conference, person__user=users["delegate"])
    assert (delegate.role, delegate.status, delegate.mandate) == ("delegate", "accredited", "confirmed")
    observer = Registration.objects.get(gathering=conference, person__user=users["observer"])
    assert (observer.role, observer.status) == ("observer", "accredited")
    assert not any(u.is_coordinator for role, u in users.items() if role != "coordinator")


def test_it_prints_every_login_and_the_password(loaded):
    for role in ROLES:
        assert login_email(role) in loaded
    assert PASSWORD in loaded


def test_it_refuses_a_database_with_real_accounts():
    make_user("real.person@example.org", "Real Person")
    with pytest.raises(CommandError):
        run_demo()
    assert Gathering.objects.count() == 0
    assert Person.objects.count() == 1

    run_demo("--force")
    assert Gathering.objects.count() == 11


def test_it_loads_polls_in_every_state_once(loaded):
    from convoca.voting.models import Ballot, Poll

    states = set(Poll.objects.values_list("state", flat=True))
    assert {"draft", "open", "closed", "published", "annulled"} <= states
    assert Poll.objects.filter(kind="ranked", seats__gt=1, secrecy="secret", state="published").exists()
    assert Poll.objects.filter(kind="consensus", state="published").exists()
    polls, ballots = Poll.objects.count(), Ballot.objects.count()
    run_demo()
    assert (Poll.objects.count(), Ballot.objects.count()) == (polls, ballots)
    # The delegates given an account to vote cannot log in.
    voters = User.objects.filter(email__endswith=f"@{DEMO_DOMAIN}").exclude(
        email__in=[login_email(role) for role in ROLES]
    )
    assert voters.exists() and not any(user.has_usable_password() for user in voters)


def test_it_runs_the_loader_of_each_app_in_installed_order():
    from convoca.core.hooks import app_modules

    assert [config.label for config, _module in app_modules("demo", "load")] == [
        "accounts", "network", "gatherings", "voting", "proposals", "plenary", "actions", "endorsements", "followup",
    ]


def test_it_lets_the_coordinator_and_the_committee_member_log_in_with_the_printed_key(loaded, client):
    """Two-step login is required for them: the demo prints the key of their authenticator app."""
    printed = re.search(r"time-based key: ([A-Z2-7 ]+)", loaded).group(1).replace(" ", "")
    assert printed == TOTP_KEY
    code = run_demo("--code").strip().rsplit(" ", 1)[-1]
    assert re.fullmatch(r"\d{6}", code)
    for role in SECOND_FACTOR_ROLES:
        response = client.post(reverse("accounts:login"), {"username": login_email(role), "password": PASSWORD})
        assert response.url == reverse("accounts:login_code"), role
        # One code per login (a code is spent once used): the one the app shows now, or the next one.
        for candidate in {current_code(), current_code(time.time() + 30)}:
            if client.post(reverse("accounts:login_code"), {"code": candidate}).status_code == 302:
                break
        assert client.get(reverse("accounts:me")).status_code == 200, role
        client.post(reverse("accounts:logout"))
    assert code in {current_code(time.time() - 30), current_code()}


def test_it_lets_the_other_roles_log_in_with_the_password_only(loaded, client):
    for role in set(ROLES) - set(SECOND_FACTOR_ROLES):
        response = client.post(reverse("accounts:login"), {"username": login_email(role), "password": PASSWORD})
        assert response.url == reverse("core:home"), role
        assert client.get(reverse("accounts:me")).status_code == 200, role
        client.post(reverse("accounts:logout"))
