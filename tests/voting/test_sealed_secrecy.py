"""Issue 7, "done when": a secret poll, ballots cast ONE AT A TIME (each its own transaction, through the live
ballot box), and the raw database searched for a link between a voter and a choice, while the poll is open and
after its count:

* every table with its system columns (``xmin``/``ctid`` on PostgreSQL, ``rowid`` order on SQLite);
* ``pg_dump`` of the test database (PostgreSQL; skipped only when pg_dump is missing);
* the PostgreSQL WAL from the first cast on (read from the server's data directory; skipped when it cannot be
  read), with ``pg_waldump`` where available to show which transactions wrote what;
* the SQLite database file and its -wal file (a throwaway file in a subprocess: the test database is in memory).
"""

import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from convoca.voting import ballot_box, services
from convoca.voting.models import Ballot, Participation, SealedBallot, Teller

from .helpers import PASSPHRASE, add_delegate, check_in, key, new_poll, option

ROOT = Path(settings.BASE_DIR).parent
VOTERS = 8
PLAINTEXT_MARKS = ('"c":[', '"r":"')  # the JSON inside a sealed box


def pg():
    return connection.vendor == "postgresql"


def _text(value):
    if isinstance(value, memoryview | bytes | bytearray):
        return bytes(value).decode("latin-1")  # a receipt inside a binary column would still show
    return str(value)


def _without_rowid(cursor):
    """SQLite tables stored by their primary key (FTS5's shadow tables): no rowid, their key order is physical."""
    cursor.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND sql LIKE '%WITHOUT ROWID%'")
    return {name for (name,) in cursor.fetchall()}


def raw_tables():
    """{table: [row as text, in physical order]}, system columns first."""
    dump = {}
    with connection.cursor() as cursor:
        keyed = set() if pg() else _without_rowid(cursor)
        for table in connection.introspection.table_names():
            name = connection.ops.quote_name(table)
            if pg():
                cursor.execute(f"SELECT xmin::text, ctid::text, * FROM {name} ORDER BY ctid")
            elif table in keyed:
                cursor.execute(f"SELECT * FROM {name}")
            else:
                cursor.execute(f"SELECT rowid, * FROM {name} ORDER BY rowid")
            dump[table] = [" | ".join(_text(v) for v in row) for row in cursor.fetchall()]
    return dump


def physical(table, column):
    """[(system column(s), value of ``column``)] of ``table`` in physical order."""
    with connection.cursor() as cursor:
        if pg():
            cursor.execute(f"SELECT xmin::text, ctid::text, {column} FROM {table} ORDER BY ctid")
            return [((xmin, ctid), value) for xmin, ctid, value in cursor.fetchall()]
        cursor.execute(f"SELECT rowid, {column} FROM {table} ORDER BY rowid")
        return [((rowid,), value) for rowid, value in cursor.fetchall()]


def cast_one_at_a_time(w):
    """A secret single-choice poll with one candidate per voter; each voter casts alone, in turn, through the
    group commit (its own transaction). Returns (poll, receipts and option ids in arrival order)."""
    check_in(w.bob_reg)
    voters = [w.bob] + [add_delegate(w, f"sealed{i}@example.org", f"Sellado {i}")[0] for i in range(VOTERS - 1)]
    names = [f"Candidata {i}" for i in range(VOTERS)]
    poll = new_poll(w, kind="single", options="\n".join(names), majority="plurality")
    services.open_poll(w.alice, poll)
    receipts, choices = [], []
    for voter, name in zip(voters, names, strict=True):
        choice = option(poll, label=name)
        receipts.append(services.cast_ballot(voter, poll, [choice], key()).receipt)
        choices.append(choice)
    return poll, receipts, choices


def assert_nothing_readable(dump, receipts, where):
    for table, rows in dump.items():
        text = "\n".join(rows)
        leaked = [r for r in receipts if r in text] + [m for m in PLAINTEXT_MARKS if m in text]
        assert not leaked, f"{where}: {table} holds {leaked}"


def count(w, poll):
    services.close_poll(w.alice, poll)
    services.count_sealed(w.alice, poll, [(w.alice, PASSPHRASE)])


@pytest.mark.django_db(transaction=True)
def test_it_links_no_voter_to_a_choice_in_any_table_or_system_column(world):
    w = world
    try:
        poll, receipts, choices = cast_one_at_a_time(w)
        # while open: only "has voted" rows and sealed boxes; no receipt, no choice anywhere
        assert_nothing_readable(raw_tables(), receipts, "open")
        assert not Ballot.objects.filter(poll=poll).exists()
        assert SealedBallot.objects.filter(poll=poll).count() == VOTERS == Participation.objects.filter(poll=poll).count()
        count(w, poll)
    finally:
        ballot_box.release_connection()
    dump = raw_tables()
    # after the count: receipts only in the plain ballots, which name nobody; the sealed boxes and keys are gone
    for table, rows in dump.items():
        if table != "voting_ballot":
            assert not any(r in "\n".join(rows) for r in receipts), table
    assert not SealedBallot.objects.exists()
    assert not Teller.objects.exclude(public_key=None, locked_private_key=None, share=None).exists()
    ballots = physical("voting_ballot", "receipt")
    assert sorted(r for _sys, r in ballots) == sorted(receipts)
    # physical order is not the order of arrival (8! orders: a false alarm once in 40,320 runs)
    assert [r for _sys, r in ballots] != receipts
    participations = physical("voting_participation", "voter_id")
    if pg():
        ballot_xmins = {sys_cols[0] for sys_cols, _r in ballots}
        assert len(ballot_xmins) == 1  # one transaction wrote them all
        assert not ballot_xmins & {sys_cols[0] for sys_cols, _v in participations}
        assert len({sys_cols[0] for sys_cols, _v in participations}) == VOTERS  # each voter their own transaction
    # the published list still lets each voter find their own ballot
    by_receipt = dict(Ballot.objects.filter(poll=poll).values_list("receipt", "choices"))
    assert [by_receipt[r] for r in receipts] == [[c] for c in choices]


# --- PostgreSQL: pg_dump and the WAL -----------------------------------------------------------------------


def pg_env():
    s = connection.settings_dict
    env = dict(os.environ, PGHOST=s.get("HOST") or "localhost", PGPORT=str(s.get("PORT") or 5432),
               PGUSER=s.get("USER") or "", PGDATABASE=s["NAME"])
    if s.get("PASSWORD"):
        env["PGPASSWORD"] = s["PASSWORD"]
    return env


def pg_dump():
    return subprocess.run(["pg_dump", "--data-only", "--no-owner"], env=pg_env(), check=True, capture_output=True,
                          text=True).stdout


def copy_block(dump, table):
    start = dump.index(f"COPY public.{table} ")
    return dump[start : dump.index("\\.", start)]


def one(sql, params=()):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone()


def wal_since(lsn):
    """The WAL bytes written since ``lsn``, read from the server's data directory, or None if unreadable."""
    try:
        data_dir = Path(one("SHOW data_directory")[0])
        name, offset = one("SELECT file_name, file_offset FROM pg_walfile_name_offset(%s::pg_lsn)", [lsn])
        wal_dir = data_dir / "pg_wal"
        segments = sorted(p for p in wal_dir.iterdir() if len(p.name) == 24 and p.name >= name)
        chunks = []
        for segment in segments:
            data = segment.read_bytes()
            chunks.append(data[offset:] if segment.name == name else data)
        return b"".join(chunks), wal_dir
    except (OSError, TypeError, ValueError):  # not our machine's server, or not readable by this user
        return None, None


def waldump_transactions(wal_dir, start, end, filenode):
    """{transaction id} of the heap INSERT records on relation ``filenode`` between two LSNs (pg_waldump)."""
    binary = shutil.which("pg_waldump") or next(iter(sorted(Path("/usr/lib/postgresql").glob("*/bin/pg_waldump"))), None)
    if binary is None:
        return None
    out = subprocess.run([str(binary), "-p", str(wal_dir), "-s", start, "-e", end], capture_output=True, text=True).stdout
    xids = set()
    for line in out.splitlines():
        if f"/{filenode} " in line + " " and "INSERT" in line:
            xids.add(line.split("tx:")[1].split(",")[0].strip())
    return xids


@pytest.mark.django_db(transaction=True)
def test_it_leaves_no_receipt_in_pg_dump_or_the_wal_before_the_count(world):
    if not pg():
        pytest.skip("PostgreSQL only (DATABASE_URL)")
    if shutil.which("pg_dump") is None:
        pytest.skip("pg_dump is not installed")
    w = world
    start = one("SELECT pg_current_wal_lsn()::text")[0]
    try:
        poll, receipts, _choices = cast_one_at_a_time(w)
        dumped = pg_dump()
        assert not [r for r in receipts if r in dumped] and not [m for m in PLAINTEXT_MARKS if m in dumped]
        before_count = one("SELECT pg_current_wal_lsn()::text")[0]
        wal, wal_dir = wal_since(start)
        if wal is not None:
            assert not [r for r in receipts if r.encode() in wal]
            assert not [m for m in PLAINTEXT_MARKS if m.encode() in wal]
        count(w, poll)
    finally:
        ballot_box.release_connection()
    dumped = pg_dump()
    ballots = copy_block(dumped, "voting_ballot")
    assert all(r in ballots for r in receipts)
    assert not [r for r in receipts if r in dumped.replace(ballots, "")]
    if wal is not None:
        after = one("SELECT pg_current_wal_lsn()::text")[0]
        ballot_node = one("SELECT pg_relation_filenode('voting_ballot')")[0]
        seen = waldump_transactions(wal_dir, before_count, after, ballot_node)
        if seen is not None:
            assert len(seen) == 1  # the plain ballots: one transaction, the count's
            cast_xids = waldump_transactions(wal_dir, start, before_count,
                                             one("SELECT pg_relation_filenode('voting_participation')")[0])
            assert len(cast_xids) == VOTERS and not cast_xids & seen


# --- SQLite: the database file's bytes and its WAL ---------------------------------------------------------

SQLITE_OPEN = r"""
import datetime as dt, json
import django
django.setup()
from django.core.management import call_command
call_command("migrate", verbosity=0, interactive=False)
from django.utils import timezone
from convoca.accounts.models import User
from convoca.gatherings.models import Gathering, Registration
from convoca.network.models import Organisation, Person
from convoca.voting import ballot_box, services
from convoca.voting.models import SealedBallot, Teller

coordinator = User.objects.create_user("coord@example.org", "a password for the coordinator", is_coordinator=True)
today = dt.date.today()
g = Gathering.objects.create(kind="conference", slug="c", title="C", starts_on=today, ends_on=today)
org = Organisation.objects.create(name="Sindicato", country="CO")
voters = []
for i in range(8):
    user = User.objects.create_user(f"v{i}@example.org", "a password for the voter")
    person = Person.objects.create(display_name=f"V{i}", email=user.email, user=user)
    Registration.objects.create(gathering=g, person=person, role="delegate", organisation=org, mandate="confirmed",
                                status="accredited", checked_in_at=timezone.now())
    voters.append(user)
poll = services.create_poll(coordinator, g, title="Q", kind="single", majority="plurality",
                            options="\n".join(f"Candidata {i}" for i in range(8)))
services.set_teller_passphrase(coordinator, poll, "the sqlite teller passphrase")
services.open_poll(coordinator, poll)
options = [o.pk for o in poll.options.all()]
receipts = [services.cast_ballot(u, poll, [options[i]], ballot_box.new_key()).receipt for i, u in enumerate(voters)]
ballot_box.release_connection()
print(json.dumps({"poll": poll.pk, "receipts": receipts,
                  "boxes": [bytes(b).hex() for b in SealedBallot.objects.values_list("box", flat=True)],
                  "share": bytes(Teller.objects.get(poll=poll).share).hex()}))
"""

SQLITE_COUNT = r"""
import django
django.setup()
from django.db import connection
from convoca.accounts.models import User
from convoca.voting import services
from convoca.voting.models import Poll
coordinator = User.objects.get(email="coord@example.org")
poll = Poll.objects.get(pk=POLL)
services.close_poll(coordinator, poll)
services.count_sealed(coordinator, poll, [(coordinator, "the sqlite teller passphrase")])
with connection.cursor() as cursor:
    cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
print("counted")
"""


def run(script, env):
    out = subprocess.run([sys.executable, "-c", script], env=env, cwd=ROOT, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr[-3000:]
    return out.stdout.strip().splitlines()[-1]


def file_bytes(path):
    return b"".join(Path(p).read_bytes() for p in (path, f"{path}-wal") if Path(p).exists())


def test_it_leaves_no_receipt_in_the_sqlite_file_or_its_wal_and_zeroes_the_sealed_rows_after_the_count():
    with tempfile.TemporaryDirectory() as tmp:
        db = os.path.join(tmp, "sealed.sqlite3")
        env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
        env.update(SQLITE_PATH=db, CONVOCA_VAR_DIR=tmp, CONVOCA_FAST_HASHER="1", DJANGO_SETTINGS_MODULE="convoca.settings",
                   CONVOCA_BALLOT_BOX_PREFETCH="0")
        opened = json.loads(run(SQLITE_OPEN, env))
        raw = file_bytes(db)
        assert len(opened["receipts"]) == len(opened["boxes"]) == 8
        assert not [r for r in opened["receipts"] if r.encode() in raw]
        assert not [m for m in PLAINTEXT_MARKS if m.encode() in raw]
        assert all(bytes.fromhex(box)[16:48] in raw for box in opened["boxes"])  # what the file does hold: sealed boxes
        assert run(SQLITE_COUNT.replace("POLL", str(opened["poll"])), env) == "counted"
        raw = file_bytes(db)
        assert all(r.encode() in raw for r in opened["receipts"])  # the plain ballots, in one transaction
        # secure_delete: the sealed boxes and the teller's share were overwritten, not just unlinked
        assert not [box for box in opened["boxes"] if bytes.fromhex(box)[16:48] in raw]
        assert bytes.fromhex(opened["share"])[16:48] not in raw
