"""The email backend used when no SMTP server is configured (``EMAIL_HOST``
unset): a console backend that prints no secret and no address.

Django's console backend writes every message, links included, to the
server's output: an invitation or password-reset link works as a password,
and the log is read by more people and kept longer than a mailbox. This one
writes each message whole to a file under ``var/mail/`` that only the
server's system account can read (directory 0700, files 0600) and prints one
line saying where, with neither the recipient, the subject nor the body.
"""

import secrets
import sys
import threading
from pathlib import Path

from django.conf import settings
from django.core.mail.backends.base import BaseEmailBackend
from django.utils import timezone

from .files import private_directory, write_private_file


class PrivateConsoleBackend(BaseEmailBackend):
    def __init__(self, *args, stream=None, directory=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.stream = stream or sys.stdout
        self.directory = Path(directory or getattr(settings, "EMAIL_FILE_PATH", None) or settings.VAR_DIR / "mail")
        self._lock = threading.RLock()

    def _save(self, message):
        private_directory(self.directory)
        name = f"{timezone.now():%Y%m%d-%H%M%S}-{secrets.token_hex(4)}.eml"
        path = self.directory / name
        write_private_file(path, message.message().as_bytes())
        return path

    def send_messages(self, email_messages):
        sent = 0
        with self._lock:
            for message in email_messages or ():
                try:
                    path = self._save(message)
                except OSError:
                    if not self.fail_silently:
                        raise
                    continue
                self.stream.write(
                    f"Email not sent (no EMAIL_HOST): saved to {path}, "
                    f"readable by this system account only.\n"
                )
                self.stream.flush()
                sent += 1
        return sent
