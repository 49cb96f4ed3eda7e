"""Co-sponsoring: accredited delegates put their organisation behind a proposal; support counts follow."""

import pytest
from django.contrib.auth.models import AnonymousUser

from convoca.core.errors import PermissionDenied, ServiceError
from convoca.proposals import queries, services
from convoca.proposals.models import Sponsorship

from .helpers import delegate, proposal


def test_a_delegate_cosponsors_for_their_organisation_once(world):
    eva, _reg = delegate(world, "eva@example.org", "Eva")
    p = proposal(world, "submitted")
    services.sponsor(eva, p)
    services.sponsor(eva, p)  # a retry changes nothing
    assert Sponsorship.objects.filter(proposal=p).count() == 2
    services.withdraw_support(eva, p)
    assert list(Sponsorship.objects.filter(proposal=p).values_list("role", flat=True)) == ["submitter"]


def test_the_submitting_organisation_cannot_just_withdraw_its_support(world):
    p = proposal(world, "submitted")
    with pytest.raises(ServiceError, match="withdraw the proposal instead"):
        services.withdraw_support(world.bob, p)


def test_cosponsoring_is_for_accredited_delegates_while_the_proposal_is_open(world):
    p = proposal(world, "submitted")
    with pytest.raises(PermissionDenied):
        services.sponsor(world.olga, p)
    eva, _reg = delegate(world, "eva@example.org", "Eva")
    with pytest.raises(ServiceError, match="Co-sponsoring is open from submission until the decision"):
        services.sponsor(eva, proposal(world))
    with pytest.raises(ServiceError, match="Co-sponsoring is open"):
        services.sponsor(eva, proposal(world, "adopted"))


def test_support_counts_and_private_organisations_stay_hidden_from_the_public(world):
    eva, _reg = delegate(world, "eva@example.org", "Eva", organisation=world.org_mx)  # org_mx is not public
    p = proposal(world, "submitted")
    services.sponsor(eva, p)
    listed = queries.proposal_list(world.nadia, world.conference).filter(pk=p.pk)
    members = queries.with_sponsors(world.nadia, listed, world.conference)[0].sponsors
    assert members.support == 2
    assert members.submitters == ["Sindicato Andino"] and members.cosponsors == ["Red Migrante del Norte"]
    public = queries.with_sponsors(AnonymousUser(), listed, world.conference)[0].sponsors
    assert public.cosponsors == [None] and public.hidden == 1 and public.support == 2
