"""Merging: organisers compose one proposal from similar ones, keeping links to the sources and the union of
their sponsors."""

import pytest

from convoca.core.errors import PermissionDenied, ServiceError
from convoca.proposals import services
from convoca.proposals.models import Proposal, Sponsorship

from .helpers import delegate, proposal, snapshot


def test_it_merges_into_a_numbered_composite_with_the_union_of_sponsors(world):
    eva, _reg = delegate(world, "eva@example.org", "Eva")
    ana, _reg2 = delegate(world, "ana@example.org", "Ana")
    one = proposal(world, "admitted")
    two = proposal(world, "debate", author=eva)
    services.sponsor(ana, one)
    services.sponsor(ana, two)
    services.sponsor(world.bob, two)
    composite = services.merge_proposals(
        world.alice, world.conference, [one, two.pk], title="Propuesta compuesta", text="Texto común.",
        original_language="fr",
    )
    assert (composite.state, composite.number, composite.original_language) == ("admitted", "P-3", "fr")
    assert set(Proposal.objects.filter(merged_into=composite).values_list("pk", "state")) == {
        (one.pk, "merged"), (two.pk, "merged")}
    roles = dict(Sponsorship.objects.filter(proposal=composite).values_list("organisation__name", "role"))
    assert roles == {"Sindicato Andino": "submitter", "Org of Eva": "submitter", "Org of Ana": "cosponsor"}


@pytest.mark.parametrize("case", ["one", "closed", "other_gathering", "unknown"])
def test_it_refuses_bad_merges_and_writes_nothing(world, case):
    one = proposal(world, "admitted")
    maria, _reg = delegate(world, "maria@example.org", "María", gathering=world.prep_co)
    others = {
        "one": [one],
        "closed": [one, proposal(world, "adopted")],
        "other_gathering": [one, proposal(world, "submitted", gathering=world.prep_co, author=maria)],
        "unknown": [one.pk, 999999],
    }[case]
    before = snapshot()
    with pytest.raises(ServiceError) as caught:
        services.merge_proposals(world.alice, world.conference, others, title="T", text="x")
    assert caught.value.field == "proposals" and snapshot() == before


def test_only_organisers_merge(world):
    one, two = proposal(world, "admitted"), proposal(world, "admitted")
    with pytest.raises(PermissionDenied):
        services.merge_proposals(world.bob, world.conference, [one, two], title="T", text="x")


def test_a_source_that_changed_meanwhile_undoes_the_merge(world):
    one, two = proposal(world, "admitted"), proposal(world, "admitted")
    stale = Proposal.objects.get(pk=two.pk)
    Proposal.objects.filter(pk=two.pk).update(state="withdrawn")  # withdrawn between the page and the merge
    before = snapshot()
    with pytest.raises(ServiceError):
        services.merge_proposals(world.alice, world.conference, [one, stale], title="T", text="x")
    assert snapshot() == before
