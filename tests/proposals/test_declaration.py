"""The declaration: composed by the organisers from adopted proposals (a section starts as a proposal's
consolidated text), every change a version with word-level history, translatable, published on a page that
everyone reads in their language, and printable. Services, pages and their cost."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from convoca.core import events
from convoca.core.errors import NotFound, PermissionDenied, ServiceError
from convoca.proposals import queries, services
from convoca.proposals.models import Declaration, DeclarationVersion, Section
from convoca.texts import queries as text_queries
from convoca.texts import services as text_services
from tests.fixtures import client_for

from .helpers import TEXT, amend, delegate, proposal, to_debate
from .test_markdown import PAYLOADS, Checker

TITLE = "Declaración de Panamá"
PORTUGUESE = {"heading": "Jornada continental do 1º de maio", "text": "Convocamos uma jornada continental de ação."}


def url(name, *args):
    return reverse(f"proposals:{name}", args=["conferencia", *args])


def written():
    """Everything the declaration keeps, to check that a refusal wrote nothing."""
    return [
        list(Declaration.objects.order_by("pk").values()), list(Section.objects.order_by("pk").values()),
        list(DeclarationVersion.objects.order_by("pk").values()),
        list(Section.sources.through.objects.order_by("pk").values()),
    ]


def amended_and_adopted(world):
    """A proposal adopted with an amendment: its text is the consolidation."""
    p = proposal(world, "amendment")
    a = amend(world, p, "replace", 1, text="Convocamos una jornada continental de lucha el 1.º de mayo.")
    p = to_debate(world, p)
    a.refresh_from_db()
    a.proposal = p
    services.adopt_amendment(world.alice, a)
    p.refresh_from_db()
    services.adopt_proposal(world.alice, p)
    p.refresh_from_db()
    return p


def started(world, *sources):
    declaration = services.start_declaration(world.alice, world.conference, title=TITLE, original_language="es")
    sections = [services.add_section(world.alice, declaration, p) for p in sources]
    return declaration, sections


def test_it_starts_each_section_from_an_adopted_proposals_consolidated_text(world):
    p = amended_and_adopted(world)
    declaration, [section] = started(world, p)
    assert "jornada continental de lucha" in section.text and section.text == p.text
    assert (section.heading, section.original_language, section.position) == (p.title, "es", 0)
    assert list(section.sources.all()) == [p]
    declaration.refresh_from_db()
    assert declaration.version == 2 and declaration.state == "draft"
    assert [(v.number, v.reason) for v in declaration.versions.all()] == [(1, "started"), (2, "added")]
    assert declaration.versions.get(number=2).sections[0]["text"] == p.text


def test_starting_or_adding_again_changes_nothing(world):
    p = proposal(world, "adopted")
    declaration, [section] = started(world, p)
    before = written()
    assert services.start_declaration(world.alice, world.conference, title="Otra") == declaration
    assert services.add_section(world.alice, declaration, p) == section
    assert written() == before


@pytest.mark.parametrize("which", ["submitted", "debate", "other gathering", "missing", "not a number", None])
def test_it_refuses_a_source_that_is_not_an_adopted_proposal_of_the_gathering(world, which):
    declaration, _ = started(world)
    if which in ("submitted", "debate"):
        source = proposal(world, which)
    elif which == "other gathering":
        maria, _reg = delegate(world, "maria@example.org", "María", gathering=world.prep_co)
        source = proposal(world, "debate", gathering=world.prep_co, author=maria)
        services.adopt_proposal(world.carla, source)
    else:
        source = {"missing": 10**12, "not a number": "x", None: None}[which]
    before = written()
    with pytest.raises(ServiceError) as caught:
        services.add_section(world.alice, declaration, source)
    assert caught.value.field == "proposal" and written() == before


def test_only_the_organisers_compose_and_publish(world):
    p = proposal(world, "adopted")
    for user in (world.bob, world.nadia, world.tomas, world.carla, None):
        with pytest.raises(PermissionDenied):
            services.start_declaration(user, world.conference, title=TITLE)
    declaration, [section] = started(world, p)
    before = written()
    for user in (world.bob, world.carla):
        with pytest.raises(PermissionDenied):
            services.edit_section(user, section, heading="x", text="y", base_version=1)
        with pytest.raises(PermissionDenied):
            services.publish_declaration(user, declaration)
        with pytest.raises(PermissionDenied):
            services.remove_section(user, section)
    assert written() == before


def test_every_change_is_a_version_with_a_word_level_history(world):
    first, second = proposal(world, "adopted"), proposal(world, "adopted", title="Solidaridad")
    declaration, [a, b] = started(world, first, second)
    services.edit_section(world.alice, a, heading="Primero de mayo", text=TEXT.replace("capital", "ciudad"),
                          base_version=1)
    services.move_section(world.alice, b, 1)
    services.change_declaration_title(world.alice, declaration, title="Declaración de Ciudad de Panamá",
                                      base_version=declaration.version)
    services.remove_section(world.alice, a)
    reasons = list(declaration.versions.values_list("reason", flat=True))
    assert reasons == ["started", "added", "added", "edited", "moved", "title", "removed"]
    assert [s["id"] for s in declaration.versions.get(number=5).sections] == [b.pk, a.pk]
    diff = queries.declaration_diff(declaration, 3, 4)
    assert any(s.is_insert and "ciudad" in s.text for s in diff["text"])
    assert any(s.is_delete and "capital" in s.text for s in diff["text"])
    assert queries.declaration_diff(declaration, 1, 99) is None
    page = client_for(world.nadia).get(url("declaration_history") + "?older=3&newer=4").content.decode()
    assert "<ins>" in page and "ciudad" in page and "Section edited" in page


def test_moving_a_section_where_it_is_and_bad_positions_change_nothing(world):
    declaration, [a, b] = started(world, proposal(world, "adopted"), proposal(world, "adopted"))
    before = written()
    services.move_section(world.alice, a, 1)
    assert written() == before
    for bad in (0, 3, -1, "x", None, 10**30):
        with pytest.raises(ServiceError):
            services.move_section(world.alice, a, bad)
    assert written() == before


def test_an_edit_racing_another_is_refused_and_loses_neither(world):
    declaration, [section] = started(world, proposal(world, "adopted"))
    services.edit_section(world.alice, section, heading="Suya", text="El texto de ella.", base_version=1)
    before = written()
    stale = Section.objects.get(pk=section.pk)
    stale.version = 1
    with pytest.raises(services.EditConflict) as caught:
        services.edit_section(world.alice, stale, heading="Mía", text="Mi texto.", base_version=1)
    assert caught.value.current.text == "El texto de ella." and written() == before
    response = client_for(world.alice).post(url("declaration_section", section.pk), {
        "heading": "Mía", "text": "Mi texto.", "sources": [section.sources.get().pk], "base_version": 1,
    })
    page = response.content.decode()
    assert response.status_code == 200 and written() == before
    assert "Mi texto." in page and "<del>" in page and 'name="base_version" value="2"' in page


@pytest.mark.parametrize("field, value", [
    ("text", ""), ("text", "   \n\n "), ("text", "x" * 60_001), ("heading", "h" * 201), ("sources", []),
    ("sources", ["x"]), ("sources", "abc"), ("base_version", "x"), ("text", 5),
])
def test_bad_section_edits_are_refused_and_write_nothing(world, field, value):
    declaration, [section] = started(world, proposal(world, "adopted"))
    values = {"heading": "Título", "text": "Texto.", "base_version": 1, "sources": None, field: value}
    before = written()
    with pytest.raises(ServiceError):
        services.edit_section(world.alice, section, **values)
    assert written() == before


def test_a_draft_is_for_members_and_the_published_declaration_for_everyone(world):
    assert client_for(None).get(url("declaration")).status_code == 404  # none yet
    assert client_for(world.alice).get(url("declaration")).status_code == 302  # to compose it
    declaration, _ = started(world, proposal(world, "adopted"))
    assert client_for(None).get(url("declaration")).status_code == 404
    assert client_for(None).get(url("declaration_history")).status_code == 404
    assert "Not public yet" in client_for(world.nadia).get(url("declaration")).content.decode()
    with pytest.raises(ServiceError):
        services.publish_declaration(world.alice, Declaration(pk=declaration.pk + 1, gathering=world.conference))
    services.publish_declaration(world.alice, declaration)
    before = written()
    assert services.publish_declaration(world.alice, declaration).state == "published"  # again: nothing changes
    assert written() == before
    page = client_for(None).get(url("declaration")).content.decode()
    assert TITLE in page and "Convocamos una jornada continental" in page and "Published on" in page
    listing = client_for(None).get(url("list")).content.decode()
    assert url("declaration") in listing and TITLE in listing


def test_publishing_an_empty_declaration_is_refused(world):
    declaration, _ = started(world)
    with pytest.raises(ServiceError) as caught:
        services.publish_declaration(world.alice, declaration)
    assert caught.value.code == "empty" and Declaration.objects.get().state == "draft"


def test_readers_get_their_language_with_the_note_and_the_original_on_request(world):
    first, second = proposal(world, "adopted"), proposal(world, "adopted", title="Solidaridad")
    declaration, [a, b] = started(world, first, second)
    text_services.save_translation(world.tomas, declaration, "pt-br", {"title": "Declaração do Panamá"},
                                   declaration.text_revision)
    text_services.save_translation(world.tomas, a, "pt-br", PORTUGUESE, a.text_revision)
    services.publish_declaration(world.alice, declaration)
    visitor = client_for(None)
    page = visitor.get(url("declaration"), headers={"accept-language": "pt-br"}).content.decode()
    assert "Declaração do Panamá" in page and "Convocamos uma jornada continental de ação." in page
    assert "Solidaridad" in page and 'lang="es"' in page  # b is not translated: its original, marked
    assert page.count('class="text-note') == 2  # the declaration is a translation; b is not translated yet
    services.edit_section(world.alice, a, heading=a.heading, text=a.text + "\n\nUn párrafo más.", base_version=1)
    page = visitor.get(url("declaration"), headers={"accept-language": "pt-br"}).content.decode()
    assert "text-note-outdated" in page
    original = visitor.get(url("declaration") + "?original=1", headers={"accept-language": "pt-br"}).content.decode()
    assert TITLE in original and "Un párrafo más." in original


def test_translators_find_the_title_and_each_section_in_their_queue(world):
    declaration, [section] = started(world, proposal(world, "adopted"))
    queued = {(item.target, item.object_id) for item in text_queries.queue(world.conference.pk, "fr")[0:100]}
    assert ("proposals.declaration", declaration.pk) in queued and ("proposals.section", section.pk) in queued


def test_the_organisers_compose_it_through_plain_pages(world):
    first, second = proposal(world, "adopted"), proposal(world, "adopted", title="Solidaridad")
    alice = client_for(world.alice)
    assert "Start the declaration" in alice.get(url("declaration_compose")).content.decode()
    response = alice.post(url("declaration_compose"), {"title": TITLE, "original_language": "es"})
    declaration = Declaration.objects.get()
    assert response.status_code == 302 and declaration.title == TITLE
    for p in (first, second):
        assert alice.post(url("declaration_add"), {"proposal": p.pk}).status_code == 302
    a, b = declaration.sections.order_by("position")
    page = alice.get(url("declaration_compose")).content.decode()
    assert url("declaration_section", a.pk) in page and "Every adopted proposal" in page
    assert alice.post(url("declaration_move", b.pk), {"position": 1}).status_code == 302
    assert list(declaration.sections.order_by("position").values_list("pk", flat=True)) == [b.pk, a.pk]
    response = alice.post(url("declaration_section", a.pk), {
        "heading": "Nuevo título", "text": "Nuevo texto.", "sources": [first.pk, second.pk], "base_version": 1,
    })
    assert response.status_code == 302
    a.refresh_from_db()
    assert (a.heading, a.text, a.sources.count()) == ("Nuevo título", "Nuevo texto.", 2)
    assert alice.post(url("declaration_compose"), {"title": "Otra", "base_version": 1}).status_code == 200  # stale
    assert alice.post(url("declaration_remove", b.pk)).status_code == 302
    assert declaration.sections.count() == 1
    assert "Publish" in alice.get(url("declaration_publish")).content.decode()
    assert alice.post(url("declaration_publish")).status_code == 302
    assert Declaration.objects.get().state == "published"
    assert client_for(None).get(url("declaration")).status_code == 200


@pytest.mark.parametrize("data", [{"proposal": "x"}, {"proposal": 10**30}, {}, {"position": "x"}])
def test_bad_form_input_on_the_compose_pages_is_a_message_not_an_error(world, data):
    declaration, [section] = started(world, proposal(world, "adopted"))
    alice = client_for(world.alice)
    before = written()
    assert alice.post(url("declaration_add"), data).status_code == 302
    assert alice.post(url("declaration_move", section.pk), data).status_code == 302
    assert alice.post(url("declaration_section", section.pk), data).status_code == 200
    assert alice.post(url("declaration_compose"), data).status_code == 200
    assert alice.get(url("declaration_history") + "?older=x&newer=99").status_code == 200
    assert written() == before


def test_the_page_costs_the_same_queries_for_one_and_three_sections(world):
    sources = [proposal(world, "adopted", title=f"P{n}") for n in range(3)]
    declaration, _ = started(world, sources[0])
    text_services.save_translation(world.tomas, declaration, "en", {"title": "Panama Declaration"},
                                   declaration.text_revision)
    services.publish_declaration(world.alice, declaration)
    visitor = client_for(None)

    def cost():
        with CaptureQueriesContext(connection) as captured:
            response = visitor.get(url("declaration"))
        assert response.status_code == 200
        return len(captured)

    one = cost()
    for p in sources[1:]:
        section = services.add_section(world.alice, declaration, p)
        services.edit_section(world.alice, section, heading=section.heading, text=section.text,
                              sources=[p, sources[0]], base_version=1)
    assert cost() == one


@pytest.mark.parametrize("payload", PAYLOADS)
def test_a_section_with_a_payload_renders_inert(world, payload):
    p = proposal(world, "adopted", text=payload if payload.strip() else "x")
    declaration, [section] = started(world, p)
    services.publish_declaration(world.alice, declaration)
    html = client_for(None).get(url("declaration")).content.decode()
    body = html.split('class="declaration-body"', 1)[1].split("</div>", 1)[0]
    checker = Checker()
    checker.feed(body.split(">", 1)[1])
    assert checker.problems == [], body
    assert "<script" not in body.lower() and "<iframe" not in body.lower()


def test_every_change_is_announced_after_commit(world, django_capture_on_commit_callbacks):
    p = proposal(world, "adopted")
    seen = []
    unsubscribe = events.subscribe(f"gathering:{world.conference.pk}", lambda _id, event: seen.append(event))
    try:
        with django_capture_on_commit_callbacks(execute=True):
            declaration, [section] = started(world, p)
            services.edit_section(world.alice, section, heading="x", text="y", base_version=1)
            services.publish_declaration(world.alice, declaration)
    finally:
        unsubscribe()
    mine = [e for e in seen if e["kind"].startswith("declaration.")]
    assert [e["kind"] for e in mine] == ["declaration.state", "declaration.section", "declaration.section",
                                         "declaration.state"]
    assert all(e["declaration"] == declaration.pk for e in mine) and mine[-1]["state"] == "published"
    types = {"kind": str, "declaration": int, "state": str, "version": int, "section": int, "removed": bool}
    assert all(set(e) <= set(types) and all(isinstance(v, types[k]) for k, v in e.items()) for e in mine)
    assert all({"kind", "declaration", "state", "version"} <= set(e) for e in mine)


def test_retries_change_nothing_and_a_removed_section_is_gone(world):
    declaration, [a, b] = started(world, proposal(world, "adopted"), proposal(world, "adopted"))
    services.edit_section(world.alice, a, heading="Uno", text="Texto uno.", base_version=1)
    before = written()
    services.edit_section(world.alice, a, heading="Uno", text="Texto uno.", base_version=1)  # the same save again
    services.change_declaration_title(world.alice, declaration, title=TITLE, base_version=1)  # the same title
    assert written() == before
    services.remove_section(world.alice, b)
    before = written()
    services.remove_section(world.alice, b)  # removed already
    assert written() == before
    with pytest.raises(NotFound):
        services.edit_section(world.alice, b, heading="x", text="y", base_version=1)
    with pytest.raises(NotFound):
        services.move_section(world.alice, b, 1)
    assert written() == before


def test_the_compose_page_saves_a_new_title(world):
    declaration, _ = started(world, proposal(world, "adopted"))
    declaration.refresh_from_db()
    response = client_for(world.alice).post(url("declaration_compose"),
                                            {"title": "Declaración de Ciudad de Panamá", "base_version": declaration.version})
    assert response.status_code == 302 and Declaration.objects.get().title == "Declaración de Ciudad de Panamá"
    assert Declaration.objects.get().versions.last().reason == "title"
