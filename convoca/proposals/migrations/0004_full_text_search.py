"""Full-text search of proposals and amendments (``convoca.proposals.search``): one document per text and
language, and the database's own index over it, made here for the database in use:

- SQLite (the embedded default): the FTS5 table ``proposals_search`` (title, body; rowid: the document's id),
  tokenizer ``unicode61 remove_diacritics 2`` (accents and capitals do not matter), prefix indexes for 2 and
  3 characters. The services keep it in step; no trigger.
- PostgreSQL: a generated column ``search_vector`` (``simple`` configuration over
  ``convoca_search_fold(title || ' ' || body)``) with a GIN index. ``convoca_search_fold`` is
  ``lower(unaccent(...))`` when the ``unaccent`` extension is there or can be created, otherwise
  ``lower()`` and a ``translate()`` of the accented Latin letters, so search ignores accents either way.

The documents of the texts already written are made here too (this migration cannot import app code, so it
builds them itself, as ``search.documents_for`` does)."""

import django.db.models.deletion
from django.db import DatabaseError, migrations, models, transaction

ACCENTED = "áàâäãåāăąéèêëēėęěíìîïīįĩóòôöõøōőúùûüūůűųũçćčñńýÿžźżšśłđ"
PLAIN = "aaaaaaaaaeeeeeeeeiiiiiiioooooooouuuuuuuuucccnnyyzzzssld"
assert len(ACCENTED) == len(PLAIN)

FTS = (
    "CREATE VIRTUAL TABLE IF NOT EXISTS proposals_search USING fts5("
    "title, body, tokenize = 'unicode61 remove_diacritics 2', prefix = '2 3')"
)


def _documents(apps):
    Proposal = apps.get_model("proposals", "Proposal")
    Amendment = apps.get_model("proposals", "Amendment")
    Translation = apps.get_model("texts", "Translation")
    SearchDocument = apps.get_model("proposals", "SearchDocument")
    proposals = {p.pk: p for p in Proposal.objects.all()}
    amendments = {a.pk: a for a in Amendment.objects.all()}
    docs = []
    for p in proposals.values():
        docs.append(SearchDocument(gathering_id=p.gathering_id, proposal_id=p.pk, language=p.original_language,
                                   title=p.title[:200], body=p.text))
    for a in amendments.values():
        docs.append(SearchDocument(gathering_id=proposals[a.proposal_id].gathering_id, proposal_id=a.proposal_id,
                                   amendment_id=a.pk, language=a.original_language,
                                   body="\n\n".join(t for t in (a.new_text, a.reason) if t)))
    for t in Translation.objects.filter(target__in=["proposals.proposal", "proposals.amendment"]):
        fields = t.fields or {}
        if t.target == "proposals.proposal" and t.object_id in proposals:
            p = proposals[t.object_id]
            if t.language != p.original_language:
                docs.append(SearchDocument(gathering_id=p.gathering_id, proposal_id=p.pk, language=t.language,
                                           title=(fields.get("title") or p.title)[:200],
                                           body=fields.get("text") or p.text))
        elif t.target == "proposals.amendment" and t.object_id in amendments:
            a = amendments[t.object_id]
            if t.language != a.original_language:
                body = "\n\n".join(x for x in (fields.get("new_text") or a.new_text, fields.get("reason") or a.reason) if x)
                docs.append(SearchDocument(gathering_id=proposals[a.proposal_id].gathering_id,
                                           proposal_id=a.proposal_id, amendment_id=a.pk, language=t.language,
                                           body=body))
    SearchDocument.objects.bulk_create(docs, batch_size=500)


def _postgresql(cursor, connection):
    try:
        with transaction.atomic(using=connection.alias):
            cursor.execute("CREATE EXTENSION IF NOT EXISTS unaccent")
    except DatabaseError:  # not installed, or not allowed: the fallback below
        pass
    cursor.execute(
        "SELECT n.nspname FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace "
        "WHERE e.extname = 'unaccent'"
    )
    row = cursor.fetchone()
    if row:
        schema = connection.ops.quote_name(row[0])
        body = f"SELECT lower({schema}.unaccent('{schema}.unaccent'::regdictionary, value))"
    else:
        body = f"SELECT translate(lower(value), '{ACCENTED}', '{PLAIN}')"
    cursor.execute(
        "CREATE OR REPLACE FUNCTION convoca_search_fold(value text) RETURNS text "
        f"LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$ {body} $$"
    )
    cursor.execute(
        "ALTER TABLE proposals_searchdocument ADD COLUMN search_vector tsvector GENERATED ALWAYS AS "
        "(to_tsvector('simple'::regconfig, convoca_search_fold(title || ' ' || body))) STORED"
    )
    cursor.execute(
        "CREATE INDEX proposals_searchdocument_vector ON proposals_searchdocument USING gin (search_vector)"
    )


def forwards(apps, schema_editor):
    connection = schema_editor.connection
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(FTS)
        elif connection.vendor == "postgresql":
            _postgresql(cursor, connection)
    _documents(apps)
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("INSERT INTO proposals_search(rowid, title, body) "
                           "SELECT id, title, body FROM proposals_searchdocument")


def backwards(apps, schema_editor):
    connection = schema_editor.connection
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("DROP TABLE IF EXISTS proposals_search")
        elif connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE proposals_searchdocument DROP COLUMN IF EXISTS search_vector")
            cursor.execute("DROP FUNCTION IF EXISTS convoca_search_fold(text)")


class Migration(migrations.Migration):

    dependencies = [
        ("gatherings", "0003_gathering_language_versions"),
        ("texts", "0001_initial"),
        ("proposals", "0003_declaration"),
    ]

    operations = [
        migrations.CreateModel(
            name="SearchDocument",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("language", models.CharField(max_length=5)),
                ("title", models.CharField(blank=True, max_length=200)),
                ("body", models.TextField(blank=True)),
                ("amendment", models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE,
                                                related_name="+", to="proposals.amendment")),
                ("gathering", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="+",
                                                to="gatherings.gathering")),
                ("proposal", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="+",
                                               to="proposals.proposal")),
            ],
            options={
                "indexes": [models.Index(fields=["proposal", "amendment"], name="proposals_s_proposa_a7e2a3_idx")],
            },
        ),
        migrations.RunPython(forwards, backwards),
    ]
