"""The proposals' share of ``convoca demo``: what a visitor should find, loaded once."""

from io import StringIO

import pytest
from django.core.management import call_command

from convoca.gatherings.demo_data import CONFERENCE
from convoca.gatherings.models import Gathering
from convoca.proposals import queries
from convoca.proposals.models import Amendment, Conflict, Declaration, Proposal, Provenance, Version
from convoca.texts.models import Translation
from tests.fixtures import client_for

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        call_command("demo", stdout=StringIO())
        yield
        call_command("flush", interactive=False, verbosity=0)


def test_it_loads_proposals_in_four_languages_at_meetings_and_the_conference(demo):
    languages = set(Proposal.objects.values_list("original_language", flat=True))
    assert languages == {"es", "pt-br", "en", "fr"}
    assert Proposal.objects.filter(gathering__slug=CONFERENCE["slug"]).count() >= 8
    assert Proposal.objects.exclude(gathering__slug=CONFERENCE["slug"]).filter(state="adopted").count() >= 3


def test_some_are_forwarded_with_their_provenance(demo):
    copies = Proposal.objects.filter(forwarded_from__isnull=False)
    assert copies.count() == 3
    step = Provenance.objects.filter(proposal__in=copies).order_by("pk").first()
    assert step.vote["outcome"] == "adopted" and step.country and step.adopted_at


def test_amendments_are_in_every_state_with_one_conflict(demo):
    assert set(Amendment.objects.values_list("state", flat=True)) == set(Amendment.State.values)
    conflict = Conflict.objects.get()
    assert conflict.is_open and conflict.others
    p = conflict.proposal
    assert p.version == 2 and Version.objects.filter(proposal=p, reason="amendment").count() == 1
    assert Amendment.objects.filter(proposal=p, poll__isnull=False).exists()  # one put to the vote


def test_a_composite_a_translation_and_a_draft(demo):
    composite = Proposal.objects.get(state="admitted", title__startswith="Campaña continental")
    assert composite.merged_from.count() == 2 and composite.number.startswith("MOV-")
    translation = Translation.objects.get(target="proposals.proposal", language="en")
    translated = Proposal.objects.get(pk=translation.object_id)
    assert not translation.is_outdated_for(translated) and translated.text_revision == 2
    assert Proposal.objects.filter(state="draft").count() == 1


def test_its_pages_render(demo):
    coordinator = client_for(Proposal.objects.filter(conflicts__isnull=False).first().events.filter(
        actor__is_coordinator=True).first().actor)
    for p in Proposal.objects.exclude(state="draft"):
        assert coordinator.get(p.get_absolute_url()).status_code == 200, p
        assert client_for(None).get(p.get_absolute_url()).status_code == (200 if p.state == "adopted" else 404)


def test_the_conference_has_a_draft_declaration_made_of_its_adopted_proposals(demo):
    declaration = Declaration.objects.get()
    adopted = Proposal.objects.filter(gathering__slug=CONFERENCE["slug"], state="adopted")
    # Composed as a draft by the proposals demo; the endorsements demo (loaded after it) publishes it.
    assert declaration.state == "published" and declaration.gathering.slug == CONFERENCE["slug"]
    assert adopted.count() >= 2 and declaration.sections.count() == adopted.count()
    assert {s.sources.get() for s in declaration.sections.all()} == set(adopted)
    assert all(s.text == s.sources.get().text for s in declaration.sections.all())
    coordinator = client_for(declaration.created_by)
    assert coordinator.get(declaration.get_absolute_url()).status_code == 200
    assert client_for(None).get(declaration.get_absolute_url()).status_code == 200  # published


def test_its_texts_are_searchable_in_their_languages(demo):
    conference = Gathering.objects.get(slug=CONFERENCE["slug"])
    member = Declaration.objects.get().created_by
    found = queries.search(conference, "regularizacion migratoria", "es", user=member)
    assert Proposal.objects.get(title="Regularización migratoria sin condiciones").pk in found.ids
    assert queries.search(conference, "JORNADA ação", "pt-br", user=member).ids  # the forwarded Brazilian text


def test_a_second_run_changes_nothing(demo):
    counts = (Proposal.objects.count(), Amendment.objects.count(), Version.objects.count(),
              Declaration.objects.count())
    call_command("demo", stdout=StringIO())
    assert (Proposal.objects.count(), Amendment.objects.count(), Version.objects.count(),
            Declaration.objects.count()) == counts
