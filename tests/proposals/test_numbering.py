"""Numbering on admission: per theme prefix (MIG-1, MIG-2, SOB-1), claimed with a conditional update."""

import pytest

from convoca.core.errors import PermissionDenied, ServiceError
from convoca.proposals import services
from convoca.proposals.models import Proposal, Theme

from .helpers import proposal


def test_it_numbers_per_theme_on_admission(world):
    mig = services.add_theme(world.alice, world.conference, name="Derechos de las personas migrantes", prefix="mig")
    sob = services.add_theme(world.alice, world.conference, name="Soberanía nacional", prefix="SOB")
    numbers = []
    for theme in (mig, sob, mig, None, mig):
        p = proposal(world, "submitted", theme=theme)
        services.admit_proposal(world.alice, p)
        numbers.append(p.number)
    assert numbers == ["MIG-1", "SOB-1", "MIG-2", "P-1", "MIG-3"]


def test_an_organiser_may_choose_the_theme_when_admitting(world):
    mig = services.add_theme(world.alice, world.conference, name="Migración", prefix="MIG")
    p = proposal(world, "submitted")
    services.admit_proposal(world.alice, p, theme=mig.pk)
    p.refresh_from_db()
    assert (p.theme, p.number) == (mig, "MIG-1")


def test_a_drafts_number_waits_for_admission(world):
    p = proposal(world, "submitted")
    assert p.number == "" and p.seq is None


def test_a_stale_counter_never_gives_a_number_twice(world):
    """Two admissions at once read the same next number: the conditional update lets one take it and the
    other takes the next one (simulated here by a number taken between the read and the update)."""
    theme = services.add_theme(world.alice, world.conference, name="Migración", prefix="MIG")
    first, second = proposal(world, "submitted", theme=theme), proposal(world, "submitted", theme=theme)
    services.admit_proposal(world.alice, first)
    Theme.objects.filter(pk=theme.pk).update(next_number=1)  # as if the counter were read before the first claim
    services.admit_proposal(world.alice, second)
    assert sorted(Proposal.objects.values_list("seq", flat=True)) == [1, 2]


def test_admitting_twice_keeps_the_first_number(world):
    p = proposal(world, "submitted")
    stale = Proposal.objects.get(pk=p.pk)
    services.admit_proposal(world.alice, p)
    again = services.admit_proposal(world.alice, stale)
    assert again.number == "P-1" and Proposal.objects.get(pk=p.pk).seq == 1
    assert Theme.objects.count() == 0


def test_themes_have_unique_prefixes_and_only_organisers_set_them(world):
    services.add_theme(world.alice, world.conference, name="Migración", prefix="MIG")
    with pytest.raises(ServiceError, match="already uses this prefix"):
        services.add_theme(world.alice, world.conference, name="Otra", prefix="mig")
    with pytest.raises(ServiceError, match="numbers the proposals without a theme"):
        services.add_theme(world.alice, world.conference, name="Otra", prefix="P")
    with pytest.raises(ServiceError) as caught:
        services.add_theme(world.alice, world.conference, name="", prefix="X")
    assert caught.value.field == "name"
    with pytest.raises(PermissionDenied):
        services.add_theme(world.bob, world.conference, name="Otra", prefix="OTR")
    services.add_theme(world.alice, world.prep_co, name="Migración", prefix="MIG")  # another gathering: fine
    assert Theme.objects.count() == 2


def test_renaming_a_prefix_keeps_the_numbers_given(world):
    theme = services.add_theme(world.alice, world.conference, name="Migración", prefix="MIG")
    p = proposal(world, "admitted", theme=theme)
    services.change_theme(world.alice, theme, name="Migraciones", prefix="MIGR", position=2)
    q = proposal(world, "admitted", theme=theme)
    p.refresh_from_db()
    assert (p.number, q.number) == ("MIG-1", "MIGR-2")
