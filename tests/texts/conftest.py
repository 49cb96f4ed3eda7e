import pytest

from convoca.gatherings.models import Gathering


@pytest.fixture
def spanish(world):
    """The world's gatherings as they are written: in Spanish, the conference with a description."""
    Gathering.objects.filter(pk__in=[world.conference.pk, world.prep_co.pk, world.prep_mx.pk]).update(
        original_language="es"
    )
    Gathering.objects.filter(pk=world.conference.pk).update(description="Tres días de debate entre organizaciones.")
    for gathering in (world.conference, world.prep_co, world.prep_mx):
        gathering.refresh_from_db()
    return world
