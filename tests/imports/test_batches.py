"""Staged imports: confirmed once, all or nothing, forgotten after a day."""

import datetime as dt

import pytest
from django.utils import timezone

from convoca.core.errors import NotFound, PermissionDenied
from convoca.imports import services
from convoca.imports.models import ImportBatch
from convoca.network.models import Organisation, Person

from .helpers import csv_bytes, snapshot

PEOPLE = csv_bytes([["nombre", "correo", "organización", "país"],
                    ["Ana", "ana@example.org", "Sindicato Andino", "CO"],
                    ["Beto", "beto@example.org", "Red Migrante del Norte", "MX"]])


def test_it_stages_only_clean_files(world):
    preview, batch = services.stage_import(world.alice, "people", PEOPLE)
    assert preview.ok and batch.kind == "people" and batch.created_by == world.alice
    assert len(batch.data["rows"]) == 2
    bad = csv_bytes([["nombre", "correo"], ["A", "nope"]])
    preview, batch = services.stage_import(world.alice, "people", bad)
    assert batch is None and not preview.ok
    assert ImportBatch.objects.count() == 1


def test_it_writes_nothing_until_confirmed(world):
    before = snapshot()
    services.stage_import(world.alice, "people", PEOPLE)
    assert snapshot() == before


def test_it_confirms_a_batch_once_even_if_asked_twice(world):
    _preview, batch = services.stage_import(world.alice, "people", PEOPLE)
    first = services.confirm_import(world.alice, batch)
    after = snapshot()
    second = services.confirm_import(world.alice, ImportBatch.objects.get(pk=batch.pk))
    assert first == second and (first.created, first.memberships) == (2, 2)
    assert snapshot() == after
    assert Person.objects.filter(email__in=["ana@example.org", "beto@example.org"]).count() == 2


def test_it_writes_nothing_when_one_row_fails(world):
    rows = [["nombre", "correo", "organización"]] + [[f"P{i}", f"p{i}@example.org", ""] for i in range(50)]
    rows.append(["Última", "ultima@example.org", "Organización Fantasma"])
    before = snapshot()
    with pytest.raises(services.ImportProblems) as exc:
        services.run_import(world.alice, "people", csv_bytes(rows))
    assert [str(p) for p in exc.value.preview.problems] == [
        "Row 52, column organización: unknown organisation “Organización Fantasma”; "
        "import it first with a list of organisations"]
    assert snapshot() == before


def test_it_rolls_back_everything_when_the_registry_changed_since_the_preview(world):
    rows = [["correo", "nombre", "rol", "organización"],
            ["nueva@example.org", "Nueva", "observador", ""],
            ["otra@example.org", "Otra", "delegada", "Red Migrante del Norte"]]
    _preview, batch = services.stage_import(world.alice, "registrations", csv_bytes(rows), "prep-mx")
    world.org_mx.delete()
    before = snapshot()
    with pytest.raises(services.ImportProblems):
        services.confirm_import(world.alice, batch)
    assert snapshot() == before  # not even the first row's new person
    batch.refresh_from_db()
    assert batch.confirmed_at is None and batch.data  # may be fixed and confirmed later


def test_it_lets_only_the_uploader_confirm(world):
    from convoca.accounts.models import User

    _preview, batch = services.stage_import(world.alice, "people", PEOPLE)
    other = User.objects.create_user("coord2@example.org", "x" * 12, is_coordinator=True)
    with pytest.raises(NotFound):
        services.confirm_import(other, batch)
    with pytest.raises(PermissionDenied):
        services.confirm_import(world.bob, batch)
    assert not ImportBatch.objects.get().is_confirmed


def test_it_refuses_non_coordinators_in_every_service(world):
    for call in (
        lambda: services.preview_import(world.carla, "people", PEOPLE),
        lambda: services.stage_import(world.nadia, "people", PEOPLE),
        lambda: services.run_import(world.bob, "people", PEOPLE),
        lambda: services.run_import(None, "people", PEOPLE, dry_run=True),
    ):
        with pytest.raises(PermissionDenied):
            call()
    assert not Person.objects.filter(email="ana@example.org").exists()


def test_it_purges_staged_imports_older_than_a_day(world):
    _p, old = services.stage_import(world.alice, "people", PEOPLE)
    _p, done = services.stage_import(world.alice, "people", PEOPLE)
    services.confirm_import(world.alice, done)
    ImportBatch.objects.filter(pk__in=[old.pk, done.pk]).update(created_at=timezone.now() - dt.timedelta(hours=25))
    _p, fresh = services.stage_import(world.alice, "organisations",
                                      csv_bytes([["nombre", "país", "sector"], ["X", "CO", "otro"]]))
    # staging purged the old ones on the way
    assert list(ImportBatch.objects.values_list("pk", flat=True)) == [fresh.pk]
    assert services.purge_expired_batches(now=timezone.now() + dt.timedelta(days=2)) == 1
    assert not ImportBatch.objects.exists()


def test_it_discards_a_pending_batch_only(world):
    _p, batch = services.stage_import(world.alice, "people", PEOPLE)
    assert services.discard_import(world.alice, batch) is True
    assert not ImportBatch.objects.exists()
    assert not Organisation.objects.filter(name="Ana").exists()
