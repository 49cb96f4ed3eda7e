"""Rate limits for every public form and for login, on Django's cache (Redis
when ``REDIS_URL`` is set, so every worker shares the count; the process's
memory otherwise). No third-party captcha: a form is refused for a while once
an address or an account has used it too often.

``Limit("password-reset", 10, 3600)`` allows 10 uses an hour per key (an
address, an email...). The count is a sliding window, estimated from two
fixed windows (the current one and the previous one, weighted by how much of
it still overlaps), so a burst across a window's edge is still counted.

Keys are never stored as they are: the cache holds a keyed digest of the
address or the email, not the value (a dump of Redis names no one).

    from convoca.core.limits import Limit, rate_limit

    @rate_limit(Limit("rsvp", 20, 3600))          # 20 POSTs an hour per client address
    def rsvp(request, slug): ...

    ENDORSE = Limit("endorse-email", 3, 86400)
    if ENDORSE.exceeded(email): ...               # by any key the view chooses
    ENDORSE.hit(email)
"""

import functools
import hashlib
import hmac
import ipaddress
import math
import time

from django.conf import settings
from django.core.cache import cache
from django.http import JsonResponse
from django.shortcuts import render
from django.utils.translation import ngettext


class Limit:
    """At most ``count`` hits per ``seconds`` for each key."""

    def __init__(self, name, count, seconds):
        self.name, self.count, self.seconds = name, int(count), int(seconds)

    def __repr__(self):
        return f"Limit({self.name!r}, {self.count}, {self.seconds})"

    def _digest(self, key):
        secret = settings.SECRET_KEY.encode()
        return hmac.new(secret, f"{self.name}\x00{key}".encode(), hashlib.sha256).hexdigest()[:32]

    def _keys(self, key, now):
        window = int(now // self.seconds)
        digest = self._digest(key)
        elapsed = (now % self.seconds) / self.seconds
        return f"limit:{self.name}:{window}:{digest}", f"limit:{self.name}:{window - 1}:{digest}", elapsed

    def hits(self, key, now=None):
        """How many hits ``key`` has in the last ``seconds`` (an estimate, never below the current window's)."""
        current, previous, elapsed = self._keys(key, time.time() if now is None else now)
        found = cache.get_many([current, previous])
        return found.get(current, 0) + found.get(previous, 0) * (1 - elapsed)

    def exceeded(self, key, now=None):
        return self.hits(key, now) >= self.count

    def hit(self, key, now=None):
        """Count one use of ``key``; return the count after it."""
        current, _previous, _elapsed = self._keys(key, time.time() if now is None else now)
        cache.add(current, 0, timeout=2 * self.seconds + 1)  # the next window still reads it
        try:
            cache.incr(current)
        except ValueError:  # evicted between add and incr
            cache.add(current, 1, timeout=2 * self.seconds + 1)
        return self.hits(key, now)

    def reset(self, key, now=None):
        current, previous, _elapsed = self._keys(key, time.time() if now is None else now)
        cache.delete_many([current, previous])

    def wait_message(self):
        """The translated sentence telling how long to wait, in minutes."""
        minutes = max(1, math.ceil(self.seconds / 60))
        return ngettext(
            "Too many attempts. For everyone's safety, wait %(minutes)s minute and try again.",
            "Too many attempts. For everyone's safety, wait %(minutes)s minutes and try again.",
            minutes,
        ) % {"minutes": minutes}


def client_address(request):
    """The client's address: ``REMOTE_ADDR``, or behind a reverse proxy
    (``BEHIND_PROXY=1``) the last address in ``X-Forwarded-For``, the one our
    own proxy added (the ones before it are whatever the client claimed).
    IPv6 addresses are taken by their /64 network: one household or phone
    holds a whole /64. Used for counting only; never stored as such."""
    address = request.META.get("REMOTE_ADDR", "")
    if getattr(settings, "BEHIND_PROXY", False):
        forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
        if forwarded:
            address = forwarded[-1]
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address or "unknown"
    if ip.version == 6:
        if ip.ipv4_mapped is not None:
            return str(ip.ipv4_mapped)
        return str(ipaddress.ip_network(f"{ip}/64", strict=False))
    return str(ip)


def too_many(request, limit):
    """The 429 answer: JSON under ``/api/``, else the page, with Retry-After."""
    message = limit.wait_message()
    if request.path_info.startswith("/api/"):
        response = JsonResponse({"detail": message, "code": "rate_limited"}, status=429)
    else:
        response = render(request, "core/429.html", {"message": message}, status=429)
    response["Retry-After"] = str(limit.seconds)
    return response


def rate_limit(limit, key=client_address, methods=("POST",)):
    """A view decorator: each request with one of ``methods`` counts one hit
    for ``key(request)`` (the client address by default); once ``limit`` is
    reached the view is not called and the answer is 429."""

    def decorator(view):
        @functools.wraps(view)
        def wrapped(request, *args, **kwargs):
            if request.method in methods:
                value = key(request)
                if limit.exceeded(value):
                    return too_many(request, limit)
                limit.hit(value)
            return view(request, *args, **kwargs)

        return wrapped

    return decorator
