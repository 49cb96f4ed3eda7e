"""Issue 11's "find and act on many", in a real browser: a coordinator searches the conference's
registrations without accents ("diaz"), filters them by mandate, accredits all twenty that match in
one action, reads what was done and what was not, and each delegate receives the email telling them
(the emails of pytest-django's captured backend); then refuses two ticked rows with one reason. axe
finds nothing on the list (laptop and phone) nor on the summary."""

import pytest
from django.test import Client
from playwright.sync_api import expect

from convoca.gatherings.models import Registration
from convoca.network.models import Membership, Person
from tests.accounts.helpers import give_authenticator, totp_code
from tests.browser.test_accessibility import assert_accessible, page  # noqa: F401  (the axe-ready page)
from tests.fixtures import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _delegate(world, name, email, mandate):
    person = Person.objects.create(display_name=name, email=email)
    Membership.objects.create(person=person, organisation=world.org_co)
    return Registration.objects.create(
        gathering=world.conference, person=person, role=Registration.Role.DELEGATE, organisation=world.org_co,
        mandate=mandate,
    )


def test_a_coordinator_finds_and_accredits_twenty_delegates(page, log_in, world, mailoutbox):  # noqa: F811
    ready = [_delegate(world, f"Ana Díaz {i:02d}", f"ana.diaz.{i}@example.org", "confirmed") for i in range(20)]
    waiting = [_delegate(world, f"Luz DÍAZ {i}", f"luz.diaz.{i}@example.org", "pending") for i in range(3)]
    others = [_delegate(world, f"Pedro Ruiz {i}", f"pedro.{i}@example.org", "confirmed") for i in range(2)]

    Client().get("/accounts/login/")  # warm the process (URLs, templates) before the page's 10 s timeout runs
    give_authenticator(world.alice)
    log_in(page, world.alice.email, PASSWORD)
    page.locator("input[name=code]").fill(totp_code())
    page.locator("main form button[type=submit]").click()
    expect(page.locator("header nav a[href='/accounts/me/']")).to_be_visible()

    page.goto("/gatherings/conferencia/registrations/")
    assert_accessible(page)
    page.set_viewport_size({"width": 1280, "height": 800})
    page.locator("input[name=q]").fill("diaz")
    page.locator("form[role=search] button[type=submit]").click()
    expect(page.locator("main p.matches")).to_contain_text("23")  # Díaz and DÍAZ, not Ruiz
    page.locator("select[name=mandate]").select_option("confirmed")
    page.locator("form[role=search] button[type=submit]").click()
    expect(page.locator("main p.matches")).to_contain_text("20")
    assert "mandate=confirmed" in page.url and "q=diaz" in page.url

    page.locator("#bulk-all").check()
    page.locator("select[name=action]").select_option("accredit")
    page.locator("#bulk button[type=submit]").click()
    expect(page.locator("main h1")).to_contain_text("Acreditar")
    expect(page.locator("main .counts")).to_contain_text("20")
    assert_accessible(page)

    statuses = dict(Registration.objects.values_list("pk", "status"))
    assert all(statuses[r.pk] == "accredited" for r in ready)
    assert all(statuses[r.pk] == "requested" for r in waiting + others)
    told = sorted(address for message in mailoutbox for address in message.to)
    assert told == sorted(r.person.email for r in ready)

    # Back to the list, the filters kept; then tick two of the others and refuse them with one reason.
    page.get_by_role("link", name="Volver a las inscripciones").click()
    assert "mandate=confirmed" in page.url
    page.goto("/gatherings/conferencia/registrations/?q=ruiz")
    for registration in others:
        page.locator(f"#pick-{registration.pk}").check()
    page.locator("select[name=action]").select_option("refuse")
    page.locator("#bulk input[name=reason]").fill("Cupo completo")
    page.locator("#bulk button[type=submit]").click()
    expect(page.locator("main .counts")).to_contain_text("2")
    refused = Registration.objects.filter(pk__in=[r.pk for r in others])
    assert set(refused.values_list("status", "refusal_reason")) == {("refused", "Cupo completo")}
