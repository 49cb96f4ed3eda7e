"""A secret poll leaves nothing that links a voter to a choice: we inspect
every table, the cache and every log line captured while people voted and
while the tellers counted. (tests/voting/test_sealed_secrecy.py also searches
system columns, row order, pg_dump, the WAL and the SQLite file's bytes.)"""

import logging

from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from convoca.voting import queries, services
from convoca.voting.models import Ballot, Participation, Poll, SealedBallot

from .helpers import PASSPHRASE, add_delegate, check_in, close_and_count, key, open_poll, option


def all_rows():
    """{table: [row as text, ...]} for every table in the database."""
    dump = {}
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")
            dump[table] = [" | ".join(str(v) for v in row) for row in cursor.fetchall()]
    return dump


def columns(model):
    with connection.cursor() as cursor:
        return {c.name: c for c in connection.introspection.get_table_description(cursor, model._meta.db_table)}


def test_it_keeps_no_link_between_voter_and_choice_anywhere(world, caplog):
    w = world
    check_in(w.bob_reg)
    voters = [w.bob] + [add_delegate(w, f"v{i}@example.org", f"Votante {i}")[0] for i in range(7)]
    poll = open_poll(w, secrecy=Poll.Secrecy.SECRET, kind="single", options="Ana\nBeto\nCira")
    ids = [option(poll, label=n) for n in ("Ana", "Beto", "Cira")]
    keys, receipts = [], []
    caplog.set_level(logging.DEBUG)
    with CaptureQueriesContext(connection) as captured:  # as with DEBUG=True: every wrapped query logged
        for i, user in enumerate(voters):
            k = key()
            keys.append(k)
            receipts.append(services.cast_ballot(user, poll, [ids[i % 3]], k).receipt)
        services.close_poll(w.alice, poll)
        # 0. while open and closed but not counted: no receipt and no choice anywhere, only sealed boxes
        rows = all_rows()
        for table, lines in rows.items():
            text = "\n".join(lines)
            assert not any(r in text for r in receipts), table
        assert not Ballot.objects.exists() and SealedBallot.objects.filter(poll=poll).count() == len(voters)
        assert queries.receipts(poll) == [] and not queries.can_see_receipts(w.alice, poll)
        services.count_sealed(w.alice, poll, [(w.alice, PASSPHRASE)])
    logged = "\n".join(r.getMessage() for r in caplog.records) + "\n".join(q["sql"] for q in captured.captured_queries)

    # 1. the ballot table names nobody and carries no time; "has voted" carries no choice
    assert set(Ballot.objects.filter(poll=poll).values_list("voter_id", flat=True)) == {None}
    for model in (Ballot, Participation):
        kinds = {connection.introspection.data_types_reverse.get(c.type_code, str(c.type_code)).lower()
                 if isinstance(c.type_code, int) else str(c.type_code).lower() for c in columns(model).values()}
        assert not any("date" in k or "time" in k for k in kinds), model
    shared = set(columns(Ballot)) & set(columns(Participation))
    assert shared == {"id", "poll_id", "voter_id"} or shared == {"id", "poll_id"}
    assert not set(Ballot.objects.values_list("id", flat=True)) & set(Participation.objects.values_list("id", flat=True))

    # 2. receipts live only in the ballot table; keys are stored nowhere; choices appear in no other voting table
    rows = all_rows()
    for table, lines in rows.items():
        text = "\n".join(lines)
        for k in keys:
            assert k not in text, table
        if table != "voting_ballot":
            for r in receipts:
                assert r not in text, table
    # 3. nothing in the logs, the captured SQL or the cache holds a receipt or a ballot insert
    for r in receipts:
        assert r not in logged
    assert PASSPHRASE not in logged
    assert "INSERT INTO voting_ballot" not in logged.replace('"', "")
    assert "INSERT INTO voting_sealedballot" not in logged.replace('"', "")
    cached = "\n".join(cached_values())
    assert not any(r in cached for r in receipts)
    # 4. ids and row order carry no arrival order: random 63-bit ids, written in one go at the count; the sealed
    # boxes and every key are gone
    assert not SealedBallot.objects.exists() and not poll.tellers.exclude(share=None).exists()
    poll.refresh_from_db()
    assert poll.public_key is None
    ballot_ids = list(Ballot.objects.filter(poll=poll).order_by("pk").values_list("pk", flat=True))
    assert len(ballot_ids) == len(voters) and max(ballot_ids) - min(ballot_ids) > 10**9
    # 5. the audit trail never mentions a choice, a receipt or a passphrase
    assert rows["audit_entry"]  # the poll's steps are in the one audit trail
    for line in rows["audit_entry"]:
        assert not any(r in line for r in receipts) and PASSPHRASE not in line
    # 6. everyone can still check their own ballot and recount
    published = {row["receipt"]: row["choice_ids"] for row in queries.receipts(poll)}
    assert set(published) == set(receipts)
    assert sorted(v[0] for v in published.values()) == sorted(ids[i % 3] for i in range(len(voters)))


def test_it_publishes_who_voted_what_in_a_named_poll(world):
    w = world
    check_in(w.bob_reg)
    poll = open_poll(w, secrecy=Poll.Secrecy.NAMED)
    services.cast_ballot(w.bob, poll, ["no"], key())
    close_and_count(w, poll)
    rows = queries.receipts(poll, w.alice)
    assert rows[0]["voter"] == "Bob Delegado" and rows[0]["choice_ids"] == [option(poll, "no")]
    # someone who may not see bob's name reads his organisation instead
    assert "Sindicato Andino" in queries.receipts(poll, w.nadia)[0]["voter"]


def test_it_shows_who_voted_what_in_an_open_poll_to_organisers_only(world):
    w = world
    check_in(w.bob_reg)
    poll = open_poll(w, secrecy=Poll.Secrecy.OPEN)
    services.cast_ballot(w.bob, poll, ["yes"], key())
    close_and_count(w, poll)
    assert queries.receipts(poll, w.alice)[0]["voter"] == "Bob Delegado"
    assert "voter" not in queries.receipts(poll, w.nadia)[0]
    assert "voter" not in queries.receipts(poll, None)[0]


def cached_values():
    """Every value in the cache, whatever the backend (local memory or Redis)."""
    import pickle

    store = cache._cache
    if isinstance(store, dict):  # LocMemCache: pickled values by full key
        raws = list(store.values())
    else:  # RedisCache
        client = store.get_client()
        raws = [client.get(key) for key in client.scan_iter()]
    values = []
    for raw in raws:
        try:
            values.append(repr(pickle.loads(raw)))
        except Exception:  # noqa: BLE001 - Redis stores integers unpickled; loads raises several kinds
            values.append(repr(raw))
    return values
