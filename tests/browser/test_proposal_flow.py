"""Issue 8's acceptance path, in a real browser, each person in their own browser: a delegate writes a
proposal in Spanish and submits it; a translator gives it its English version; a coordinator (two-step
login) admits it and opens it for amendments; another delegate amends it in Portuguese; the translator gives
the amendment its Spanish version; the coordinator puts the proposal to debate, adopts the amendment by a
direct decision (the workflow allows it without a poll), sees the consolidated text and adopts the proposal;
the translator brings the now outdated English version up to date; the Colombian national committee (two-step
login) forwards its meeting's adopted proposal to the conference; the coordinator composes the declaration
from the adopted proposal and publishes it; an anonymous visitor reads it in Portuguese and prints it (print
media: no menu, the text alone). Then Markdown holding the payload corpus renders inert, and axe finds
nothing on the new pages. Every request is recorded; any request to another origin or console error fails."""

import pytest
from playwright.sync_api import expect

from convoca.proposals import services
from convoca.proposals.models import Amendment, Declaration, Proposal, Section
from convoca.texts.models import Translation
from tests.accounts.helpers import give_authenticator, totp_code
from tests.browser.conftest import open_page
from tests.browser.test_accessibility import assert_accessible
from tests.fixtures import PASSWORD
from tests.proposals.helpers import delegate, proposal
from tests.proposals.test_markdown import PAYLOADS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TEXT = (
    "Convocamos una jornada continental de acción el 1.º de mayo en todas las capitales.\n\n"
    "Las organizaciones sindicales coordinarán las marchas en cada país.\n\n"
    "Exigimos la regularización de todas las personas migrantes."
)
ENGLISH = (
    "We call a continental day of action on 1 May in every capital.\n\n"
    "Trade unions will coordinate the marches in each country.\n\n"
    "We demand the regularisation of all migrant people."
)
AMENDMENT_PT = "Convocamos uma jornada continental de ação e de greve no dia 1º de maio em todas as capitais."
AMENDMENT_ES = "Convocamos una jornada continental de acción y de huelga el 1.º de mayo en todas las capitales."
DECLARATION_PT = {"title": "Declaração do Panamá", "heading": "Jornada continental do 1º de maio",
                  "text": "Convocamos uma jornada continental de ação e de greve no dia 1º de maio."}


def sign_in(page, log_in, user):
    """The login form, then the code of the authenticator app when the account has one (coordinators and
    national committee members must)."""
    log_in(page, user.email, PASSWORD)
    code = page.locator("input[name=code]")
    if code.count():
        code.fill(totp_code())
        page.locator("main form button[type=submit]").click()
        page.wait_for_load_state()
    expect(page.locator("header nav a[href='/accounts/me/']")).to_be_attached()
    return page


def confirm(page, action):
    """Follow the proposal page's link to ``action`` and confirm on the page it opens."""
    page.locator(f"main a[href$='/do/{action}/']").first.click()
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()


def translate(page, target, pk, language, **fields):
    page.goto(f"/translations/{target}/{pk}/{language}/")
    for name, value in fields.items():
        page.locator(f"main form [name={name}]").fill(value)
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()
    expect(page.locator(".message-success")).to_be_visible()


def test_it_takes_a_proposal_from_two_languages_to_the_published_declaration(browser, live_server, log_in, world,
                                                                                browser_log):
    joao, _reg = delegate(world, "joao@example.org", "João Silva", country="BR")
    maria, _reg = delegate(world, "maria@example.org", "María Gómez", gathering=world.prep_co)
    national = proposal(world, "debate", gathering=world.prep_co, author=maria, title="Paz y protección de líderes")
    services.adopt_proposal(world.carla, national)
    give_authenticator(world.alice)
    give_authenticator(world.carla)
    pages = {}

    def person(name, user=None):
        if name not in pages:
            pages[name] = open_page(browser, live_server, browser_log)
            if user is not None:
                sign_in(pages[name], log_in, user)
        return pages[name]

    try:
        # A delegate writes the proposal in Spanish and submits it.
        bob = person("bob", world.bob)
        bob.goto("/gatherings/conferencia/proposals/new/")
        bob.locator("input[name=title]").fill("Jornada continental del 1.º de mayo")
        bob.locator("textarea[name=text]").fill(TEXT)
        bob.locator("select[name=original_language]").select_option("es")
        bob.locator("main form button[type=submit]").click()
        bob.wait_for_load_state()
        p = Proposal.objects.get(gathering=world.conference)
        confirm(bob, "submit")
        p.refresh_from_db()
        assert (p.state, p.original_language) == ("submitted", "es")

        # The translator gives it its English version.
        tomas = person("tomas", world.tomas)
        translate(tomas, "proposals.proposal", p.pk, "en", title="Continental day of action on 1 May", text=ENGLISH)

        # The coordinator (two-step login) admits it and opens it for amendments.
        alice = person("alice", world.alice)
        alice.goto(p.get_absolute_url())
        confirm(alice, "admit")
        confirm(alice, "open")
        p.refresh_from_db()
        assert p.state == "amendment" and p.number

        # Another delegate amends the first paragraph, in Portuguese.
        joao_page = person("joao", joao)
        joao_page.goto(p.get_absolute_url())
        joao_page.locator("main a[href*='kind=replace&first=1']").first.click()
        joao_page.locator("textarea[name=text]").fill(AMENDMENT_PT)
        joao_page.locator("textarea[name=reason]").fill("Uma greve também.")
        joao_page.locator("select[name=original_language]").select_option("pt-br")
        joao_page.locator("main form button[type=submit]").click()
        joao_page.wait_for_load_state()
        amendment = Amendment.objects.get(proposal=p)
        assert (amendment.original_language, amendment.new_text) == ("pt-br", AMENDMENT_PT)

        # The translator gives the amendment its version in the language of the text.
        translate(tomas, "proposals.amendment", amendment.pk, "es", new_text=AMENDMENT_ES, reason="Una huelga también.")

        # The coordinator puts it to debate, adopts the amendment directly and sees the consolidated text.
        alice.goto(p.get_absolute_url())
        confirm(alice, "debate")
        alice.locator("form[action$='/amendments/1/adopt/'] button").click()
        alice.wait_for_load_state()
        expect(alice.locator("#p1 .paragraph-body")).to_contain_text("y de huelga el 1.º de mayo")
        alice.goto(p.get_absolute_url() + "history/")
        expect(alice.locator("main .diff ins").first).to_contain_text("huelga")
        alice.goto(p.get_absolute_url())
        confirm(alice, "adopt")
        p.refresh_from_db()
        assert p.state == "adopted" and "y de huelga" in p.text

        # The English version is now outdated: the translator finds it in the queue and brings it up to date.
        english = Translation.objects.get(target="proposals.proposal", object_id=p.pk, language="en")
        assert english.revision < p.text_revision
        tomas.goto("/translations/?language=en&state=outdated")
        tomas.locator(f"main a[href^='/translations/proposals.proposal/{p.pk}/en/']").click()
        expect(tomas.locator(".side-original .diff ins").first).to_contain_text("huelga")
        tomas.locator("main form textarea[name=text]").fill(ENGLISH.replace("day of action", "day of action and strike"))
        tomas.locator("main form button[type=submit]").click()
        tomas.wait_for_load_state()
        english.refresh_from_db()
        assert english.revision == p.text_revision and "strike" in english.fields["text"]

        # The Colombian committee (two-step login) forwards its meeting's adopted proposal to the conference.
        carla = person("carla", world.carla)
        carla.goto(national.get_absolute_url())
        carla.locator("main a[href$='/forward/']").click()
        carla.locator("select[name=conference]").select_option(str(world.conference.pk))
        carla.locator("main form button[type=submit]").click()
        carla.wait_for_load_state()
        copy = Proposal.objects.get(gathering=world.conference, forwarded_from=national)
        expect(carla.locator(f"main a[href='{copy.get_absolute_url()}']")).to_be_visible()

        # The coordinator composes the declaration from the adopted proposal and publishes it.
        alice.goto("/gatherings/conferencia/proposals/declaration/")  # none yet: to the page that starts it
        alice.locator("input[name=title]").fill("Declaración de Panamá")
        alice.locator("select[name=original_language]").select_option("es")
        alice.locator("main form button[type=submit]").click()
        alice.wait_for_load_state()
        alice.locator("select[name=proposal]").select_option(str(p.pk))
        alice.locator("form[action$='/declaration/sections/'] button[type=submit]").click()
        alice.wait_for_load_state()
        section = Section.objects.get()
        assert section.text == p.text and list(section.sources.all()) == [p]
        translate(tomas, "proposals.declaration", section.declaration_id, "pt-br", title=DECLARATION_PT["title"])
        translate(tomas, "proposals.section", section.pk, "pt-br", heading=DECLARATION_PT["heading"],
                  text=DECLARATION_PT["text"])
        alice.goto("/gatherings/conferencia/proposals/declaration/compose/")
        alice.locator("main a[href$='/declaration/publish/']").click()
        alice.locator("main form button[type=submit]").click()
        alice.wait_for_load_state()
        assert Declaration.objects.get().state == "published"

        # An anonymous visitor reads it in Portuguese, then prints it: the text alone, no menu.
        visitor = person("visitor")
        visitor.goto("/gatherings/conferencia/proposals/declaration/")
        expect(visitor.locator("h1")).to_have_text("Declaración de Panamá")
        visitor.get_by_role("button", name="Português").first.click()
        expect(visitor.locator("html")).to_have_attribute("lang", "pt-br")
        expect(visitor.locator("h1")).to_have_text(DECLARATION_PT["title"])
        expect(visitor.locator(".declaration-section h2")).to_have_text(DECLARATION_PT["heading"])
        expect(visitor.locator(".declaration-body")).to_contain_text("de ação e de greve")
        expect(visitor.locator("main .text-note").first).to_be_visible()  # it says it is a translation
        expect(visitor.locator("header.site-header")).to_be_visible()
        visitor.emulate_media(media="print")
        expect(visitor.locator("header.site-header")).to_be_hidden()
        expect(visitor.locator("header nav")).to_be_hidden()
        expect(visitor.locator(".declaration-version")).to_be_hidden()
        expect(visitor.locator(".site-footer")).to_be_hidden()
        expect(visitor.locator("h1")).to_be_visible()
        expect(visitor.locator(".declaration-body")).to_be_visible()
        assert visitor.pdf(format="A4").startswith(b"%PDF")  # and Chromium prints it
    finally:
        for page in pages.values():
            page.context.close()
    assert browser_log.foreign == []
    assert all(browser_log.is_local(url) for url in browser_log.requests)


def test_markdown_with_the_payload_corpus_stays_inert_in_the_browser(page, world, browser_log):
    payloads = "\n\n".join(PAYLOADS)
    p = proposal(world, "adopted", text=payloads, title="Carga <script>alert(1)</script>")
    declaration = services.start_declaration(world.alice, world.conference, title="Declaración <img src=x onerror=alert(1)>")
    services.add_section(world.alice, declaration, p)
    services.publish_declaration(world.alice, declaration)
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    for path in (p.get_absolute_url(), declaration.get_absolute_url(),
                 "/gatherings/conferencia/proposals/?q=alert+script"):
        response = page.goto(path)
        assert response.status == 200, path
        page.wait_for_load_state("load")
        found = page.evaluate("""() => {
            const main = document.querySelector('main');
            const handlers = [...main.querySelectorAll('*')].flatMap(el => [...el.attributes])
                .filter(a => a.name.toLowerCase().startsWith('on')).map(a => a.name);
            const links = [...main.querySelectorAll('a[href]')].map(a => a.getAttribute('href'))
                .filter(h => !/^(https?:|mailto:|\\/|#|\\?)/i.test(h));
            const active = main.querySelectorAll('script, iframe, object, embed, style, link, meta, base, form[action^="http"], img, svg, math').length;
            return {handlers, links, active};
        }""")
        assert found == {"handlers": [], "links": [], "active": 0}, (path, found)
    assert "alert(1)" in page.content()  # shown as text, not run
    assert dialogs == []
    assert browser_log.foreign == []


@pytest.fixture
def axe_page(browser, live_server, browser_log):
    page = open_page(browser, live_server, browser_log, bypass_csp=True)
    yield page
    page.context.close()
    browser_log.check()


def test_it_finds_nothing_on_the_declaration_and_the_search_results(axe_page, log_in, world):
    p = proposal(world, "adopted")
    declaration = services.start_declaration(world.alice, world.conference, title="Declaración de Panamá")
    services.add_section(world.alice, declaration, p)
    services.publish_declaration(world.alice, declaration)
    assert_accessible(axe_page, declaration.get_absolute_url())
    assert_accessible(axe_page, "/gatherings/conferencia/proposals/declaration/history/")
    assert_accessible(axe_page, "/gatherings/conferencia/proposals/?q=jornada+mayo")
    log_in(axe_page, world.nadia.email, PASSWORD)
    assert_accessible(axe_page, "/gatherings/conferencia/proposals/?q=marchas")


def test_it_finds_nothing_on_the_pages_that_compose_the_declaration(axe_page, log_in, world):
    first, second = proposal(world, "adopted"), proposal(world, "adopted", title="Solidaridad")
    declaration = services.start_declaration(world.alice, world.conference, title="Declaración de Panamá")
    section = services.add_section(world.alice, declaration, first)
    services.add_section(world.alice, declaration, second)
    give_authenticator(world.alice)
    sign_in(axe_page, log_in, world.alice)
    assert_accessible(axe_page, "/gatherings/conferencia/proposals/declaration/compose/")
    assert_accessible(axe_page, f"/gatherings/conferencia/proposals/declaration/sections/{section.pk}/")
    assert_accessible(axe_page, "/gatherings/conferencia/proposals/declaration/publish/")
