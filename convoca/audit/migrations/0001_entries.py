"""The audit trail's table, and the triggers that make it append-only.

PostgreSQL and SQLite refuse every UPDATE and DELETE of a row of
``audit_entry`` (row-level triggers). TRUNCATE is left to the table's owner: the
ORM never issues it, and Django's test runner empties tables with it on
PostgreSQL. Whoever owns the database can drop the triggers; they protect the
trail from the application's own code paths (a bug, an injected query through
the application), not from the database's administrator.
"""

import django.utils.timezone
from django.db import migrations, models

REFUSAL = "the audit trail is append-only: entries are never changed or deleted"

POSTGRESQL = [
    f"""
    CREATE OR REPLACE FUNCTION audit_entry_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        RAISE EXCEPTION USING MESSAGE = '{REFUSAL} (' || TG_OP || ' refused)', ERRCODE = 'insufficient_privilege';
    END
    $$
    """,
    """
    CREATE TRIGGER audit_entry_append_only BEFORE UPDATE OR DELETE ON audit_entry
    FOR EACH ROW EXECUTE FUNCTION audit_entry_append_only()
    """,
]
POSTGRESQL_REVERSE = [
    "DROP TRIGGER IF EXISTS audit_entry_append_only ON audit_entry",
    "DROP FUNCTION IF EXISTS audit_entry_append_only()",
]
SQLITE = [
    f"""
    CREATE TRIGGER audit_entry_no_update BEFORE UPDATE ON audit_entry
    BEGIN SELECT RAISE(ABORT, '{REFUSAL}'); END
    """,
    f"""
    CREATE TRIGGER audit_entry_no_delete BEFORE DELETE ON audit_entry
    BEGIN SELECT RAISE(ABORT, '{REFUSAL}'); END
    """,
]
SQLITE_REVERSE = ["DROP TRIGGER IF EXISTS audit_entry_no_update", "DROP TRIGGER IF EXISTS audit_entry_no_delete"]


def _run(statements):
    def run(apps, schema_editor):
        for sql in statements.get(schema_editor.connection.vendor, ()):
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):

    initial = True

    dependencies = []

    operations = [
        migrations.CreateModel(
            name="Entry",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("at", models.DateTimeField(db_index=True, default=django.utils.timezone.now, verbose_name="when")),
                ("actor_id", models.BigIntegerField(blank=True, db_index=True, null=True)),
                ("action", models.CharField(db_index=True, max_length=40, verbose_name="action")),
                ("gathering_id", models.BigIntegerField(blank=True, db_index=True, null=True)),
                ("target_type", models.CharField(blank=True, max_length=60)),
                ("target_id", models.CharField(blank=True, max_length=64)),
                ("note", models.TextField(blank=True, verbose_name="note")),
            ],
            options={
                "verbose_name": "audit entry",
                "verbose_name_plural": "audit entries",
                "ordering": ["at", "pk"],
                "indexes": [models.Index(fields=["target_type", "target_id"], name="audit_entry_target")],
            },
        ),
        migrations.RunPython(
            _run({"postgresql": POSTGRESQL, "sqlite": SQLITE}),
            _run({"postgresql": POSTGRESQL_REVERSE, "sqlite": SQLITE_REVERSE}),
        ),
    ]
