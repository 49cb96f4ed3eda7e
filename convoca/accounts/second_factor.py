"""The second factor: who needs one, whether this session proved it and how
long ago, and the decorator that re-asks it before a sensitive action.

A second factor is an authenticator app (TOTP, ``django_otp.plugins.otp_totp``)
with single-use recovery codes beside it (``otp_static``; stored as digests,
see ``recovery_digest``). Coordinators and national committee members must
have one (``SecondFactorMiddleware`` sends them to enrolment before anything
else); anyone else may add one. Login asks for it after the password when the
account has one.

Sensitive actions ask for it again when the session last proved it more than
``settings.OTP_REAUTH_SECONDS`` ago (12 hours by default). Page views use the
decorator; API operations call ``require_recent_second_factor(request)``::

    from convoca.accounts.second_factor import recent_second_factor, require_recent_second_factor

    @login_required
    @recent_second_factor
    def open_poll(request, pk): ...

    @router.post("/polls/{pk}/open", auth=token_or_session)
    def open_poll(request, pk: int):
        require_recent_second_factor(request)  # a session must have proved it lately; a token is enough
        ...

This module reads; the writes (verifying a code counts a failure or spends a
recovery code, enrolling) are in ``services``.
"""

import base64
import functools
import hashlib
import time
from urllib.parse import urlencode

from django.conf import settings
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from convoca.core.errors import PermissionDenied
from convoca.core.roles import is_coordinator
from convoca.network.rules import committee_countries

from .models import User

VERIFIED_AT = "otp_verified_at"  # session: when this session last proved the second factor (Unix time)
PENDING_LOGIN = "otp_pending_login"  # session: the account whose password was right, waiting for its code
PENDING_SECONDS = 300


class SecondFactorRequired(PermissionDenied):
    """A session must prove the second factor (again) before this action."""

    def __init__(self, message=None, field=None, code="second_factor_required"):
        super().__init__(
            message or _("Confirm it is you with a code from your authenticator app first (on the account page)."),
            field, code,
        )


def required_for(user):
    """Coordinators and national committee members must use a second factor."""
    return bool(is_coordinator(user) or committee_countries(user))


def has_device(user):
    """Whether the account has an authenticator app set up."""
    return bool(user.is_authenticated and TOTPDevice.objects.filter(user=user, confirmed=True).exists())


def is_verified(request):
    """Whether this session proved the second factor (django-otp's verdict:
    the device it used still exists and belongs to the user)."""
    user = request.user
    return bool(user.is_authenticated and getattr(user, "is_verified", lambda: False)())


def verified_recently(request, seconds=None):
    seconds = settings.OTP_REAUTH_SECONDS if seconds is None else seconds
    verified_at = request.session.get(VERIFIED_AT)
    return bool(is_verified(request) and isinstance(verified_at, int) and time.time() - verified_at <= seconds)


def mark_verified(request, device):
    """This session has just proved the second factor with ``device``."""
    request.user.otp_device = device
    otp_login(request, device)
    request.session[VERIFIED_AT] = int(time.time())


def forget_verification(request):
    request.session.pop(DEVICE_ID_SESSION_KEY, None)
    request.session.pop(VERIFIED_AT, None)


def must_confirm(request):
    """Whether a sensitive action must ask the second factor first: the
    account has one (or must have one) and this session has not proved it
    within ``OTP_REAUTH_SECONDS``."""
    user = request.user
    if not user.is_authenticated or verified_recently(request):
        return False
    return required_for(user) or has_device(user)


def safe_next(request, candidate, default="core:home"):
    """``candidate`` if it is a path on this site, else ``default``'s URL."""
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return reverse(default)


def confirm_url(request, next_url=None):
    """Where to send a session that must (re)prove the second factor: the
    enrolment page when the account has none yet, else the code page."""
    name = "accounts:confirm_code" if has_device(request.user) else "accounts:two_factor"
    return f"{reverse(name)}?{urlencode({'next': next_url or request.get_full_path()})}"


def recent_second_factor(view):
    """A page view for a sensitive action: a session that has not proved the
    second factor within ``OTP_REAUTH_SECONDS`` is sent to the code page,
    which brings it back here. Accounts without a second factor (and not
    required to have one) go straight through."""

    @functools.wraps(view)
    def wrapped(request, *args, **kwargs):
        if must_confirm(request):
            target = request.get_full_path() if request.method == "GET" else request.headers.get("Referer")
            return redirect(confirm_url(request, safe_next(request, target, "accounts:me")))
        return view(request, *args, **kwargs)

    return wrapped


def require_recent_second_factor(request):
    """For API operations: raise ``SecondFactorRequired`` (a 403 with code
    ``second_factor_required``) when a browser session has not proved the
    second factor lately. A request with an API token is judged by the token:
    creating a token already asked for the second factor."""
    if request.headers.get("Authorization"):
        return
    if must_confirm(request):
        raise SecondFactorRequired()


def recovery_digest(code):
    """What is stored for a recovery code: the first 80 bits of its SHA-256, in
    base32 (16 characters, the size of django-otp's static token column).
    django-otp keeps static tokens as they are; a copy of the database must not
    hold working codes. A code has 79 random bits, so no table of digests helps."""
    digest = hashlib.sha256(b"convoca-recovery-code:" + normalise_code(code).encode()).digest()
    return base64.b32encode(digest[:10]).decode().lower()


def normalise_code(code):
    """Codes as typed: spaces, hyphens and case do not matter."""
    return "".join(ch for ch in str(code or "").lower() if ch.isalnum())


def begin_pending_login(request, user, next_url):
    """The password was right and the account has a second factor: remember
    whose code to ask for (for ``PENDING_SECONDS``), without logging in yet."""
    request.session[PENDING_LOGIN] = {"user": user.pk, "at": int(time.time()), "next": next_url}


def pending_login(request):
    """``(user, next_url)`` of a login waiting for its code, or None."""
    data = request.session.get(PENDING_LOGIN)
    if not isinstance(data, dict) or not isinstance(data.get("at"), int):
        return None
    if time.time() - data["at"] > PENDING_SECONDS:
        request.session.pop(PENDING_LOGIN, None)
        return None
    user = User.objects.filter(pk=data.get("user"), is_active=True).first()
    if user is None:
        return None
    return user, safe_next(request, data.get("next"))


def end_pending_login(request):
    request.session.pop(PENDING_LOGIN, None)
