"""Paragraph amendments: what they may do, every refusal (a paragraph that no longer exists, a closed
proposal, after the deadline, by someone not accredited), and the consolidated text when they are adopted."""

import datetime as dt

import pytest
from django.utils import timezone

from convoca.core.errors import PermissionDenied, ServiceError
from convoca.proposals import consolidation as cons
from convoca.proposals import services
from convoca.proposals.models import Amendment, Conflict, Event, Proposal, Version

from .helpers import TEXT, amend, delegate, proposal, snapshot, to_debate

FIRST = "Convocamos una jornada continental de lucha el 1.º de mayo."


def test_a_delegate_proposes_each_kind_of_amendment(world):
    p = proposal(world, "amendment")
    eva, _reg = delegate(world, "eva@example.org", "Eva")
    replace = amend(world, p, "replace", 1, text=FIRST, reason="Más claro.", original_language="pt-br")
    delete = amend(world, p, "delete", 2, by=eva)
    insert = amend(world, p, "insert", 3, text="Nuevo párrafo final.")
    assert [a.number for a in (replace, delete, insert)] == [1, 2, 3]
    assert replace.old_text == cons.paragraphs(TEXT)[0] and replace.base_version == 1
    assert replace.original_language == "pt-br" and replace.reason == "Más claro."
    assert delete.new_text == "" and delete.organisation.name == "Org of Eva"
    assert insert.old_text == "" and insert.first == insert.last == 3
    assert Event.objects.filter(proposal=p, action="amendment").count() == 3


def test_it_replaces_several_paragraphs_at_once(world):
    p = proposal(world, "amendment")
    a = amend(world, p, "replace", 2, 3, text="Un solo párrafo para dos.")
    assert a.old_text == "\n\n".join(cons.paragraphs(TEXT)[1:3])


@pytest.mark.parametrize(
    "kind, first, last, message",
    [
        ("replace", 4, None, "Paragraph 4 does not exist (any more): the text has 3 paragraphs."),
        ("replace", 0, None, "Paragraph 0 does not exist"),
        ("replace", 2, 5, "Paragraph 5 does not exist"),
        ("replace", 3, 2, "Paragraph 2 does not exist"),
        ("delete", 9, None, "Paragraph 9 does not exist"),
        ("insert", 4, None, "Paragraph 4 does not exist"),
        ("insert", -1, None, "Paragraph -1 does not exist"),
    ],
)
def test_it_refuses_amendments_to_paragraphs_that_do_not_exist(world, kind, first, last, message):
    p = proposal(world, "amendment")
    before = snapshot()
    with pytest.raises(ServiceError, match=message.replace("(", r"\(").replace(")", r"\)")) as caught:
        amend(world, p, kind, first, last, text="Algo nuevo.")
    assert caught.value.code == "no_paragraph" and snapshot() == before


def test_it_refuses_an_amendment_to_paragraphs_that_changed_since_the_page_was_opened(world):
    p = proposal(world, "admitted")
    services.edit_proposal(world.alice, p, title=p.title, text=TEXT.replace("capital", "ciudad"), base_version=1)
    services.open_amendments(world.alice, p)
    before = snapshot()
    with pytest.raises(ServiceError, match="The paragraphs you amend have changed"):
        amend(world, p, "replace", 2, text="Otra cosa.", base_version=1)  # the author saw version 1
    assert snapshot() == before
    amend(world, p, "replace", 1, text=FIRST, base_version=1)  # paragraph 1 did not change: fine


@pytest.mark.parametrize(
    "state, message",
    [("draft", "not open for amendments yet"), ("submitted", "not open for amendments yet"),
     ("debate", "“In debate”: it no longer takes amendments"), ("adopted", "“Adopted”: it no longer takes amendments"),
     ("rejected", "“Rejected”: it no longer takes amendments")],
)
def test_it_refuses_amendments_to_a_proposal_that_is_not_open_for_them(world, state, message):
    p = proposal(world, state)
    before = snapshot()
    with pytest.raises(ServiceError, match=message):
        amend(world, p, "replace", 1, text=FIRST)
    assert snapshot() == before


def test_it_refuses_amendments_after_the_deadline(world):
    p = proposal(world, "amendment")
    Proposal.objects.filter(pk=p.pk).update(amendment_deadline=timezone.now() - dt.timedelta(seconds=1))
    p.refresh_from_db()
    before = snapshot()
    with pytest.raises(ServiceError, match="The deadline for amendments to this proposal passed on") as caught:
        amend(world, p, "replace", 1, text=FIRST)
    assert caught.value.code == "deadline_passed" and snapshot() == before


def test_the_deadline_is_checked_again_when_the_amendment_is_written(world):
    """A stale page (deadline still in the future on the object) cannot slip an amendment in."""
    p = proposal(world, "amendment")
    Proposal.objects.filter(pk=p.pk).update(amendment_deadline=timezone.now() - dt.timedelta(seconds=1))
    before = snapshot()
    with pytest.raises(ServiceError, match="deadline"):
        amend(world, p, "replace", 1, text=FIRST)  # p still holds the old deadline
    assert snapshot() == before


@pytest.mark.parametrize("who", ["alice", "carla", "olga", "tomas", "nadia"])
def test_it_refuses_amendments_by_someone_not_accredited(world, who):
    p = proposal(world, "amendment")
    before = snapshot()
    with pytest.raises(PermissionDenied, match="Only accredited delegates of this gathering can propose amendments"):
        amend(world, p, "replace", 1, text=FIRST, by=getattr(world, who))
    assert snapshot() == before


@pytest.mark.parametrize(
    "kind, text, field, message",
    [("replace", "", "text", "Write the text the amendment proposes."),
     ("insert", "  ", "text", "Write the text the amendment proposes."),
     ("replace", cons.paragraphs(TEXT)[0], "text", "The new text is the same as the current one."),
     ("move", "x", "kind", "Choose what the amendment does"),
     ("replace", "x" * 20_001, "text", "too long")],
)
def test_it_refuses_bad_amendment_texts(world, kind, text, field, message):
    p = proposal(world, "amendment")
    with pytest.raises(ServiceError, match=message) as caught:
        amend(world, p, kind, 1, text=text)
    assert caught.value.field == field


def test_moving_to_debate_takes_the_amendments_along(world):
    p = proposal(world, "amendment")
    a = amend(world, p, "replace", 1, text=FIRST)
    b = amend(world, p, "delete", 2)
    services.withdraw_amendment(world.bob, b)
    to_debate(world, p)
    assert dict(Amendment.objects.values_list("number", "state")) == {1: "debate", 2: "withdrawn"}
    assert Event.objects.filter(amendment=a, action="debate").exists()


def test_adopting_an_amendment_produces_the_consolidated_text_as_a_new_version(world):
    p = proposal(world, "amendment")
    a = amend(world, p, "replace", 1, text=FIRST)
    b = amend(world, p, "insert", 3, text="Nos vemos en las calles.")
    c = amend(world, p, "delete", 2)
    to_debate(world, p)
    for x in (a, b):
        x.refresh_from_db()
        services.adopt_amendment(world.alice, x)
    c.refresh_from_db()
    services.reject_amendment(world.alice, c)
    p.refresh_from_db()
    assert cons.paragraphs(p.text) == [FIRST, cons.paragraphs(TEXT)[1], cons.paragraphs(TEXT)[2], "Nos vemos en las calles."]
    assert p.version == 3
    assert list(Version.objects.filter(proposal=p).values_list("number", "reason", "amendment__number")) == [
        (1, "created", None), (2, "amendment", 1), (3, "amendment", 2)]
    assert Amendment.objects.get(pk=c.pk).state == "rejected"
    services.adopt_proposal(world.alice, p)
    assert p.state == "adopted"


def test_deciding_twice_changes_nothing_and_a_decided_amendment_stays_decided(world):
    p = proposal(world, "amendment")
    a = amend(world, p, "replace", 1, text=FIRST)
    to_debate(world, p)
    a.refresh_from_db()
    stale = Amendment.objects.get(pk=a.pk)
    services.adopt_amendment(world.alice, a)
    before = snapshot()
    services.adopt_amendment(world.alice, stale)  # a retry
    assert snapshot() == before
    with pytest.raises(ServiceError, match="Only an amendment in debate can be rejected"):
        services.reject_amendment(world.alice, Amendment.objects.get(pk=a.pk))
    with pytest.raises(ServiceError, match="can no longer be withdrawn"):
        services.withdraw_amendment(world.bob, Amendment.objects.get(pk=a.pk))


def test_amendments_are_decided_only_in_debate_and_only_by_organisers(world):
    p = proposal(world, "amendment")
    a = amend(world, p, "replace", 1, text=FIRST)
    with pytest.raises(ServiceError, match="decided while the proposal is in debate"):
        services.adopt_amendment(world.alice, a)
    to_debate(world, p)
    a.refresh_from_db()
    with pytest.raises(PermissionDenied):
        services.adopt_amendment(world.bob, a)
    eva, _reg = delegate(world, "eva@example.org", "Eva")
    with pytest.raises(PermissionDenied, match="Only its author and the organisers"):
        services.withdraw_amendment(eva, a)


def test_a_proposal_is_adopted_only_once_its_amendments_are_decided(world):
    p = proposal(world, "amendment")
    a = amend(world, p, "replace", 1, text=FIRST)
    to_debate(world, p)
    with pytest.raises(ServiceError, match=r"Decide its amendments first \(not decided yet: 1\)."):
        services.adopt_proposal(world.alice, p)
    a.refresh_from_db()
    services.withdraw_amendment(world.bob, a)
    services.adopt_proposal(world.alice, p)
    assert p.state == "adopted"


def test_two_adopted_amendments_changing_the_same_words_are_a_conflict_for_the_organisers(world):
    p = proposal(world, "amendment")
    a = amend(world, p, "replace", 1, text=FIRST)
    b = amend(world, p, "replace", 1, text="Convocamos una jornada continental de protesta el 1.º de mayo.")
    c = amend(world, p, "replace", 1, text="Convocamos una gran jornada continental de acción el 1.º de mayo.")
    to_debate(world, p)
    for x in (a, b, c):
        x.refresh_from_db()
        services.adopt_amendment(world.alice, x)
    p.refresh_from_db()
    conflict = Conflict.objects.get()
    assert (conflict.amendment, conflict.others, conflict.start, conflict.end) == (b, [a.pk], 0, 1)
    assert cons.paragraphs(p.text)[0] == "Convocamos una gran jornada continental de lucha el 1.º de mayo."
    assert "protesta" not in p.text  # never merged silently
    with pytest.raises(ServiceError, match="Resolve the conflicts"):
        services.adopt_proposal(world.alice, p)
    start, end, now = services.resolution_start(conflict)
    assert (start, end) == (0, 1) and now == cons.paragraphs(p.text)[0]
    services.resolve_conflict(world.alice, conflict, text="Convocamos una gran jornada continental de lucha y protesta "
                              "el 1.º de mayo.", base_version=p.version)
    p.refresh_from_db()
    assert cons.paragraphs(p.text)[0].endswith("de lucha y protesta el 1.º de mayo.")
    assert Version.objects.filter(proposal=p).last().reason == "resolution"
    conflict.refresh_from_db()
    assert conflict.resolved_by == world.alice and not conflict.is_open
    services.adopt_proposal(world.alice, p)


def test_a_resolution_written_on_an_older_text_is_a_conflict_too(world):
    p = proposal(world, "amendment")
    a = amend(world, p, "replace", 1, text=FIRST)
    b = amend(world, p, "replace", 1, text="Convocamos una jornada continental de protesta el 1.º de mayo.")
    c = amend(world, p, "replace", 3, text="Exigimos el fin de las deportaciones.")
    to_debate(world, p)
    for x in (a, b):
        x.refresh_from_db()
        services.adopt_amendment(world.alice, x)
    p.refresh_from_db()
    seen = p.version
    c.refresh_from_db()
    services.adopt_amendment(world.alice, c)  # the text moves on while the organiser writes the resolution
    conflict = Conflict.objects.get()
    before = snapshot()
    with pytest.raises(services.EditConflict, match="The text changed since you opened this page"):
        services.resolve_conflict(world.alice, conflict, text="Algo.", base_version=seen)
    assert snapshot() == before
    with pytest.raises(PermissionDenied):
        services.resolve_conflict(world.bob, conflict, text="Algo.", base_version=seen + 1)
