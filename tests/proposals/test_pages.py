"""The proposals pages: plain forms that post and redirect, errors next to their fields, the same number
of queries for 1 and 3 items, no 500 on bad input."""

import datetime as dt
import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from convoca.proposals import services
from convoca.proposals.models import Amendment, Proposal, Version
from tests.fixtures import client_for

from .helpers import TEXT, amend, delegate, proposal, snapshot, to_debate

FIRST = "Convocamos una jornada continental de lucha el 1.º de mayo."


def url(name, *args):
    return reverse(f"proposals:{name}", args=["conferencia", *args])


def test_a_delegate_writes_submits_and_finds_a_proposal(world):
    bob = client_for(world.bob)
    response = bob.post(url("create"), {"title": "Marcha", "text": "Uno.\n\nDos.", "original_language": "pt-br"})
    p = Proposal.objects.get()
    assert response.status_code == 302 and response["Location"] == p.get_absolute_url()
    assert (p.state, p.original_language, p.text) == ("draft", "pt-br", "Uno.\n\nDos.")
    page = bob.get(p.get_absolute_url()).content.decode()
    assert "only you can see it" in page and url("transition", p.pk, "submit") in page
    assert client_for(world.nadia).get(p.get_absolute_url()).status_code == 404  # a draft is its author's
    assert bob.post(url("transition", p.pk, "submit")).status_code == 302
    assert Proposal.objects.get().state == "submitted"
    listing = client_for(world.nadia).get(url("list")).content.decode()
    assert "Marcha" in listing and "Sindicato Andino" in listing


def test_the_form_shows_each_problem_next_to_its_field_and_keeps_the_input(world):
    response = client_for(world.bob).post(url("create"), {"title": "", "text": "Mi texto", "original_language": "es"})
    page = response.content.decode()
    assert response.status_code == 200 and 'class="error-summary"' in page and 'href="#id_title"' in page
    assert "Mi texto" in page and not Proposal.objects.exists()


def test_an_edit_racing_another_shows_both_texts_and_saves_nothing(world):
    p = proposal(world, "submitted")
    services.edit_proposal(world.alice, p, title=p.title, text=TEXT.replace("capital", "ciudad"), base_version=1)
    before = snapshot()
    mine = TEXT.replace("marchas", "huelgas")
    response = client_for(world.bob).post(url("edit", p.pk), {"title": p.title, "text": mine, "base_version": 1})
    page = response.content.decode()
    assert response.status_code == 200 and snapshot() == before
    assert "Someone saved a new version of this text (version 2)" in page
    assert "huelgas" in page and "<ins>" in page  # theirs compared with mine, mine kept in the form
    assert 'name="base_version" value="2"' in page
    again = client_for(world.bob).post(url("edit", p.pk), {"title": p.title, "text": mine, "base_version": 2})
    assert again.status_code == 302 and Proposal.objects.get(pk=p.pk).version == 3


def test_amending_takes_two_plain_steps(world):
    p = proposal(world, "amendment")
    bob = client_for(world.bob)
    first = bob.get(url("amend", p.pk)).content.decode()
    assert 'name="kind"' in first and "§3:" in first
    step = bob.get(url("amend", p.pk) + "?kind=replace&first=1").content.decode()
    assert "Convocamos una jornada continental de acción el 1.º de mayo.</textarea>" in step
    response = bob.post(url("amend", p.pk), {
        "kind": "replace", "first": 1, "last": 1, "base_version": 1, "text": FIRST, "reason": "Más claro",
        "original_language": "es",
    })
    assert response.status_code == 302
    amendment = Amendment.objects.get()
    assert (amendment.kind, amendment.first, amendment.new_text) == ("replace", 1, FIRST)
    page = bob.get(p.get_absolute_url()).content.decode()
    assert "<del><span class=\"visually-hidden\">Removed: </span>acción</del>" in page
    assert "<ins><span class=\"visually-hidden\">Added: </span>lucha</ins>" in page


def test_an_amendment_to_a_paragraph_that_does_not_exist_is_a_form_error(world):
    p = proposal(world, "amendment")
    before = snapshot()
    response = client_for(world.bob).post(url("amend", p.pk), {
        "kind": "delete", "first": 9, "last": 9, "base_version": 1, "reason": "", "original_language": "es",
    })
    assert response.status_code == 200 and snapshot() == before
    assert "Paragraph 9 does not exist (any more): the text has 3 paragraphs." in response.content.decode()


def test_the_amend_page_says_why_amending_is_closed(world):
    p = proposal(world, "amendment")
    Proposal.objects.filter(pk=p.pk).update(amendment_deadline=timezone.now() - dt.timedelta(minutes=5))
    response = client_for(world.bob).get(url("amend", p.pk), follow=True)
    assert "The deadline for amendments to this proposal passed on" in response.content.decode()


def test_organisers_move_a_proposal_through_its_pages(world):
    mig = services.add_theme(world.alice, world.conference, name="Migración", prefix="MIG")
    p = proposal(world, "submitted")
    alice = client_for(world.alice)
    assert alice.post(url("transition", p.pk, "admit"), {"theme": mig.pk}).status_code == 302
    p.refresh_from_db()
    assert p.number == "MIG-1"
    deadline = (timezone.localtime() + dt.timedelta(days=3)).strftime("%Y-%m-%dT%H:%M")
    assert alice.post(url("transition", p.pk, "open"), {"deadline": deadline}).status_code == 302
    assert alice.post(url("transition", p.pk, "debate")).status_code == 302
    assert alice.post(url("transition", p.pk, "adopt")).status_code == 302
    assert Proposal.objects.get(pk=p.pk).state == "adopted"
    # an adopted text is public and prints without its actions
    public = client_for(None).get(p.get_absolute_url()).content.decode()
    assert "MIG-1" in public and 'media="print"' in public and "proposal-page" in public


def test_not_admitting_asks_for_the_reason_on_the_page(world):
    p = proposal(world, "submitted")
    response = client_for(world.alice).post(url("transition", p.pk, "reject"), {"reason": ""})
    assert response.status_code == 200 and "This field is required" in response.content.decode()
    assert Proposal.objects.get(pk=p.pk).state == "submitted"


def test_an_illegal_transition_is_a_clear_message_on_the_page(world):
    p = proposal(world, "draft")
    Proposal.objects.filter(pk=p.pk).update(state="submitted")
    services.withdraw_proposal(world.bob, Proposal.objects.get(pk=p.pk))
    response = client_for(world.alice).post(url("transition", p.pk, "admit"), {})
    assert response.status_code == 200
    assert "Only a submitted proposal can be admitted (this one is “Withdrawn”)." in response.content.decode()


def test_a_conflict_is_resolved_on_its_page(world):
    p = proposal(world, "amendment")
    a = amend(world, p, "replace", 1, text=FIRST)
    b = amend(world, p, "replace", 1, text="Convocamos una jornada continental de protesta el 1.º de mayo.")
    to_debate(world, p)
    for x in (a, b):
        x.refresh_from_db()
        services.adopt_amendment(world.alice, x)
    p.refresh_from_db()
    conflict = p.conflicts.get()
    alice = client_for(world.alice)
    detail = alice.get(p.get_absolute_url()).content.decode()
    assert "Conflicts to resolve" in detail and url("resolve", p.pk, conflict.pk) in detail
    page = alice.get(url("resolve", p.pk, conflict.pk)).content.decode()
    assert "A1" in page and "protesta" in page and f'name="base_version" value="{p.version}"' in page
    response = alice.post(url("resolve", p.pk, conflict.pk), {
        "text": "Convocamos una jornada continental de lucha y protesta el 1.º de mayo.", "base_version": p.version,
    })
    assert response.status_code == 302
    assert "lucha y protesta" in Proposal.objects.get(pk=p.pk).text
    assert Version.objects.filter(proposal=p, reason="resolution").exists()


def test_the_forwarded_copy_shows_its_chain_back(world):
    maria, _reg = delegate(world, "maria@example.org", "María", gathering=world.prep_co)
    p = proposal(world, "debate", gathering=world.prep_co, author=maria)
    services.adopt_proposal(world.carla, p)
    carla = client_for(world.carla)
    assert carla.post(reverse("proposals:forward", args=["prep-co", p.pk]),
                      {"conference": world.conference.pk}).status_code == 302
    copy = Proposal.objects.get(gathering=world.conference)
    page = client_for(world.nadia).get(copy.get_absolute_url()).content.decode()
    assert "Where it comes from" in page and "Encuentro preparatorio Colombia (Colombia) as P-1" in page
    assert "decided by the organisers, without a recorded vote" in page
    assert reverse("proposals:detail", args=["prep-co", p.pk]) in page


def test_merging_takes_two_plain_steps(world):
    one, two = proposal(world, "admitted"), proposal(world, "admitted", title="Otra")
    alice = client_for(world.alice)
    step = alice.get(url("merge") + f"?proposals={one.pk}&proposals={two.pk}").content.decode()
    assert "Write the composite proposal" in step and "Convocamos una jornada" in step
    response = alice.post(url("merge"), {
        "proposals": [one.pk, two.pk], "title": "Compuesta", "text": "Texto común.", "theme": "",
        "original_language": "es",
    })
    composite = Proposal.objects.get(title="Compuesta")
    assert response.status_code == 302 and set(composite.merged_from.values_list("pk", flat=True)) == {one.pk, two.pk}
    third = proposal(world, "admitted")
    only_one = alice.get(url("merge") + f"?proposals={third.pk}").content.decode()
    assert "Choose at least two proposals to merge" in only_one


def test_the_export_has_amendments_and_provenance_and_no_formulas(world):
    p = proposal(world, "amendment", title="=HYPERLINK(\"http://evil\")")
    amend(world, p, "delete", 2)
    alice = client_for(world.alice)
    csv_text = alice.get(url("export") + "?format=csv").content.decode()
    lines = csv_text.splitlines()
    assert lines[0].startswith("record,proposal,number,title,state")
    assert "'=HYPERLINK" in csv_text and "\n=HYPERLINK" not in csv_text and ",=HYPERLINK" not in csv_text
    assert any(line.startswith("amendment,") and ",A1,delete,2," in line for line in lines)
    data = json.loads(alice.get(url("export") + "?format=json").content)
    assert data["proposals"][0]["amendments"][0]["kind"] == "delete"
    assert data["proposals"][0]["submitting_organisations"] == ["Sindicato Andino"]
    assert alice.get(url("export") + "?format=xml").status_code == 404


@pytest.mark.parametrize("query", [
    "?page=abc", "?page=-1", "?theme=zzz", "?state=bogus", "?q=" + "x" * 300, "?theme=99999999999999999999",
])
def test_the_list_takes_bad_filters_without_error(world, query):
    proposal(world, "submitted")
    assert client_for(world.nadia).get(url("list") + query).status_code == 200


@pytest.mark.parametrize("query", ["?kind=bogus&first=1", "?kind=replace&first=x", "?kind=replace&first=99"])
def test_the_amend_page_takes_bad_choices_without_error(world, query):
    p = proposal(world, "amendment")
    assert client_for(world.bob).get(url("amend", p.pk) + query).status_code == 200


def test_the_list_filters_and_searches(world):
    mig = services.add_theme(world.alice, world.conference, name="Migración", prefix="MIG")
    a = proposal(world, "admitted", theme=mig, title="Regularización ya")
    proposal(world, "submitted", title="Marcha del 1.º de mayo")
    nadia = client_for(world.nadia)
    assert "Regularización ya" in nadia.get(url("list") + f"?theme={mig.pk}").content.decode()
    assert "Marcha del" not in nadia.get(url("list") + "?state=admitted").content.decode()
    assert "Regularización" in nadia.get(url("list") + "?q=regularizaci").content.decode()
    assert "Regularización" in nadia.get(url("list") + f"?q={a.number}").content.decode()
    assert "Regularización" not in client_for(None).get(url("list")).content.decode()  # not adopted: not public


def _queries(client, path):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path)
    assert response.status_code == 200
    return len(captured)


def test_the_list_costs_the_same_queries_for_one_and_three_proposals(world):
    eva, _reg = delegate(world, "eva@example.org", "Eva")
    services.add_theme(world.alice, world.conference, name="Migración", prefix="MIG")
    first = proposal(world, "admitted")
    services.sponsor(eva, first)
    alice = client_for(world.alice)
    one = _queries(alice, url("list"))
    for _ in range(2):
        services.sponsor(eva, proposal(world, "amendment"))
    assert _queries(alice, url("list")) == one


def test_the_proposal_page_costs_the_same_queries_for_one_and_three_amendments(world):
    eva, _reg = delegate(world, "eva@example.org", "Eva")
    p = proposal(world, "amendment")
    amend(world, p, "replace", 1, text=FIRST)
    alice = client_for(world.alice)
    one = _queries(alice, p.get_absolute_url())
    amend(world, p, "delete", 2, by=eva)
    amend(world, p, "insert", 3, text="Nuevo.", reason="Falta algo.")
    assert _queries(alice, p.get_absolute_url()) == one
