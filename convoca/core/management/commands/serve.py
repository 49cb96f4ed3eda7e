import contextlib
import os
import resource
import subprocess
import sys

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from convoca.core import events

BACKLOG = 4096  # connections waiting to be accepted (the kernel caps it at net.core.somaxconn)
WORKERS_KILL_TIMEOUT = 30  # seconds a stopping worker has to finish its requests


class Command(BaseCommand):
    help = "Run the web server (granian by default, or uvicorn) with N worker processes."

    def add_arguments(self, parser):
        parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
        parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
        parser.add_argument("--workers", type=int, default=int(os.environ.get("WEB_CONCURRENCY", "1")))
        parser.add_argument("--no-collectstatic", action="store_true")
        parser.add_argument(
            "--server", choices=["uvicorn", "granian"], default=os.environ.get("CONVOCA_SERVER", "granian"),
            help="granian (default: Django's WSGI application on a thread pool per worker, about ten times the "
            "requests per second of Django under ASGI here, for pages and the ballot box; see --interface) or "
            "uvicorn (ASGI).",
        )
        parser.add_argument(
            "--threads", type=int, default=int(os.environ.get("CONVOCA_THREADS", "4")),
            help="granian: threads per worker for pages (requests in flight per worker). Pages are mostly Python "
            "and share one interpreter lock per worker: more threads cost each page more (switching, locks, garbage "
            "collection) without serving more of them (measured: 4 serve the web ballot a third faster than 16).",
        )
        parser.add_argument(
            "--ballot-threads", type=int, default=int(os.environ.get("CONVOCA_BALLOT_THREADS", "32")),
            help="granian: threads per worker for API ballots (POST /api/v1/polls/<id>/ballots), which mostly wait "
            "for their group commit: the more wait together, the larger the batch.",
        )
        parser.add_argument(
            "--interface", choices=["rsgi", "wsgi"], default=os.environ.get("CONVOCA_INTERFACE", "rsgi"),
            help="granian: rsgi (default: pages and API on a thread pool, live streams on each worker's event "
            "loop) or wsgi (granian's own thread pool; a live stream then holds a thread).",
        )
        parser.add_argument(
            "--no-ticker", action="store_true", default=os.environ.get("CONVOCA_TICKER", "1") == "0",
            help="Do not start `convoca tick --loop` beside the server (at scale it runs as its own process).",
        )

    def handle(self, *args, host, port, workers, no_collectstatic, server="granian", threads=4, no_ticker=False,
               interface="rsgi", **options):
        if workers < 1:
            raise CommandError(_("--workers must be at least 1."))
        ballot_threads = options.get("ballot_threads", 32)
        if ballot_threads < 1:
            raise CommandError(_("--ballot-threads must be at least 1."))
        os.environ["CONVOCA_BALLOT_THREADS"] = str(ballot_threads)
        if not no_collectstatic and "Manifest" in settings.STORAGES["staticfiles"]["BACKEND"]:
            call_command("collectstatic", interactive=False, verbosity=0)
        point_site_url(host, port)
        self.stdout.write(_("Serving Convoca on http://%(host)s:%(port)s/ with %(workers)s worker(s)")
                          % {"host": host, "port": port, "workers": workers})
        _raise_open_files_limit()  # each live stream is a connection, so a file descriptor
        # Without Redis, the live events of the workers and the ticker meet in a hub in this process.
        hub = None if settings.REDIS_URL else events.start_hub()
        # What happens at a time (polls opening and closing on schedule) runs in one ticker process beside
        # the web workers; it dies with the server.
        ticker = None if no_ticker else subprocess.Popen([sys.executable, "-m", "convoca.cli", "tick", "--loop"])
        try:
            return self._serve(server, host, port, workers, threads, interface)
        finally:
            if hub is not None:
                hub.close()
            if ticker is not None:
                ticker.terminate()
                try:
                    ticker.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    ticker.kill()

    def _serve(self, server, host, port, workers, threads, interface="rsgi"):
        if server == "granian":
            return self._granian(host, port, workers, threads, interface)
        import uvicorn

        uvicorn.run(
            "convoca.asgi:application",
            host=host,
            port=port,
            workers=workers,
            lifespan="off",
            access_log=False,  # no personal data (IPs, paths with tokens) in logs
            log_level="warning",
            proxy_headers=settings.SECURE_PROXY_SSL_HEADER is not None if hasattr(settings, "SECURE_PROXY_SSL_HEADER") else False,
            server_header=False,
        )

    def _granian(self, host, port, workers, threads, interface="rsgi"):
        from granian.constants import Interfaces
        from granian.log import LogLevels
        from granian.server import Server

        if threads < 1:
            raise CommandError(_("--threads must be at least 1."))
        os.environ.setdefault("CONVOCA_BALLOT_BOX_PREFETCH", "1")  # workers load open polls before ballots arrive
        os.environ["CONVOCA_THREADS"] = str(threads)
        if interface == "wsgi":
            # Django's WSGI application behind the ballot box's short way in (convoca/wsgi_granian.py) on
            # granian's threads: live streams then hold a thread each, for a minute at most.
            target, options = "convoca.wsgi_granian:application", {"interface": Interfaces.WSGI,
                                                                  "blocking_threads": threads + int(os.environ["CONVOCA_BALLOT_THREADS"])}
        else:
            # The same application on a pool of ``threads`` threads, behind a router that keeps the live
            # streams on each worker's event loop (convoca/rsgi.py). A stream counts as a request in flight:
            # granian's limit per worker (backpressure) is the number of streams a worker may hold.
            target, options = "convoca.rsgi:application", {
                "interface": Interfaces.RSGI, "backlog": BACKLOG,
                "backpressure": max(threads, int(os.environ.get("CONVOCA_MAX_STREAMS", "16000"))),
            }
        Server(
            target,
            address=host,
            port=port,
            workers=workers,
            log_level=LogLevels.warning,
            log_access=False,  # no personal data (IPs, paths with tokens) in logs
            websockets=False,
            respawn_failed_workers=True,  # a worker that dies is replaced; its live pages reconnect to the others
            workers_kill_timeout=WORKERS_KILL_TIMEOUT,
            **options,
        ).serve()


def site_url_for(host, port):
    """The address a browser on this machine reaches the server at: a wildcard address means this host."""
    host = (host or "").strip("[]")
    if host in ("", "0.0.0.0", "::"):
        host = "127.0.0.1"
    if ":" in host:
        host = f"[{host}]"
    return f"http://{host}:{port}"


def point_site_url(host, port):
    """Without a SITE_URL of the operator's, emails' links point where this server listens: set here and
    in the environment, which the workers and the ticker inherit."""
    if not settings.SITE_URL_GIVEN:
        settings.SITE_URL = os.environ["SITE_URL"] = site_url_for(host, port)
    return settings.SITE_URL


def _raise_open_files_limit():
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard == resource.RLIM_INFINITY or soft < hard:
        with contextlib.suppress(ValueError, OSError):
            resource.setrlimit(resource.RLIMIT_NOFILE, (hard if hard != resource.RLIM_INFINITY else 65536, hard))
