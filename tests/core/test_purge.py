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


def purge(language="en", *args):
    out = StringIO()
    with translation.override(language):
        call_command("purge", *args, stdout=out)
    return out.getvalue()


def test_it_finds_the_retention_rule_of_each_app_in_installed_order():
    assert [config.label for config, _module in app_modules("retention", "purge")] == [
        "accounts", "gatherings", "imports", "actions", "endorsements"]


def test_it_purges_what_every_app_keeps_too_long_and_says_so_per_app(world):
    _old_finished_invitation(world)
    _preview, fresh = import_services.stage_import(world.alice, "people", PEOPLE)
    _old_staged_import(world)  # staged after the fresh one: staging purges the old ones on the way
    output = purge()
    assert not Invitation.objects.exists()
    assert list(ImportBatch.objects.values_list("pk", flat=True)) == [fresh.pk]
    assert output.splitlines() == [
        "Purged (personal data no longer needed):",
        "- invitations used, withdrawn or expired, created more than 30 days ago: 1",
        "- API tokens revoked more than 30 days ago: 0",
        "- registrations never accredited, of gatherings that ended more than 90 days ago (deleted): 0",
        "- registrations kept for the record, of gatherings that ended more than 90 days ago (reduced to what the "
        "record needs): 0",
        "- staged imports older than 24 hours: 1",
        "- RSVPs of actions that ended more than 7 days ago (deleted; the counts stay): 0",
        "- places held but never confirmed within two days (given back): 0",
        "- endorsements never confirmed, signed more than 14 days ago: 0",
    ]


def test_it_says_nothing_was_purged_in_the_site_language(db):
    output = purge("es")
    assert output.splitlines()[0] == "Se eliminó (datos personales que ya no se necesitan):"
    assert output.splitlines()[1] == "- invitaciones usadas, retiradas o vencidas, creadas hace más de 30 días: 0"


def _everything():
    """Every row of every table, to compare two states of the database."""
    from django.db import connection

    dump = {}
    with connection.cursor() as cursor:
        for table in sorted(connection.introspection.table_names()):
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")
            dump[table] = sorted(map(repr, cursor.fetchall()))
    return dump


def _old_revoked_token(world):
    from convoca.accounts import services as accounts
    from convoca.accounts.models import ApiToken

    token, _raw = accounts.create_api_token(world.bob, "old script")
    ApiToken.objects.filter(pk=token.pk).update(revoked_at=timezone.now() - dt.timedelta(days=31))
    return token


def _past_conference(world):
    from convoca.gatherings.models import Gathering

    past = dt.date.today() - dt.timedelta(days=400)
    Gathering.objects.filter(pk=world.conference.pk).update(starts_on=past, ends_on=past)


def test_it_counts_in_a_dry_run_and_changes_nothing(world):
    _old_finished_invitation(world)
    _old_staged_import(world)
    _old_revoked_token(world)
    _past_conference(world)
    before = _everything()
    output = purge("en", "--dry-run")
    assert _everything() == before
    lines = output.splitlines()
    assert lines[0] == "Dry run: nothing was changed. A real run would purge:"
    assert [line.rsplit(": ", 1)[1] for line in lines[1:]] == ["1", "1", "1", "1", "1", "0", "0", "0"]


def test_it_purges_once_and_changes_nothing_when_run_again(world):
    _old_finished_invitation(world)
    _old_staged_import(world)
    _old_revoked_token(world)
    _past_conference(world)
    first = purge()
    assert [line.rsplit(": ", 1)[1] for line in first.splitlines()[1:]] == ["1", "1", "1", "1", "1", "0", "0", "0"]
    after_first = _everything()
    second = purge()
    assert [line.rsplit(": ", 1)[1] for line in second.splitlines()[1:]] == ["0"] * 8
    assert _everything() == after_first


def test_it_prints_counts_never_names(world):
    _past_conference(world)
    _old_finished_invitation(world)
    output = purge() + purge("en", "--dry-run")
    people = [world.olga_person, world.bob_person, world.alice_person]
    assert not [v for p in people for v in (p.display_name, p.email) if v in output]
    assert "old@example.org" not in output and world.conference.title not in output
