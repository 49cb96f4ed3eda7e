"""``convoca purge`` runs the retention rule of every app that declares one."""

import datetime as dt
from io import StringIO

from django.core.management import call_command
from django.utils import timezone, translation

from convoca.accounts.models import Invitation, hash_token, new_token
from convoca.core.hooks import app_modules
from convoca.imports import services as import_services
from convoca.imports.models import ImportBatch
from tests.imports.helpers import csv_bytes

PEOPLE = csv_bytes([["nombre", "correo"], ["Ana", "ana@example.org"]])


def _old_finished_invitation(world):
    created = timezone.now() - dt.timedelta(days=60)
    invitation = Invitation.objects.create(
        email="old@example.org", token_hash=hash_token(new_token()), created_by=world.alice,
        expires_at=created + dt.timedelta(days=14),
    )
    Invitation.objects.filter(pk=invitation.pk).update(created_at=created)
    return invitation


def _old_staged_import(world):
    _preview, batch = import_services.stage_import(world.alice, "people", PEOPLE)
    ImportBatch.objects.filter(pk=batch.pk).update(created_at=timezone.now() - dt.timedelta(hours=25))
    return batch


def purge(language="en"):
    out = StringIO()
    with translation.override(language):
        call_command("purge", stdout=out)
    return out.getvalue()


def test_it_finds_the_retention_rule_of_each_app_in_installed_order():
    assert [config.label for config, _module in app_modules("retention", "purge")] == ["accounts", "imports"]


def test_it_purges_what_every_app_keeps_too_long_and_says_so_per_app(world):
    _old_finished_invitation(world)
    _preview, fresh = import_services.stage_import(world.alice, "people", PEOPLE)
    _old_staged_import(world)  # staged after the fresh one: staging purges the old ones on the way
    output = purge()
    assert not Invitation.objects.exists()
    assert list(ImportBatch.objects.values_list("pk", flat=True)) == [fresh.pk]
    assert output.splitlines() == ["Purged 1 finished invitation(s).", "Purged 1 staged import(s)."]


def test_it_says_nothing_was_purged_in_the_site_language(db):
    output = purge("es")
    assert output.splitlines() == [
        "Se eliminaron 0 invitación(es) terminada(s).", "Se eliminaron 0 importación(es) pendiente(s).",
    ]
