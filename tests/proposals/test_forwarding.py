"""Forwarding with provenance: the national committee forwards what its meeting adopted; the copy keeps a
visible chain back (meeting, country, date, vote) and later changes on either side change nothing on the other."""

import pytest

from convoca.core.errors import PermissionDenied, ServiceError
from convoca.proposals import services
from convoca.proposals.models import Provenance, Sponsorship

from .helpers import TEXT, delegate, proposal, published_poll, snapshot


@pytest.fixture
def national(world):
    """María (CO delegate) had a proposal adopted at the Colombian preparatory meeting, by a vote."""
    maria, _reg = delegate(world, "maria@example.org", "María", gathering=world.prep_co)
    p = proposal(world, "debate", gathering=world.prep_co, author=maria)
    poll = services.create_proposal_poll(world.carla, p, secrecy="open", electorate="accredited")
    published_poll(world, poll, [(maria, ["yes"])])
    services.apply_poll_results()
    p.refresh_from_db()
    assert p.state == "adopted"
    return p


def test_the_committee_forwards_an_adopted_proposal_with_its_provenance(world, national):
    copy = services.forward_proposal(world.carla, national, world.conference)
    assert (copy.gathering, copy.state, copy.text, copy.forwarded_from) == (world.conference, "submitted", TEXT, national)
    step = Provenance.objects.get(proposal=copy)
    assert (step.gathering, step.gathering_title, step.country, step.number) == (
        world.prep_co, "Encuentro preparatorio Colombia", "CO", "P-1")
    assert step.adopted_at == national.decided_at and step.forwarded_by == world.carla
    assert step.vote["outcome"] == "adopted" and step.vote["yes"] == "1" and step.vote["no"] == "0"
    assert step.vote["poll"] == national.poll_id
    assert list(Sponsorship.objects.filter(proposal=copy).values_list("organisation__name", "role")) == [
        ("Org of María", "submitter")]


def test_later_changes_on_either_side_do_not_change_the_other(world, national):
    copy = services.forward_proposal(world.carla, national, world.conference)
    # the conference amends its copy...
    services.admit_proposal(world.alice, copy)
    services.edit_proposal(world.alice, copy, title="Otro título", text="Otro texto.", base_version=1)
    # ...and the meeting is renamed
    world.prep_co.title = "Encuentro de Bogotá"
    world.prep_co.save()
    national.refresh_from_db()
    assert (national.title, national.text, national.version) == ("Jornada continental del 1.º de mayo", TEXT, 1)
    step = Provenance.objects.get(proposal=copy)
    assert step.gathering_title == "Encuentro preparatorio Colombia" and step.title == "Jornada continental del 1.º de mayo"
    copy.refresh_from_db()
    assert copy.text == "Otro texto."


def test_forwarding_twice_gives_the_same_copy(world, national):
    copy = services.forward_proposal(world.carla, national, world.conference)
    before = snapshot()
    assert services.forward_proposal(world.carla, national, world.conference) == copy
    assert snapshot() == before


@pytest.mark.parametrize("who", ["alice", "marco", "bob", "nadia"])
def test_only_that_countrys_committee_forwards(world, national, who):
    before = snapshot()
    with pytest.raises(PermissionDenied, match="Only the national committee of the meeting's country"):
        services.forward_proposal(getattr(world, who), national, world.conference)
    assert snapshot() == before


def test_only_adopted_proposals_go_to_the_conference(world):
    maria, _reg = delegate(world, "maria@example.org", "María", gathering=world.prep_co)
    p = proposal(world, "debate", gathering=world.prep_co, author=maria)
    with pytest.raises(ServiceError, match="Only an adopted proposal can be forwarded"):
        services.forward_proposal(world.carla, p, world.conference)
    services.adopt_proposal(world.carla, p)
    with pytest.raises(ServiceError, match="Choose the continental conference"):
        services.forward_proposal(world.carla, p, world.prep_mx)


def test_the_chain_grows_when_a_forwarded_text_is_merged(world, national):
    copy = services.forward_proposal(world.carla, national, world.conference)
    other = proposal(world, "submitted")
    composite = services.merge_proposals(world.alice, world.conference, [copy, other], title="Compuesta", text=TEXT)
    assert list(Provenance.objects.filter(proposal=composite).values_list("gathering_title", flat=True)) == [
        "Encuentro preparatorio Colombia"]
