"""The voting app's own audit entries move into the platform's one audit trail
(``convoca.audit``), then the voting table goes.

Each entry keeps its time, actor, gathering and note; its action gets the
trail's code ("created" -> "poll.created", "proxy_given" -> "proxy.given"), and
its target is the poll, or for a proxy the proxy its note named ("proxy 12").
Going back copies the entries back (the trail keeps its copies: it is
append-only)."""

import re

from django.db import migrations

PROXY_NOTE = re.compile(r"^proxy (\d+)$")
PROXY_ACTIONS = {"proxy_given": "proxy.given", "proxy_revoked": "proxy.revoked"}


def forwards(apps, schema_editor):
    Old = apps.get_model("voting", "AuditEntry")
    Entry = apps.get_model("audit", "Entry")
    new = []
    for old in Old.objects.order_by("at", "pk").iterator():
        note, target_type, target_id = old.note, "", ""
        if old.action in PROXY_ACTIONS:
            action = PROXY_ACTIONS[old.action]
            found = PROXY_NOTE.match(note or "")
            if found:
                target_type, target_id, note = "voting.proxy", found.group(1), ""
        else:
            action = f"poll.{old.action}"
            if old.poll_id is not None:
                target_type, target_id = "voting.poll", str(old.poll_id)
        new.append(Entry(at=old.at, actor_id=old.actor_id, action=action, gathering_id=old.gathering_id,
                         target_type=target_type, target_id=target_id, note=note))
    Entry.objects.bulk_create(new, batch_size=500)


def backwards(apps, schema_editor):
    Old = apps.get_model("voting", "AuditEntry")
    Entry = apps.get_model("audit", "Entry")
    Poll = apps.get_model("voting", "Poll")
    Gathering = apps.get_model("gatherings", "Gathering")
    Old._meta.get_field("at").auto_now_add = False  # keep each entry's own time
    polls = set(Poll.objects.values_list("pk", flat=True))
    gatherings = set(Gathering.objects.values_list("pk", flat=True))
    old = []
    entries = Entry.objects.filter(action__regex=r"^(poll|proxy)\.", gathering_id__in=gatherings)
    for entry in entries.order_by("at", "pk"):
        kind, step = entry.action.split(".", 1)
        poll_id = int(entry.target_id) if kind == "poll" and entry.target_id and int(entry.target_id) in polls else None
        note = entry.note
        if kind == "proxy":
            step = f"proxy_{step}"
            note = f"proxy {entry.target_id}" if entry.target_id else note
        old.append(Old(at=entry.at, actor_id=entry.actor_id, action=step, gathering_id=entry.gathering_id,
                       poll_id=poll_id, note=note))
    Old.objects.bulk_create(old, batch_size=500)


class Migration(migrations.Migration):

    dependencies = [
        ("voting", "0005_polls_and_options_translatable"),
        ("audit", "0001_entries"),
    ]

    operations = [
        migrations.RunPython(forwards, backwards),
        migrations.DeleteModel(name="AuditEntry"),
    ]
