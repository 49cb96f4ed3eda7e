"""Stored XSS, in a real browser: a corpus of payloads written through the
services into every field people write (organisation and person names, a
gathering's title and description, a poll's question and options, a
proposal's title and text, amendments, translations, the declaration when the
app has one), then the pages that show them opened in Chromium.

On every page: no dialog opens (each payload calls ``alert``/``confirm``/
``print``), no request leaves for another origin and no console error is
logged (the ``page`` fixture's guard: a payload that slipped through is a CSP
violation, a 404 for its ``src=x`` or a request to evil.example), no element
carries an event handler, a ``javascript:`` address, an inline style or
script, a frame, a ``<base>`` or a refresh, no Django template in a value was
evaluated, and the page does show the payloads, as text.

Each field group is stored once (one row per payload where a field holds one
value, every payload at once where it holds many) and opened on a few pages,
so the whole corpus runs through about twenty pages.
"""

import contextlib
import datetime as dt

import pytest

from convoca.core.errors import ServiceError
from convoca.gatherings import services as gatherings
from convoca.gatherings.models import Registration
from convoca.network import services as network
from convoca.network.models import ShownAs, Visibility
from convoca.proposals import services as proposals
from convoca.texts.services import save_translation
from convoca.voting import services as voting
from tests.fixtures import client_for
from tests.proposals.helpers import amend, delegate, proposal

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Every payload names itself ("xss-N") so a page can be shown to display it as text.
PAYLOADS = [
    '<script>alert("xss-1")</script>',
    '<img src=x onerror=alert("xss-2")>',
    '<svg onload=alert("xss-3")>',
    '<iframe src="https://evil.example/xss-4"></iframe>',
    '<a href="javascript:alert(5)">xss-5</a>',
    "[xss-6](javascript:alert(6)) ![xss-6](https://evil.example/6.png)",
    '"><script>alert("xss-7")</script>',
    "' onmouseover='alert(8)' data-x='xss-8",
    '" autofocus onfocus="alert(9)" data-x="xss-9',
    '<div style="background:url(https://evil.example/xss-10)">xss-10</div>',
    '<style>*{background:url("https://evil.example/xss-11")}</style>',
    "xss-12 width:expression(alert(12)); background:url(javascript:alert(12))",
    "xss-13 {{ 1234|add:4321 }} {% widthratio 5 1 1111 %} ${5550+5} #{5550+5}",
    "<math><mtext><table><mglyph><style><img src=x onerror=confirm(14)>xss-14",
    "</textarea></title><script>print()</script>xss-15",
    '<base href="https://evil.example/">xss-16',
    '<meta http-equiv="refresh" content="0;url=https://evil.example/">xss-17',
    "javascript:alert('xss-18')",
    '<object data="https://evil.example/xss-19"></object><embed src="https://evil.example/xss-19">',
    "<details open ontoggle=alert(20)>xss-20</details>",
]
TEMPLATE_RESULT = "5555"  # what payload 13 would show if any template evaluated it

# Anything that runs, loads or restyles, found in the page as the browser built it.
FIND_ACTIVE_CONTENT = """() => {
  const found = [];
  for (const el of document.querySelectorAll('*')) {
    for (const attr of el.attributes) {
      const name = attr.name.toLowerCase();
      if (name.startsWith('on')) found.push(`${el.tagName} ${name}`);
      if (name === 'style') found.push(`${el.tagName} style`);
      if (['href', 'src', 'action', 'formaction', 'data', 'xlink:href'].includes(name)
          && /^\\s*(javascript|vbscript|data):/i.test(attr.value)
          && attr.value !== 'data:,') found.push(`${el.tagName} ${name}=${attr.value}`);  // data:, is our empty favicon
    }
  }
  for (const el of document.querySelectorAll('iframe, frame, object, embed, base, meta[http-equiv], style')) {
    found.push(el.tagName);
  }
  for (const el of document.querySelectorAll('script')) {
    if (!el.src || new URL(el.src).origin !== location.origin) found.push(`SCRIPT ${el.src || 'inline'}`);
  }
  return found;
}"""


def _each(payloads, store):
    """``store(i, payload)`` for each payload; [(i, row)] of those stored (a refused value is the field's
    own check at work, which is no less safe, but most must get through or the page shows nothing)."""
    stored = []
    for i, payload in enumerate(payloads, start=1):
        with contextlib.suppress(ServiceError):
            stored.append((i, store(i, payload)))
    assert len(stored) >= len(payloads) // 2, f"only {len(stored)} payloads stored"
    return stored


def _text(payload, limit):
    return payload[:limit]


@pytest.fixture
def corpus(world):
    """Every field group filled with the payloads; {group: object or pk to open}."""
    w, alice = world, world.alice
    shown = {}
    orgs = _each(PAYLOADS, lambda i, p: network.create_organisation(
        alice, name=_text(p, 200), country="CO", sector="trade_union", is_public=True,
        website="javascript:alert(1)" if i == 18 else "",
    ))
    shown["organisation"] = orgs[0][1]
    people = _each(PAYLOADS, lambda i, p: network.create_person(
        alice, display_name=_text(p, 120), full_name=_text(p, 200), pseudonym=_text(p, 60),
        shown_as=ShownAs.PSEUDONYM, display_name_visibility=Visibility.MEMBERS,
        organisations=[orgs[0][1]],
    ))
    for _i, person in people:  # on the conference's registration list and a delegate's badge
        Registration.objects.create(
            gathering=w.conference, person=person, role=Registration.Role.DELEGATE, organisation=orgs[0][1],
        )
    shown["person"] = people[0][1]
    network.add_committee_member(alice, w.committee_co, people[1][1])
    start = w.today + dt.timedelta(days=60)
    meetings = _each(PAYLOADS, lambda i, p: gatherings.create_gathering(
        alice, kind="preparatory", slug=f"xss-{i}", title=_text(p, 200), country="CO", place=_text(p, 200),
        starts_on=start, ends_on=start, description="\n\n".join(PAYLOADS),
    ))
    shown["gathering"] = meetings[0][1]
    polls = _each(PAYLOADS, lambda i, p: voting.create_poll(
        alice, w.conference, title=_text(p, 300), description="\n".join(PAYLOADS), kind="multiple",
        options=[_text(q, 200) for q in PAYLOADS[:10]], secrecy="open", max_choices=2,
    ))
    shown["poll"] = polls[0][1]
    maria, _reg = delegate(w, "maria.xss@example.org", "María", organisation=orgs[1][1])
    texts = [proposal(w, "submitted", title=_text(p, 200), text="\n\n".join(PAYLOADS)) for p in PAYLOADS]
    amended = proposal(w, "amendment", title=_text(PAYLOADS[0], 200), text="\n\n".join(PAYLOADS),
                       original_language="en", author=maria)
    for i, p in enumerate(PAYLOADS[10:16], start=1):  # paragraph i (payload i) becomes another payload
        amend(w, amended, "replace", i, text=p, reason=p)
    for p in PAYLOADS[6:9]:
        amend(w, amended, "insert", 1, text=p, reason=p, by=maria)
    # A Spanish version (the browser asks for Spanish) written by the translator, payloads and all.
    save_translation(w.tomas, amended, "es", {"title": _text(PAYLOADS[1], 200), "text": "\n\n".join(reversed(PAYLOADS))},
                     amended.text_revision)
    save_translation(w.tomas, shown["gathering"], "fr", {"title": _text(PAYLOADS[2], 200), "description": "\n\n".join(PAYLOADS)}, 1)
    shown["proposals"] = texts
    shown["amended"] = amended
    shown["declaration"] = _declaration(w)
    return shown


def _declaration(w):
    """The conference's declaration, its title and a section written with the payloads (when the proposals
    app has a declaration)."""
    start = getattr(proposals, "start_declaration", None)
    if start is None:
        return None
    adopted = proposal(w, "adopted", title=_text(PAYLOADS[3], 200), text="\n\n".join(PAYLOADS))
    declaration = start(w.alice, w.conference, title=_text(PAYLOADS[4], 200))
    section = proposals.add_section(w.alice, declaration, adopted)
    proposals.edit_section(w.alice, section, heading=_text(PAYLOADS[5], 200), text="\n\n".join(PAYLOADS),
                           base_version=section.version)
    return declaration


def _pages(world, corpus):
    """(who, path) of the pages that show the stored values: a few per field group."""
    slug = world.conference.slug
    org, person, meeting, poll = corpus["organisation"], corpus["person"], corpus["gathering"], corpus["poll"]
    amended = corpus["amended"]
    pages = [
        # organisations and people
        ("anonymous", "/organisations/"),
        ("alice", f"/organisations/{org.pk}/"),
        ("alice", f"/organisations/{org.pk}/edit/"),
        ("alice", "/people/"),
        ("alice", f"/people/{person.pk}/"),
        ("alice", f"/people/{person.pk}/edit/"),
        ("alice", f"/gatherings/{slug}/registrations/"),
        ("nadia", "/committees/CO/"),
        # gatherings
        ("anonymous", "/"),
        ("anonymous", "/gatherings/"),
        ("anonymous", f"/gatherings/{meeting.slug}/"),
        ("alice", f"/gatherings/{meeting.slug}/edit/"),
        # polls
        ("alice", f"/votes/{slug}/"),
        ("alice", f"/votes/poll/{poll.pk}/"),
        # proposals, amendments, translations
        ("alice", f"/gatherings/{slug}/proposals/"),
        ("alice", f"/gatherings/{slug}/proposals/{corpus['proposals'][0].pk}/"),
        ("alice", f"/gatherings/{slug}/proposals/{amended.pk}/"),
        ("tomas", "/translations/"),
        ("tomas", f"/translations/proposals.proposal/{amended.pk}/es/"),
        ("tomas", f"/translations/gatherings.gathering/{meeting.pk}/fr/"),
    ]
    if corpus["declaration"] is not None:
        pages += [("alice", f"/gatherings/{slug}/proposals/declaration/"),
                  ("alice", f"/gatherings/{slug}/proposals/declaration/compose/")]
    return pages


def _session_cookie(user, live_server):
    """The session a login would give ``user`` (with its second factor proved), for the browser."""
    client = client_for(user)
    return {"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}


def test_no_stored_payload_runs_on_any_page(page, world, corpus, live_server, browser_log):
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(f"{page.url}: {dialog.type} {dialog.message}"), dialog.dismiss()))
    cookies = {name: _session_cookie(world.users[name], live_server) for name in ("alice", "nadia", "tomas")}
    checked = []
    for who, path in _pages(world, corpus):
        page.context.clear_cookies()
        if who != "anonymous":
            page.context.add_cookies([cookies[who]])
        response = page.goto(path)
        assert response.status == 200, f"{who} {path}: {response.status}"
        page.wait_for_load_state("load")
        page.mouse.move(5, 5)  # hover handlers, had one survived
        active = page.evaluate(FIND_ACTIVE_CONTENT)
        assert not active, f"{who} {path}: active content {active}"
        html, text = page.content(), page.inner_text("body")
        assert TEMPLATE_RESULT not in text, f"{who} {path}: a template in a stored value was evaluated"
        shown = sorted({n for n in range(1, len(PAYLOADS) + 1) if f"xss-{n}" in html})
        assert shown, f"{who} {path}: the page shows none of the stored payloads"
        checked.append((path, len(shown)))
        browser_log.check()  # no other origin, no console error, page by page
    assert not dialogs, dialogs
    print(f"XSS corpus: {len(PAYLOADS)} payloads, {len(checked)} pages, "
          f"{sum(n for _path, n in checked)} page x payload pairs shown")


def test_it_would_catch_a_payload_that_got_through(page, browser_log):
    """The harness itself: markup a template had failed to escape is found, and its handler is refused by
    the Content-Security-Policy (a console error, which fails any browser test)."""
    page.goto("/")
    page.evaluate("html => document.querySelector('main').insertAdjacentHTML('beforeend', html)",
                  '<img src="data:," onload="alert(1)"><a href="javascript:alert(2)">x</a><iframe></iframe>')
    page.wait_for_timeout(200)
    found = page.evaluate(FIND_ACTIVE_CONTENT)
    assert {"IMG onload", "A href=javascript:alert(2)", "IFRAME"} <= set(found), found
    assert any("Content Security Policy" in text for text in browser_log.console_errors)
    browser_log.console_errors.clear()  # expected here: do not fail this test
