"""The trail is append-only in the database itself: triggers refuse every
UPDATE and DELETE, whoever sends it (the ORM, raw SQL, a bulk write)."""

import pytest
from django.db import DatabaseError, connection, transaction

from convoca.audit import services as audit
from convoca.audit.models import Entry


@pytest.fixture
def entry(world):
    return audit.record(world.alice, "gathering.changed", gathering=world.conference, target=world.conference,
                        note="title")


def _refused(write):
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        write()


def test_it_refuses_to_change_an_entry_through_the_orm(entry):
    entry.note = "nothing happened"
    _refused(lambda: entry.save())
    _refused(lambda: Entry.objects.filter(pk=entry.pk).update(actor_id=None))
    assert Entry.objects.get(pk=entry.pk).note == "title"


def test_it_refuses_to_delete_an_entry(entry):
    _refused(lambda: entry.delete())
    _refused(lambda: Entry.objects.all().delete())
    assert Entry.objects.filter(pk=entry.pk).exists()


def test_it_refuses_raw_sql_too(entry):
    def raw(sql):
        with connection.cursor() as cursor:
            cursor.execute(sql, [entry.pk])

    _refused(lambda: raw("UPDATE audit_entry SET action = 'poll.opened' WHERE id = %s"))
    _refused(lambda: raw("DELETE FROM audit_entry WHERE id = %s"))
    assert Entry.objects.get(pk=entry.pk).action == "gathering.changed"


def test_it_still_appends(entry):
    audit.record(None, "poll.opened", note="scheduled")
    assert Entry.objects.count() == 2


def test_it_refuses_an_unknown_action_and_a_long_note(world):
    with pytest.raises(ValueError, match="unknown audit action"):
        audit.record(world.alice, "poll.opend")
    with pytest.raises(ValueError):
        audit.record(world.alice, "poll.opened", note="x" * 5000)
    assert not Entry.objects.exists()


def test_it_has_no_foreign_key_so_nothing_cascades_into_it(entry, world):
    """A deleted gathering, or an account, leaves its entries as they were (and needs no UPDATE of them)."""
    audit.record(world.alice, "gathering.changed", gathering=world.prep_co, target=world.prep_co)
    gathering_id = world.prep_co.pk
    world.prep_co.delete()
    assert Entry.objects.filter(gathering_id=gathering_id).count() == 1
    assert Entry.objects.count() == 2
    assert not Entry._meta.get_field("actor_id").is_relation
