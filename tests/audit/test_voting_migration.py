"""Migration voting 0006 moves the voting app's own audit entries into the one
trail, keeping each entry's time, actor, gathering and note."""

import datetime as dt

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from convoca.audit.models import Entry

BEFORE = [("voting", "0005_polls_and_options_translatable")]
AFTER = [("voting", "0006_audit_entries_move_to_the_trail")]


def _migrate(voting):
    """Every app at its latest migration, voting at ``voting``; the historical models of that state."""
    executor = MigrationExecutor(connection)
    targets = [leaf for leaf in executor.loader.graph.leaf_nodes() if leaf[0] != "voting"] + voting
    executor.migrate(targets)
    executor.loader.build_graph()
    return executor.loader.project_state(targets).apps


@pytest.mark.django_db(transaction=True)
def test_it_copies_the_voting_entries_into_the_trail():
    old_apps = _migrate(BEFORE)
    try:
        User = old_apps.get_model("accounts", "User")
        Gathering = old_apps.get_model("gatherings", "Gathering")
        Poll = old_apps.get_model("voting", "Poll")
        Old = old_apps.get_model("voting", "AuditEntry")
        Old._meta.get_field("at").auto_now_add = False
        alice = User.objects.create(email="alice@example.org", is_coordinator=True)
        today = dt.date.today()
        gathering = Gathering.objects.create(kind="conference", slug="c", title="C", starts_on=today, ends_on=today,
                                             original_language="es")
        poll = Poll.objects.create(gathering=gathering, title="Q", original_language="es")
        when = timezone.now() - dt.timedelta(days=3)
        Old.objects.create(gathering=gathering, poll=poll, actor=alice, action="created", at=when)
        Old.objects.create(gathering=gathering, poll=poll, actor=None, action="opened", note="scheduled", at=when)
        Old.objects.create(gathering=gathering, poll=None, actor=alice, action="proxy_given", note="proxy 7", at=when)
    finally:
        _migrate(AFTER)
    rows = list(Entry.objects.order_by("pk").values_list("at", "actor_id", "action", "gathering_id", "target_type",
                                                         "target_id", "note"))
    assert rows == [
        (when, alice.pk, "poll.created", gathering.pk, "voting.poll", str(poll.pk), ""),
        (when, None, "poll.opened", gathering.pk, "voting.poll", str(poll.pk), "scheduled"),
        (when, alice.pk, "proxy.given", gathering.pk, "voting.proxy", "7", ""),
    ]
    assert "voting_auditentry" not in connection.introspection.table_names()

