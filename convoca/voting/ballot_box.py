"""Below ``services.cast_ballot``: the cached voter roll and the group commit.

* ``poll_spec(poll_id)`` — an open poll's rules, options and frozen voter roll,
  loaded once per process (the roll never changes after opening). Nothing in
  it says how anyone voted.
* ``commit_batch(items)`` — writes many casts in ONE transaction: claims the
  "has voted" rows with INSERT .. ON CONFLICT DO NOTHING (the unique voter key
  makes retries and double clicks count once), then inserts the ballots in a
  shuffled order with random ids: for a secret poll only the sealed boxes the
  request thread made (``sealing.seal``), never a plain choice or receipt; for
  named and open polls the plain ballots. Its statements go through a plain
  DB-API cursor so no query log (DEBUG) ever holds a voter next to a choice.
* ``GroupCommitter`` — one writer thread per process. Requests hand it their
  cast and wait; it gathers every cast that arrived while the previous commit
  was running and commits them together (one fsync), then answers each request.
  A cast is acknowledged only after its transaction committed.

Inside an outer transaction (tests, management commands) casts are written
inline by the same ``commit_batch``.
"""

import contextlib
import datetime
import fcntl
import hashlib
import hmac
import json
import logging
import os
import queue
import random
import secrets
import sys
import threading
import time
from concurrent.futures import Future
from dataclasses import dataclass, field
from functools import partial

from django.conf import settings
from django.db import close_old_connections, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from convoca.core import events
from convoca.core.errors import ServiceError
from convoca.core.group_commit import WRITER_NICE

from .models import random_id

logger = logging.getLogger(__name__)

SPEC_CACHE_SIZE = 128
MAX_BATCH = 1000
# Server processes (``convoca serve``) prefetch open polls while idle; tests do not.
def prefetching():
    return os.environ.get("CONVOCA_BALLOT_BOX_PREFETCH") == "1"


IDLE_TICK = 0.5
SWITCH_INTERVAL = float(os.environ.get("CONVOCA_SWITCH_INTERVAL", "0.0005"))


@dataclass
class PollSpec:
    id: int
    gathering_id: int
    kind: str
    secret: bool
    allow_change: bool
    state: str
    closes_at: object
    weight_unit: int
    min_choices: int
    max_choices: int
    options: dict  # option id -> code
    # holder user id -> ((voter id, registration id, weight), ...), the holder's own vote first
    roll: dict = field(default_factory=dict)
    public_key: bytes | None = None  # a secret poll's key: its ballots are sealed to it
    labels: dict = field(default_factory=dict)  # option id -> label as written ("" for yes, no, abstain...)
    proxies: dict = field(default_factory=dict)  # holder user id -> registration ids they vote for by proxy
    # The Poll (with its gathering) as the ballot page shows it: all of it but its state is frozen while open.
    # Shared by the threads of this process: read it, never change it.
    poll: object = None
    verified: float = 0.0  # time.monotonic() when the database last said the poll is open (see open_spec)
    # language -> (time.monotonic() when drawn, poll, options) as shown in it (``voting.queries.shown``), drawn
    # again every SHOWN_TTL seconds: a translation saved while the poll is open reaches its voters that soon.
    shown: dict = field(default_factory=dict)


# In-process, not Django's cache: every cast and the group-commit writer use these live
# objects; dropped at each state change (``forget_poll``), and each commit re-reads the state.
_specs = {}
_specs_lock = threading.Lock()


def poll_spec(poll_id, refresh=False):
    """The rules and roll of an open poll (cached per process), or of a poll in
    another state (never cached). None if the poll does not exist."""

    try:
        poll_id = int(poll_id)
    except (TypeError, ValueError):
        return None
    spec = None if refresh else _specs.get(poll_id)
    if spec is not None:
        return spec
    # Single flight: when a storm hits a poll nobody loaded yet, one thread
    # reads it and the others wait, instead of each opening a connection.
    with _load_locks_guard:
        if len(_load_locks) > SPEC_CACHE_SIZE * 8:  # ids come from URLs: keep the map bounded
            _load_locks.clear()
        lock = _load_locks.setdefault(poll_id, threading.Lock())
    with lock:
        spec = None if refresh else _specs.get(poll_id)
        return spec if spec is not None else _load_spec(poll_id)


_load_locks = {}
_load_locks_guard = threading.Lock()


def _load_spec(poll_id):
    from .models import Option, Poll, Voter

    row = (
        Poll.objects.filter(pk=poll_id)
        .values("gathering_id", "kind", "secrecy", "allow_change", "state", "closes_at", "weight_unit", "min_choices",
                "max_choices", "public_key")
        .first()
    )
    if row is None:
        return None
    options, labels = {}, {}
    for pk, code, label in Option.objects.filter(poll_id=poll_id).order_by("position", "pk").values_list(
        "pk", "code", "label"
    ):
        options[pk], labels[pk] = code, label
    roll, proxies = {}, {}
    if row["state"] in ("open", "closed", "published", "annulled"):
        rows = Voter.objects.filter(poll_id=poll_id).values_list(
            "pk", "registration_id", "weight", "holder_user_id", "holder_id"
        )
        for voter_id, reg_id, weight, user_id, holder_id in sorted(rows, key=lambda r: (r[1] != r[4], r[0])):
            roll.setdefault(user_id, []).append((voter_id, reg_id, weight))
            if reg_id != holder_id:
                proxies.setdefault(user_id, []).append(reg_id)
    spec = PollSpec(
        id=poll_id,
        gathering_id=row["gathering_id"],
        kind=row["kind"],
        secret=row["secrecy"] == "secret",
        allow_change=row["allow_change"],
        state=row["state"],
        closes_at=row["closes_at"],
        weight_unit=row["weight_unit"],
        min_choices=row["min_choices"],
        max_choices=row["max_choices"],
        options=options,
        roll={k: tuple(v) for k, v in roll.items()},
        public_key=bytes(row["public_key"]) if row["public_key"] is not None else None,
        labels=labels,
        proxies={k: tuple(v) for k, v in proxies.items()},
    )
    if spec.state == "open" and not connection.in_atomic_block:
        spec.poll = Poll.objects.select_related("gathering").filter(pk=poll_id).first()
        spec.verified = time.monotonic()
        with _specs_lock:
            if len(_specs) >= SPEC_CACHE_SIZE:
                _specs.pop(next(iter(_specs)))
            _specs[poll_id] = spec
    return spec


SHOWN_TTL = 10.0  # seconds: how long the ballot page keeps an open poll's texts in one language

STATE_TTL = 1.0  # seconds: how long the ballot page trusts that a poll it keeps is still open


def open_spec(poll_id):
    """This process's spec of a poll that is still open, or None (not kept here, or no longer open). Whether
    it is still open is read from the database at most once every ``STATE_TTL`` seconds, and by every commit
    of its ballots: a poll closed by another process may show open here for that long, and a ballot cast
    meanwhile is refused by the commit, which reads the state in its own transaction."""
    spec = _specs.get(poll_id)
    if spec is None or time.monotonic() - spec.verified <= STATE_TTL:
        return spec
    from .models import Poll

    if Poll.objects.filter(pk=poll_id).values_list("state", flat=True).first() != "open":
        forget_poll(poll_id)
        return None
    spec.verified = time.monotonic()
    return spec


def forget_poll(poll_id):
    """Drop a poll from this process's cache (after a state change here; other
    processes learn the new state from the database inside each commit)."""
    _specs.pop(int(poll_id), None)


# --- keyed hashes: a retry is recognised, a voter is never linked to a ballot ---


def _mac(label, *parts):
    message = "\x1f".join(str(p) for p in (label, *parts)).encode()
    return hmac.new(settings.SECRET_KEY.encode(), message, hashlib.sha256)


def key_hash(poll_id, user_id, key):
    return _mac("vote-key", poll_id, user_id, key).hexdigest()


def fingerprint(poll_id, key, payload):
    return _mac("vote-fp", poll_id, key, payload).hexdigest()


RECEIPT_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"


def receipt_for(poll_id, key, registration_id):
    """The receipt of one roll entry (``registration_id``: whose vote it is), derived from the voter's own
    idempotency key: a retry gets the same receipts back, a proxy holder one per vote carried, yet the
    database holds nothing that maps a voter to a receipt."""
    digest = _mac("vote-receipt", poll_id, key, registration_id).digest()
    number = int.from_bytes(digest[:10], "big")
    chars = []
    for _position in range(16):
        number, rest = divmod(number, 32)
        chars.append(RECEIPT_ALPHABET[rest])
    code = "".join(chars)
    return "-".join(code[i : i + 4] for i in range(0, 16, 4))


# --- one transaction for many casts ---------------------------------------------


@dataclass
class CastItem:
    poll_id: int
    secret: bool
    allow_change: bool
    entries: list  # [(voter_id, weight, choices tuple)]
    key_hash: str
    fingerprint: str
    receipts: list  # one per entry
    sealed: list | None = None  # a secret poll: one sealed box per entry, and nothing else of the choice


@dataclass
class Outcome:
    duplicate: bool = False
    changed: bool = False
    error: ServiceError | None = None


def _err(message, code):
    return Outcome(error=ServiceError(message, code=code))


def _chunks(rows, size):
    for i in range(0, len(rows), size):
        yield rows[i : i + size]


def commit_batch(items):
    """Write the casts ``items`` in the current or a new transaction; returns
    one ``Outcome`` per item, in order. Never raises for a refused cast."""
    outcomes = [None] * len(items)
    with transaction.atomic():
        connection.ensure_connection()
        cursor = connection.create_cursor()  # plain DB-API cursor: never logged
        try:
            _commit_batch(cursor, items, outcomes)
        finally:
            cursor.close()
        _announce_turnout(items, outcomes)
    return outcomes


def _announce_turnout(items, outcomes):
    """Once committed, each poll that got new votes tells its gathering's live pages that its turnout changed
    (at most once a second per poll and process; they fetch the figure, which says no more than before)."""
    for poll_id in {item.poll_id for item, out in zip(items, outcomes, strict=True) if out == Outcome()}:
        spec = _specs.get(poll_id)
        if spec is not None:
            topic, event = f"gathering:{spec.gathering_id}", {"kind": "poll.turnout", "poll": poll_id}
            transaction.on_commit(partial(events.publish_throttled, topic, event, (topic, "poll.turnout", poll_id)))


def _commit_batch(cursor, items, outcomes):
    pg = connection.vendor == "postgresql"
    now = timezone.now()
    poll_ids = sorted({item.poll_id for item in items})
    marks = ", ".join(["%s"] * len(poll_ids))
    cursor.execute(
        f"SELECT id, state, closes_at FROM voting_poll WHERE id IN ({marks})" + (" FOR SHARE" if pg else ""),
        poll_ids,
    )
    open_polls = set()
    seen = time.monotonic()
    for pid, state, closes_at in cursor.fetchall():
        if isinstance(closes_at, str):  # SQLite through a plain cursor: UTC, maybe as text
            closes_at = datetime.datetime.fromisoformat(closes_at)
        if closes_at is not None and timezone.is_naive(closes_at):
            closes_at = closes_at.replace(tzinfo=datetime.UTC)
        if state == "open" and (closes_at is None or closes_at > now):
            open_polls.add(pid)
        kept = _specs.get(pid)  # what the ballot page trusts (open_spec): confirmed, or dropped once closed
        if kept is not None and state == "open":
            kept.verified = seen
        elif kept is not None:
            forget_poll(pid)
    todo = []
    for i, item in enumerate(items):
        if item.poll_id not in open_polls:
            outcomes[i] = _err(_("This poll is not open for voting."), "poll_not_open")
        else:
            todo.append(i)
    if not todo:
        return
    # 1. claim "has voted" for every roll entry of every cast
    rows, claimed, deferred = [], set(), []
    for i in todo:
        item = items[i]
        voters = {e[0] for e in item.entries}
        if voters & claimed:  # a retry racing its original inside this batch: judged after the insert
            deferred.append(i)
            continue
        claimed |= voters
        for voter_id, _weight, _choices in item.entries:
            rows.append((random_id(), item.poll_id, voter_id, item.key_hash, item.fingerprint))
    rows.sort(key=lambda row: row[2])  # one lock order for every writer: no deadlock between two batches
    # No RETURNING: reading rows back costs one GIL round trip per row, and the
    # writer must not queue for the GIL behind busy request threads. The
    # changed-row count tells whether every claim went in (the usual case).
    count = 0
    for chunk in _chunks(rows, 500):
        values = ", ".join(["(%s, %s, %s, %s, %s)"] * len(chunk))
        cursor.execute(
            "INSERT INTO voting_participation (id, poll_id, voter_id, key_hash, fingerprint) "
            f"VALUES {values} ON CONFLICT DO NOTHING",
            [v for row in chunk for v in row],
        )
        count += cursor.rowcount
    if count == len(rows):
        inserted = {row[2] for row in rows}
    else:  # some voters had voted already: ours are the rows carrying the ids we drew
        ours = {row[0] for row in rows}
        inserted = set()
        voters = [row[2] for row in rows]
        for chunk in _chunks(voters, 500):
            cursor.execute(
                f"SELECT id, voter_id FROM voting_participation WHERE voter_id IN ({', '.join(['%s'] * len(chunk))})",
                chunk,
            )
            inserted.update(voter_id for pid, voter_id in cursor.fetchall() if pid in ours)
    fresh, taken, undo = [], list(deferred), []
    skip = set(deferred)
    for i in todo:
        if i in skip:
            continue
        voters = [e[0] for e in items[i].entries]
        got = [v for v in voters if v in inserted]
        if len(got) == len(voters):
            fresh.append(i)
        else:
            taken.append(i)
            undo.extend(got)
    if undo:  # a cast is all or nothing
        for chunk in _chunks(undo, 500):
            cursor.execute(
                f"DELETE FROM voting_participation WHERE voter_id IN ({', '.join(['%s'] * len(chunk))})", chunk
            )
    # 2. the new ballots, shuffled, with random ids: a secret poll's only as sealed boxes
    ballots, sealed = [], []
    for i in fresh:
        item = items[i]
        if item.sealed is not None:
            sealed.extend((random_id(), item.poll_id, box) for box in item.sealed)
        else:
            for (voter_id, weight, choices), receipt in zip(item.entries, item.receipts, strict=True):
                ballots.append(
                    (random_id(), item.poll_id, receipt, json.dumps(list(choices)), weight, None if item.secret else voter_id)
                )
        outcomes[i] = Outcome()
    rng = random.SystemRandom()
    rng.shuffle(sealed)
    for chunk in _chunks(sealed, 500):
        cursor.execute(
            f"INSERT INTO voting_sealedballot (id, poll_id, box) VALUES {', '.join(['(%s, %s, %s)'] * len(chunk))}",
            [v for row in chunk for v in row],
        )
    rng.shuffle(ballots)
    cast = "%s::jsonb" if pg else "%s"
    for chunk in _chunks(ballots, 500):
        values = ", ".join([f"(%s, %s, %s, {cast}, %s, %s)"] * len(chunk))
        cursor.execute(
            f"INSERT INTO voting_ballot (id, poll_id, receipt, choices, weight, voter_id) VALUES {values}",
            [v for row in chunk for v in row],
        )
    # 3. those already voted: a retry, a refused second ballot, or a change. After
    # step 2, so that a change racing its own first ballot in this batch finds it.
    if taken:
        voters = [e[0] for i in taken for e in items[i].entries]
        existing = {}
        for chunk in _chunks(voters, 500):
            cursor.execute(
                "SELECT voter_id, key_hash, fingerprint FROM voting_participation "
                f"WHERE voter_id IN ({', '.join(['%s'] * len(chunk))})",
                chunk,
            )
            existing.update({r[0]: (r[1], r[2]) for r in cursor.fetchall()})
        for i in taken:
            item = items[i]
            mine = [existing.get(e[0]) for e in item.entries]
            if all(m is not None and m[0] == item.key_hash for m in mine):
                if all(m[1] == item.fingerprint for m in mine):
                    outcomes[i] = Outcome(duplicate=True)
                else:
                    outcomes[i] = _err(
                        _("This request key was already used for a different ballot. Reload the ballot and try again."),
                        "key_reused",
                    )
            elif item.allow_change and not item.secret and all(m is not None for m in mine):
                _change(cursor, item, pg)
                outcomes[i] = Outcome(changed=True)
            else:
                outcomes[i] = _err(_("You have already voted in this poll."), "already_voted")


def _change(cursor, item, pg):
    cast = "%s::jsonb" if pg else "%s"
    for (voter_id, weight, choices), receipt in zip(item.entries, item.receipts, strict=True):
        cursor.execute(
            "UPDATE voting_participation SET key_hash = %s, fingerprint = %s WHERE voter_id = %s",
            [item.key_hash, item.fingerprint, voter_id],
        )
        cursor.execute(
            f"UPDATE voting_ballot SET choices = {cast}, receipt = %s, weight = %s WHERE voter_id = %s",
            [json.dumps(list(choices)), receipt, weight, voter_id],
        )


# --- the group commit --------------------------------------------------------------


class GroupCommitter:
    """One writer thread per process; see the module docstring."""

    def __init__(self):
        self._queue = queue.SimpleQueue()
        self._thread = None
        self._lock = threading.Lock()

    def submit(self, item, timeout=60):
        future = Future()
        self._queue.put((item, future))
        self._ensure_thread()
        return future.result(timeout=timeout)

    def _ensure_thread(self):
        if self._thread is not None and self._thread.is_alive():
            return
        with self._lock:
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, name="convoca-ballot-box", daemon=True)
                self._thread.start()

    def _run(self):
        # The writer releases the GIL at every database call; with the default
        # 5 ms switch interval, busy request threads would make it wait that
        # long to get it back, several times per batch.
        sys.setswitchinterval(SWITCH_INTERVAL)
        with contextlib.suppress(AttributeError, OSError):  # every request waits on this thread: schedule it first (needs CAP_SYS_NICE)
            os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), WRITER_NICE)
        while True:
            try:
                batch = [self._queue.get(timeout=IDLE_TICK if prefetching() else None)]
            except queue.Empty:
                self._idle()
                continue
            while len(batch) < MAX_BATCH:
                try:
                    batch.append(self._queue.get_nowait())
                except queue.Empty:
                    break
            self._write(batch)

    def _idle(self):
        """Between storms: load every open poll (rules, roll) before its first
        ballot arrives, and forget polls that closed elsewhere. One small query
        a second."""
        from .models import Poll

        try:
            if connection.vendor == "sqlite" and getattr(self, "_dirty", False):
                with connection.cursor() as c:
                    c.execute("PRAGMA wal_checkpoint(PASSIVE)")
                self._dirty = False
            open_ids = set(Poll.objects.filter(state="open").values_list("pk", flat=True))
            for pid in list(_specs):
                if pid not in open_ids:
                    forget_poll(pid)
            for pid in open_ids:
                poll_spec(pid)
        except Exception:  # noqa: BLE001 - a prefetch is an optimisation only
            self._reset_connection()

    def release_connection(self):
        """Close the writer thread's database connection (tests, shutdown)."""
        if self._thread is not None and self._thread.is_alive():
            self.submit(_RELEASE)

    def _write(self, batch):
        if any(item is _RELEASE for item, _ in batch):
            for item, future in batch:
                if item is _RELEASE:
                    future.set_result(None)
            batch = [(item, future) for item, future in batch if item is not _RELEASE]
            connection.close()
            if not batch:
                return
        items = [item for item, _ in batch]
        started = locked = time.perf_counter()
        try:
            if connection.vendor == "sqlite":
                connection.ensure_connection()
                if getattr(connection, "_convoca_sync_full", None) is not connection.connection:
                    with connection.cursor() as c:
                        c.execute("PRAGMA synchronous=FULL")  # acknowledged means on disk, even after a power cut
                        c.execute("PRAGMA wal_autocheckpoint=20000")  # checkpoint when idle, not mid-storm
                    connection._convoca_sync_full = connection.connection
                    self._dirty = True
            with _writer_lock():
                locked = time.perf_counter()
                outcomes = commit_batch(items)
            self._dirty = True
        except Exception:  # database trouble: try each cast alone so one cannot sink the rest
            logger.exception("group commit of %s casts failed; retrying one by one", len(items))
            self._reset_connection()
            outcomes = []
            for item in items:
                try:
                    outcomes.append(commit_batch([item])[0])
                except Exception as exc:  # noqa: BLE001 - reported to the voter as "try again"
                    self._reset_connection()
                    outcomes.append(exc)
        if STATS:
            logger.warning("ballot box: %s casts in %.1f ms (lock wait %.1f ms)", len(items),
                           (time.perf_counter() - started) * 1000, (locked - started) * 1000)
        for (_item, future), outcome in zip(batch, outcomes, strict=True):
            if isinstance(outcome, Exception):
                future.set_exception(outcome)
            else:
                future.set_result(outcome)

    @staticmethod
    def _reset_connection():
        with contextlib.suppress(Exception):  # noqa: BLE001 - a broken connection may fail to close; it is replaced below
            connection.close()
        close_old_connections()
        time.sleep(0.01)


@contextlib.contextmanager
def _writer_lock():
    """SQLite: the writer threads of all server processes take turns through a
    blocking file lock. Without it they collide on SQLite's write lock, whose
    busy handler sleeps and retries (up to 100 ms a time) and can starve one
    process; the kernel wakes the next writer as soon as the lock is free."""
    name = str(connection.settings_dict.get("NAME") or "")
    if connection.vendor != "sqlite" or not name or "memory" in name:
        yield
        return
    fd = _lock_fds.get(name)
    if fd is None:
        fd = _lock_fds[name] = os.open(name + ".ballot-box.lock", os.O_RDWR | os.O_CREAT, 0o600)
    fcntl.flock(fd, fcntl.LOCK_EX)
    try:
        yield
    finally:
        fcntl.flock(fd, fcntl.LOCK_UN)


_lock_fds = {}
_RELEASE = object()
STATS = os.environ.get("CONVOCA_BALLOT_BOX_STATS") == "1"
_committer = GroupCommitter()


def write(item):
    """Commit one cast: inline inside an outer transaction, else through the
    group commit. Returns its ``Outcome`` once it is durable."""
    if connection.in_atomic_block or not getattr(settings, "VOTING_GROUP_COMMIT", True):
        return commit_batch([item])[0]
    return _committer.submit(item)


def start():
    """Start this process's writer thread now rather than at the first ballot."""
    _committer._ensure_thread()


def _after_fork_in_child():
    """A server that imports the app and then forks its workers: each worker
    gets a fresh queue and cache, and (when prefetching) its own writer."""
    global _committer
    _committer = GroupCommitter()
    _specs.clear()
    _lock_fds.clear()
    if prefetching():
        start()


os.register_at_fork(after_in_child=_after_fork_in_child)


def release_connection():
    _committer.release_connection()


def new_key():
    return secrets.token_urlsafe(18)
