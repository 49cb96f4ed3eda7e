import os

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _


class Command(BaseCommand):
    help = "Run the ASGI server (uvicorn) with N worker processes."

    def add_arguments(self, parser):
        parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
        parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
        parser.add_argument("--workers", type=int, default=int(os.environ.get("WEB_CONCURRENCY", "1")))
        parser.add_argument("--no-collectstatic", action="store_true")

    def handle(self, *args, host, port, workers, no_collectstatic, **options):
        import uvicorn

        if workers < 1:
            raise CommandError(_("--workers must be at least 1."))
        if not no_collectstatic and "Manifest" in settings.STORAGES["staticfiles"]["BACKEND"]:
            call_command("collectstatic", interactive=False, verbosity=0)
        self.stdout.write(_("Serving Convoca on http://%(host)s:%(port)s/ with %(workers)s worker(s)")
                          % {"host": host, "port": port, "workers": workers})
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
