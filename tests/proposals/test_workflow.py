"""The workflow of a proposal: every transition through its service, recorded with who and when, announced
on the gathering's topic after commit; every illegal transition refused with its message, writing nothing."""

import datetime as dt

import pytest
from django.utils import timezone

from convoca.core import events
from convoca.core.errors import PermissionDenied, ServiceError
from convoca.proposals import services
from convoca.proposals.models import Event, Proposal, Version

from .helpers import TEXT, amend, delegate, proposal, snapshot, to_debate

S = Proposal.State


def test_it_creates_a_draft_that_only_its_author_sees(world):
    p = proposal(world)
    assert p.state == S.DRAFT and p.version == 1 and p.original_language == "es"
    assert p.delegate.person == world.bob_person
    assert [(s.organisation, s.role) for s in p.sponsorships.all()] == [(world.org_co, "submitter")]
    assert Version.objects.get(proposal=p).text == TEXT
    event = Event.objects.get(proposal=p)
    assert (event.action, event.actor, event.to_state) == ("created", world.bob, "draft")


@pytest.mark.parametrize("who", ["alice", "carla", "olga", "tomas", "nadia"])
def test_it_refuses_proposals_from_anyone_but_an_accredited_delegate(world, who):
    before = snapshot()
    with pytest.raises(PermissionDenied, match="Only accredited delegates"):
        services.create_proposal(getattr(world, who), world.conference, title="T", text="x")
    assert snapshot() == before


def test_it_refuses_a_delegate_whose_accreditation_was_refused(world):
    world.bob_reg.status = "refused"
    world.bob_reg.refusal_reason = "x"
    world.bob_reg.save()
    with pytest.raises(PermissionDenied):
        services.create_proposal(world.bob, world.conference, title="T", text="x")


@pytest.mark.parametrize(
    "title, text, field",
    [("", TEXT, "title"), ("   ", TEXT, "title"), ("x" * 201, TEXT, "title"), ("T", "", "text"), ("T", " \n\n ", "text"),
     ("T", "x" * 60_001, "text"), (["not text"], TEXT, "title"), ("T", 12, "text")],
)
def test_it_refuses_bad_titles_and_texts(world, title, text, field):
    before = snapshot()
    with pytest.raises(ServiceError) as caught:
        services.create_proposal(world.bob, world.conference, title=title, text=text)
    assert caught.value.field == field
    assert snapshot() == before


def test_it_refuses_an_unknown_language_and_a_theme_of_another_gathering(world):
    with pytest.raises(ServiceError, match="Choose one of the languages") as caught:
        services.create_proposal(world.bob, world.conference, title="T", text="x", original_language="de")
    assert caught.value.field == "original_language"
    theme = services.add_theme(world.alice, world.prep_co, name="Migración", prefix="MIG")
    with pytest.raises(ServiceError, match="Choose a theme of this gathering"):
        services.create_proposal(world.bob, world.conference, title="T", text="x", theme=theme)
    p = services.create_proposal(world.bob, world.conference, title="T", text="x", original_language="pt_BR")
    assert p.original_language == "pt-br"


def test_it_stores_the_text_with_paragraphs_separated_by_one_blank_line(world):
    p = services.create_proposal(world.bob, world.conference, title="  Título   largo ", text="a\r\n\r\n\r\n  \nb  \nc\n\n\n")
    assert p.title == "Título largo" and p.text == "a\n\nb  \nc"  # a hard line break stays


def test_it_walks_the_whole_workflow_recording_who_and_when(world, django_capture_on_commit_callbacks):
    seen = []
    unsubscribe = events.subscribe(f"gathering:{world.conference.pk}", lambda _id, event: seen.append(event))
    try:
        with django_capture_on_commit_callbacks(execute=True):
            p = proposal(world, "adopted")
    finally:
        unsubscribe()
    steps = list(Event.objects.filter(proposal=p).values_list("action", "from_state", "to_state", "actor__email"))
    assert steps == [
        ("created", "", "draft", "bob@example.org"),
        ("submit", "draft", "submitted", "bob@example.org"),
        ("admit", "submitted", "admitted", "alice@example.org"),
        ("open", "admitted", "amendment", "alice@example.org"),
        ("debate", "amendment", "debate", "alice@example.org"),
        ("adopt", "debate", "adopted", "alice@example.org"),
    ]
    assert [e["state"] for e in seen if e["kind"] == "proposal.state"] == [
        "submitted", "admitted", "amendment", "debate", "adopted"]
    assert all(set(e) >= {"kind", "proposal", "number", "state"} for e in seen)
    assert not any("bob" in str(e) for e in seen)  # events carry no personal data
    p.refresh_from_db()
    assert p.decided_at is not None and p.submitted_at is not None and p.number == "P-1"


def test_it_announces_nothing_for_a_draft(world, django_capture_on_commit_callbacks):
    seen = []
    unsubscribe = events.subscribe(f"gathering:{world.conference.pk}", lambda _id, event: seen.append(event))
    try:
        with django_capture_on_commit_callbacks(execute=True):
            proposal(world)
    finally:
        unsubscribe()
    assert seen == []


@pytest.mark.parametrize(
    "state, action, message",
    [
        ("draft", "admit", "Only a submitted proposal can be admitted (this one is “Draft”)."),
        ("admitted", "admit", None),  # a retry: changes nothing
        ("submitted", "open", "Only an admitted proposal can be opened for amendments (this one is “Submitted”)."),
        ("submitted", "debate", "Only an admitted proposal, or one open for amendments, can go to debate"),
        ("amendment", "adopt", "Only a proposal in debate can be adopted (this one is “Open for amendments”)."),
        ("admitted", "reject", "Only a submitted proposal or one in debate can be rejected"),
        ("adopted", "withdraw", "A proposal that is “Adopted” can no longer be withdrawn."),
        ("rejected", "refer", "Only an admitted proposal, or one open for amendments or in debate, can be referred"),
        ("adopted", "open", "Only an admitted proposal can be opened for amendments (this one is “Adopted”)."),
    ],
)
def test_it_refuses_illegal_transitions_with_a_clear_message(world, state, action, message):
    p = proposal(world, state)
    calls = {
        "admit": lambda: services.admit_proposal(world.alice, p),
        "open": lambda: services.open_amendments(world.alice, p),
        "debate": lambda: services.start_debate(world.alice, p),
        "adopt": lambda: services.adopt_proposal(world.alice, p),
        "reject": lambda: services.reject_proposal(world.alice, p, reason="no"),
        "withdraw": lambda: services.withdraw_proposal(world.alice, p),
        "refer": lambda: services.refer_proposal(world.alice, p, "Grupo de trabajo"),
    }
    before = snapshot()
    if message is None:
        assert calls[action]().state == state
    else:
        with pytest.raises(ServiceError, match=message.replace("(", r"\(").replace(")", r"\)")) as caught:
            calls[action]()
        assert caught.value.code == "bad_state"
    assert snapshot() == before


def test_it_refuses_transitions_to_those_not_allowed(world):
    p = proposal(world, "submitted")
    for user in (world.bob, world.carla, world.marco, world.olga, world.tomas, world.nadia, None):
        with pytest.raises(PermissionDenied, match="Only the organisers of this gathering"):
            services.admit_proposal(user, p)
    other, _reg = delegate(world, "eva@example.org", "Eva")
    draft = proposal(world)
    with pytest.raises(PermissionDenied, match="Only its author can submit"):
        services.submit_proposal(other, draft)
    with pytest.raises(PermissionDenied, match="Only its author and the organisers"):
        services.withdraw_proposal(other, draft)


def test_a_national_committee_runs_its_own_meetings_proposals(world):
    maria, _reg = delegate(world, "maria@example.org", "María", gathering=world.prep_co)
    p = services.create_proposal(maria, world.prep_co, title="Marcha", text="Marchemos.")
    services.submit_proposal(maria, p)
    services.admit_proposal(world.carla, p)
    assert p.state == S.ADMITTED and p.number == "P-1"
    with pytest.raises(PermissionDenied):
        services.open_amendments(world.marco, p)


def test_it_withdraws_at_the_authors_request_and_keeps_the_reason(world):
    p = proposal(world, "admitted")
    services.withdraw_proposal(world.bob, p, reason="La fusionamos con otra.")
    p.refresh_from_db()
    assert p.state == S.WITHDRAWN and p.decision_note == "La fusionamos con otra."
    assert Event.objects.filter(proposal=p, action="withdraw", actor=world.bob).exists()


def test_not_admitting_needs_a_reason_for_the_author(world):
    p = proposal(world, "submitted")
    before = snapshot()
    with pytest.raises(ServiceError, match="Say why the proposal is not admitted") as caught:
        services.reject_proposal(world.alice, p, reason="  ")
    assert caught.value.field == "reason" and snapshot() == before
    services.reject_proposal(world.alice, p, reason="Fuera del temario.")
    assert p.state == S.REJECTED


def test_it_refers_to_a_named_working_group(world):
    p = proposal(world, "debate")
    with pytest.raises(ServiceError, match="Name the working group"):
        services.refer_proposal(world.alice, p, "")
    services.refer_proposal(world.alice, p, "  Grupo   de   juventudes ")
    p.refresh_from_db()
    assert p.state == S.REFERRED and p.referred_to == "Grupo de juventudes"


def test_a_stale_copy_loses_the_race_without_writing(world):
    p = proposal(world, "submitted")
    stale = Proposal.objects.get(pk=p.pk)
    services.withdraw_proposal(world.bob, p)
    before = snapshot()
    with pytest.raises(ServiceError, match="this one is “Withdrawn”"):
        services.admit_proposal(world.alice, stale)
    assert snapshot() == before


def test_the_amendment_stage_follows_the_gatherings_settings(world):
    p = proposal(world, "admitted")
    with pytest.raises(ServiceError, match="Open it for amendments first"):
        services.start_debate(world.alice, p)
    services.configure(world.alice, world.conference, amendment_stage=False, amendment_days=7, prefix="C")
    with pytest.raises(ServiceError, match="without an amendment stage"):
        services.open_amendments(world.alice, p)
    services.start_debate(world.alice, p)
    p.refresh_from_db()
    assert p.state == S.DEBATE and p.base_version == 1 and p.paragraph_map == [0, 1, 2]


def test_closed_submissions_refuse_new_proposals_and_drafts(world):
    draft = proposal(world)
    services.configure(world.alice, world.conference, submissions_open=False)
    with pytest.raises(ServiceError, match="does not take new proposals"):
        services.create_proposal(world.bob, world.conference, title="T", text="x")
    with pytest.raises(ServiceError, match="does not take new proposals"):
        services.submit_proposal(world.bob, draft)


@pytest.mark.parametrize(
    "values, field",
    [({"amendment_days": 0}, "amendment_days"), ({"amendment_days": "x"}, "amendment_days"),
     ({"prefix": "1AB"}, "prefix"), ({"prefix": "MI G"}, "prefix"), ({"prefix": ""}, "prefix")],
)
def test_it_refuses_bad_settings(world, values, field):
    with pytest.raises(ServiceError) as caught:
        services.configure(world.alice, world.conference, **values)
    assert caught.value.field == field
    with pytest.raises(PermissionDenied):
        services.configure(world.bob, world.conference)


def test_the_deadline_must_be_in_the_future(world):
    p = proposal(world, "admitted")
    for bad in (timezone.now() - dt.timedelta(minutes=1), timezone.now() + dt.timedelta(days=400), "tomorrow"):
        with pytest.raises(ServiceError) as caught:
            services.open_amendments(world.alice, p, bad)
        assert caught.value.field == "deadline"
    services.open_amendments(world.alice, p)
    assert p.amendment_deadline > timezone.now() + dt.timedelta(days=13)


def test_amendments_texts_conflicts_and_polls_are_announced_after_commit(world, django_capture_on_commit_callbacks):
    p = proposal(world, "amendment")
    seen = []
    unsubscribe = events.subscribe(f"gathering:{world.conference.pk}", lambda _id, event: seen.append(event))
    try:
        with django_capture_on_commit_callbacks(execute=True):
            a = amend(world, p, "replace", 1, text="Convocamos una jornada continental de lucha el 1.º de mayo.")
            b = amend(world, p, "replace", 1, text="Convocamos una jornada continental de protesta el 1.º de mayo.")
        with django_capture_on_commit_callbacks(execute=True):
            to_debate(world, p)
            for x in (a, b):
                x.refresh_from_db()
                services.adopt_amendment(world.alice, x)
    finally:
        unsubscribe()
    kinds = [e["kind"] for e in seen]
    assert kinds.count("amendment.state") == 4  # two filed, two adopted
    assert "proposal.text" in kinds and "proposal.conflict" in kinds and "proposal.state" in kinds
    assert all(e["proposal"] == p.pk for e in seen)
