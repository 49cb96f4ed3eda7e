"""Real processes for the reliability tests: ``convoca serve`` on a SQLite file, a private redis-server,
the chair's process (changes through the real services), and pages that follow a gathering as a browser's
EventSource does (reconnecting with Last-Event-ID) and reload what they show from the server."""

import contextlib
import http.client
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(condition, seconds):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return condition()


def environment(directory, redis_url=None):
    env = {k: v for k, v in os.environ.items()
           if k not in ("DATABASE_URL", "REDIS_URL", "CONVOCA_LIVE_HUB", "CONVOCA_LIVE_BUS")}
    env.update({
        "DJANGO_SETTINGS_MODULE": "convoca.settings", "CONVOCA_VAR_DIR": str(directory),
        "SQLITE_PATH": str(directory / "db.sqlite3"), "LOG_LEVEL": "ERROR", "CONVOCA_TICKER": "0",
        "STATICFILES_STORAGE": "django.contrib.staticfiles.storage.StaticFilesStorage",
        "CONVOCA_LIVE_HEARTBEAT": "2",
    })
    if redis_url:
        env["REDIS_URL"] = redis_url
    else:  # the chair's own process reaches the hub of the server
        env["CONVOCA_LIVE_HUB"] = str(directory / "hub.sock")
    return env


PREPARE = """
import django, json
django.setup()
import datetime as dt
from django.core.management import call_command
call_command("migrate", verbosity=0, interactive=False)
from convoca.accounts.models import User
from convoca.gatherings.models import Gathering
User.objects.create_user("chair@example.org", None, is_coordinator=True)
today = dt.date.today()
Gathering.objects.create(kind="conference", slug="plenary", title="Change 0", place="Ciudad de México",
                         starts_on=today, ends_on=today)
"""

CHAIR = """
import django, sys
django.setup()
from django.db import transaction
from convoca.accounts.models import User
from convoca.core.events import publish_on_commit
from convoca.gatherings import services
from convoca.gatherings.models import Gathering
chair = User.objects.get(email="chair@example.org")
print("ready", flush=True)
for line in sys.stdin:
    title = line.strip()
    gathering = Gathering.objects.get(slug="plenary")
    with transaction.atomic():  # a change and its announcement, as a service makes them
        services.update_gathering(chair, gathering, title=title)
        publish_on_commit(f"gathering:{gathering.pk}", {"kind": "gathering.changed", "gathering": gathering.pk})
    print("ok", flush=True)  # acknowledged: committed
"""


def prepare_database(directory):
    subprocess.run([sys.executable, "-c", PREPARE], env=environment(directory), cwd=ROOT, check=True, timeout=300)


class Redis:
    def __init__(self):
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.proc = None

    def start(self):
        self.proc = subprocess.Popen([shutil.which("redis-server"), "--port", str(self.port), "--save", "",
                                      "--appendonly", "no"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        if not wait_for(lambda: _connects(self.port), 10):
            raise RuntimeError("redis-server did not start")
        return self

    def stop(self):
        if self.proc is not None:
            self.proc.kill()
            self.proc.wait()
            self.proc = None


def _connects(port):
    try:
        socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
        return True
    except OSError:
        return False


class Server:
    def __init__(self, directory, workers, redis_url=None):
        self.env = environment(directory, redis_url)
        self.port = free_port()
        self.log = open(directory / "server.log", "ab")  # noqa: SIM115 - closed in stop()
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "convoca.cli", "serve", "--host", "127.0.0.1", "--port", str(self.port),
             "--workers", str(workers), "--no-collectstatic", "--no-ticker"],
            env=self.env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=self.log, start_new_session=True,
        )
        if not wait_for(self.healthy, 120):
            self.stop()
            raise RuntimeError("the server did not start; see server.log")

    def healthy(self):
        try:
            conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=2)
            conn.request("GET", "/healthz")
            return conn.getresponse().status == 200
        except OSError:
            return False

    def workers(self):
        """The process ids of the web workers (the server's children, but not the hub's threads)."""
        out = subprocess.run(["ps", "-o", "pid=,args=", "--ppid", str(self.proc.pid)], capture_output=True, text=True)
        return [int(line.split()[0]) for line in out.stdout.splitlines() if "serve" in line]

    def stop(self):
        try:
            os.killpg(self.proc.pid, signal.SIGTERM)
            self.proc.wait(timeout=40)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait()
        self.log.close()


class Chair:
    """The chair's process: each change committed through ``gatherings.services`` and announced on commit."""

    def __init__(self, env):
        self.proc = subprocess.Popen([sys.executable, "-c", CHAIR], env=env, cwd=ROOT, stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, text=True)
        assert self.proc.stdout.readline().strip() == "ready"

    def change(self, title):
        self.proc.stdin.write(title + "\n")
        self.proc.stdin.flush()
        assert self.proc.stdout.readline().strip() == "ok"

    def stop(self):
        self.proc.stdin.close()
        self.proc.wait(timeout=30)


class Page(threading.Thread):
    """An open page of the gathering: follows its events like EventSource (reconnecting after a network error
    with the last id it saw), and reloads its fragment (here, the gathering's title) from the server on each
    event or resync."""

    def __init__(self, port, gathering_id):
        super().__init__(daemon=True)
        self.port, self.path = port, f"/live/gatherings/{gathering_id}/events"
        self.last_id, self.title, self.connections, self.resyncs = None, None, 0, 0
        self.stopping = threading.Event()
        self.connected = threading.Event()
        self._conn = None

    def run(self):
        while not self.stopping.is_set():
            with contextlib.suppress(OSError, http.client.HTTPException, ValueError):
                self._follow()
            self.stopping.wait(0.5)  # the stream's "retry:" is 2 s; a test need not wait as long

    def _follow(self):
        self._conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        headers = {"Accept": "text/event-stream"} | ({"Last-Event-ID": self.last_id} if self.last_id else {})
        self._conn.request("GET", self.path, headers=headers)
        response = self._conn.getresponse()
        if response.status != 200:
            return
        self.connections += 1
        if self.title is None:
            self.reload()
        self.connected.set()
        event_id = kind = None
        while not self.stopping.is_set():
            line = response.readline()
            if not line:
                return  # the server closed the stream: reconnect
            line = line.decode().rstrip("\n")
            if line.startswith("id: "):
                event_id = line[4:]
            elif line.startswith("event: "):
                kind = line[7:]
            elif line == "":
                if kind == "resync":
                    self.resyncs += 1
                if kind in ("gathering.changed", "resync"):
                    self.reload()
                if event_id:
                    self.last_id = event_id
                event_id = kind = None

    def reload(self):
        """The fragment again, tried again as live.js does when the answering worker went away (killed)."""
        for attempt in range(5):
            try:
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
                conn.request("GET", "/api/v1/gatherings/plenary")
                self.title = json.loads(conn.getresponse().read())["title"]
                return
            except (OSError, http.client.HTTPException, ValueError):
                if attempt == 4:
                    raise
                self.stopping.wait(0.5)

    def stop(self):
        self.stopping.set()
        if self._conn is not None and self._conn.sock is not None:
            with contextlib.suppress(OSError):
                self._conn.sock.shutdown(socket.SHUT_RDWR)
