"""No personal data and no secret link in the logs.

``RedactFilter`` sits on every log handler (see ``LOGGING`` in settings) and
rewrites each record before it is written: email addresses become
``[email]``, and in every path each segment that looks like a token becomes
``[hidden]`` (an invitation link, a password-reset link, a badge: Django logs
"Not Found: <path>" for a 404, and a link that works as a password must not
outlive its email in a log file). Extra patterns can be named in
``settings.LOG_REDACT_PATTERNS`` (regular expressions; each match is hidden).
"""

import logging
import re

from django.conf import settings

EMAIL = re.compile(r"[\w.!#$%&'*+/=?^`{|}~-]+@[\w-]+(?:\.[\w-]+)+")
# A path segment of 16 characters or more: a token (token_urlsafe, Django's
# reset tokens, hex digests) when it holds a digit or a capital letter, which
# a slug never does and a random token practically always does.
SEGMENT = re.compile(r"(?<=/)[A-Za-z0-9_.:=~-]{16,}(?=[/?#\s\"']|$)")
TOKENISH = re.compile(r"[0-9A-Z]")


def _hide_token(match):
    return "[hidden]" if TOKENISH.search(match.group(0)) else match.group(0)


def redact(text):
    text = EMAIL.sub("[email]", text)
    text = SEGMENT.sub(_hide_token, text)
    for pattern in getattr(settings, "LOG_REDACT_PATTERNS", ()):
        text = re.sub(pattern, "[hidden]", text)
    return text


class RedactFilter(logging.Filter):
    def filter(self, record):
        try:
            message = record.getMessage()
        except (TypeError, ValueError):  # a malformed record: leave it to the formatter to complain
            return True
        redacted = redact(message)
        if redacted != message:
            record.msg, record.args = redacted, ()
        if record.exc_info and not record.exc_text:
            record.exc_text = redact(logging.Formatter().formatException(record.exc_info))
        elif record.exc_text:
            record.exc_text = redact(record.exc_text)
        # Django's request log keeps the request on the record; nothing below reads it.
        if hasattr(record, "request"):
            record.request = None
        return True
