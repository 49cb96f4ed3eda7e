"""What every benchmark that drives a real server shares: a throwaway database (a SQLite file in the bench's
work directory, or a PostgreSQL database created beside the one DATABASE_URL names), Django code run in a
child process with the bench's settings, ``convoca serve`` started and stopped as a user would run it, the
server's CPU time, a lean HTTP/1.1 keep-alive client and percentiles.

    space = Workspace("vote_storm", sqlite_name="storm.sqlite3", database="convoca_bench")
    env = space.env(space.fresh_database())
    data = run_django(env, "print(json.dumps(...))")
    proc = space.start_server(env, free_port())
    ...
    stop_server(proc)
"""

import asyncio
import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import zlib
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
BENCH_DIR = ROOT / "var" / "bench"
VENV_BIN = Path(sys.executable).parent

PHONE_AGENT = ("Mozilla/5.0 (Linux; Android 13; SM-A145M) AppleWebKit/537.36 (KHTML, like Gecko) "
               "Chrome/124.0.0.0 Mobile Safari/537.36")
# What a phone's browser sends with every page request (the language and cookies are added per request).
BROWSER = (
    f"User-Agent: {PHONE_AGENT}\r\n"
    "Accept: text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8\r\n"
    "Accept-Encoding: gzip, deflate, br\r\n"
)


class Workspace:
    """A benchmark's own directory (its SQLite file, the server's log), under var/bench/<name>, or
    BENCH_WORK_DIR when set, and its own PostgreSQL database name (BENCH_DATABASE overrides it)."""

    def __init__(self, name, *, sqlite_name, database):
        self.dir = Path(os.environ.get("BENCH_WORK_DIR") or BENCH_DIR / name).resolve()
        self.sqlite_path = self.dir / sqlite_name
        self.database = os.environ.get("BENCH_DATABASE", database)

    def fresh_database(self):
        """The DATABASE_URL of a new empty database (None for SQLite: its file and journal are removed)."""
        self.dir.mkdir(parents=True, exist_ok=True)
        url = os.environ.get("DATABASE_URL")
        if not url:
            for suffix in ("", "-wal", "-shm"):
                Path(f"{self.sqlite_path}{suffix}").unlink(missing_ok=True)
            return None
        import psycopg

        if not re.fullmatch(r"[a-z_][a-z0-9_]{0,62}", self.database):
            raise SystemExit(f"BENCH_DATABASE: not a plain database name: {self.database!r}")
        parts = urlsplit(url)
        admin = urlunsplit(parts._replace(path="/postgres"))  # never connected to the database it drops
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {self.database} WITH (FORCE)")
            conn.execute(f"CREATE DATABASE {self.database}")
        return urlunsplit(parts._replace(path=f"/{self.database}"))

    def env(self, database_url, *, settings="convoca.settings", **extra):
        """The environment of the server and the child processes: this workspace's files, the database, the
        settings module (a bench's own settings module is looked up in bench/), then ``extra``."""
        env = dict(os.environ)
        env.pop("DATABASE_URL", None)
        env["CONVOCA_VAR_DIR"] = str(self.dir)
        env["DJANGO_SETTINGS_MODULE"] = settings
        if settings != "convoca.settings":
            env["PYTHONPATH"] = os.pathsep.join([str(ROOT / "bench"), str(ROOT), env.get("PYTHONPATH", "")]).rstrip(
                os.pathsep)
        env.setdefault("LOG_LEVEL", "WARNING")
        if database_url:
            env["DATABASE_URL"] = database_url
        else:
            env["SQLITE_PATH"] = str(self.sqlite_path)
        env.update({key: str(value) for key, value in extra.items()})
        return env

    def start_server(self, env, port, workers=2, extra=()):
        """``convoca serve`` in its own process group, once it answers /healthz (its log: server.log here)."""
        self.dir.mkdir(parents=True, exist_ok=True)
        log_path = self.dir / "server.log"
        with open(log_path, "ab") as log:  # the child keeps its own copy of the descriptor
            proc = subprocess.Popen(
                [str(VENV_BIN / "convoca"), "serve", "--host", "127.0.0.1", "--port", str(port), "--workers",
                 str(workers), *extra],
                env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=log, start_new_session=True,
            )
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                raise SystemExit(f"server exited with {proc.returncode}; see {log_path}")
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.5) as s:
                    s.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
                    if s.recv(64).startswith(b"HTTP/1.1 200"):
                        return proc
            except OSError:
                pass
            time.sleep(0.2)
        stop_server(proc)
        raise SystemExit(f"server did not answer /healthz in time; see {log_path}")


def run_django(env, code):
    """Run Django code in a child process with the bench's settings; returns the last line it printed, as JSON."""
    out = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()\n" + code],
        env=env, cwd=ROOT, check=True, capture_output=True, text=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1]) if out.stdout.strip() else None


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def server_cpu_s(proc):
    """CPU seconds used so far by the server's processes (its process group; Linux /proc): a figure that
    other work on the machine disturbs much less than the wall-clock ones."""
    total = 0
    tick = os.sysconf("SC_CLK_TCK")
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as fh:
                fields = fh.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[2]) == proc.pid:  # pgrp
            total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / tick


def stop_server(proc, sig=signal.SIGTERM):
    try:
        os.killpg(proc.pid, sig)
    except ProcessLookupError:
        return
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()


def pct(values, p):
    """The p-th percentile of durations in seconds, in milliseconds (0.0 for no values)."""
    if not values:
        return 0.0
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))] * 1000


class Conn:
    """A lean HTTP/1.1 keep-alive client connection to 127.0.0.1:port (requests are raw bytes)."""

    def __init__(self, port):
        self.port = port
        self.reader = self.writer = None

    async def open(self):
        self.reader, self.writer = await asyncio.open_connection("127.0.0.1", self.port)

    def close(self):
        if self.writer is not None:
            self.writer.close()
            self.writer = None

    async def send(self, raw):
        if self.writer is None:
            await self.open()
        self.writer.write(raw)
        return await self.read_response()

    async def read_response(self):
        status, _headers, body = await self.read_full()
        return status, body

    async def send_full(self, raw):
        """(status, headers, body), headers as a list of (lower-case name, value)."""
        if self.writer is None:
            await self.open()
        self.writer.write(raw)
        return await self.read_full()

    async def read_full(self):
        head = await self.reader.readuntil(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        status = int(lines[0].split(" ", 2)[1])
        headers, pairs = {}, []
        for line in lines[1:]:
            if ":" in line:
                k, v = line.split(":", 1)
                headers[k.strip().lower()] = v.strip()
                pairs.append((k.strip().lower(), v.strip()))
        if "content-length" in headers:
            body = await self.reader.readexactly(int(headers["content-length"]))
        elif headers.get("transfer-encoding") == "chunked":
            body = b""
            while True:
                size = int((await self.reader.readuntil(b"\r\n")).strip(), 16)
                chunk = await self.reader.readexactly(size + 2)
                if size == 0:
                    break
                body += chunk[:-2]
        else:
            body = b""
        if headers.get("connection") == "close":
            self.close()
        if headers.get("content-encoding") == "gzip":
            body = zlib.decompress(body, 31)
        return status, pairs, body
