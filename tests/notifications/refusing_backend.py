"""An email backend standing in for a mail server that refuses one address (as SMTP does, naming it)."""

import smtplib

from django.core.mail.backends.locmem import EmailBackend

REFUSED = "olga@example.org"


class RefusingBackend(EmailBackend):
    def send_messages(self, messages):
        for message in messages:
            if REFUSED in message.to:
                raise smtplib.SMTPRecipientsRefused({REFUSED: (550, b"no such user " + REFUSED.encode())})
        return super().send_messages(messages)

