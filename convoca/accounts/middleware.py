"""Who a request's session is, and the second factor it owes:

- ``AuthenticationMiddleware`` stands in for Django's: ``request.user`` is read
  lazily, once, by ``get_user`` below, which is Django's ``get_user`` with the
  login guard folded into the same query. A session whose login its owner ended
  from the account page (or with "log out everywhere else") is flushed and the
  request goes on as anonymous: a stolen cookie stops working the moment the
  owner revokes it, whatever the session engine. The same query says whether
  the account sits on a national committee, which the next check asks.
- ``SecondFactorMiddleware``: a coordinator or national committee member whose
  session has not proved a second factor is sent to enrolment (or to the code
  page, when they have one) before anything else; the API answers 403 with the
  code ``second_factor_required`` to such a session (an API token is judged by
  the token alone).
"""

from functools import partial

from asgiref.sync import sync_to_async
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, load_backend
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ValidationError
from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.crypto import constant_time_compare
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext as _

from . import queries, second_factor
from .models import User

# Pages a session that still owes its second factor may open.
EXEMPT_VIEWS = frozenset({
    "accounts:login", "accounts:login_code", "accounts:logout", "accounts:two_factor", "accounts:confirm_code",
    "set_language", "core:healthz",
})


def get_user(request):
    """``django.contrib.auth.get_user`` for this project's sessions: the account, whether its login is still
    on record and whether it sits on a committee come in one query (``queries.session_user``) rather than
    three; the session's password hash is checked as Django checks it. A backend with its own ``get_user``
    is asked for the account, then the record is read apart."""
    session = request.session
    try:
        user_id = User._meta.pk.to_python(session[SESSION_KEY])
        backend_path = session[BACKEND_SESSION_KEY]
    except (KeyError, ValidationError):
        return AnonymousUser()
    if backend_path not in settings.AUTHENTICATION_BACKENDS:
        return AnonymousUser()
    login_id = session.get(queries.LOGIN_ID)
    backend = load_backend(backend_path)
    if getattr(type(backend), "get_user", None) is ModelBackend.get_user:  # Django's: the one query instead
        user = queries.session_user(user_id, login_id)
        if user is not None and not backend.user_can_authenticate(user):
            user = None
    else:
        user = backend.get_user(user_id)
        if user is not None:
            user.login_on_record = queries.login_session_exists(login_id, user.pk)
    if user is None:
        return AnonymousUser()
    if login_id and not user.login_on_record:
        session.flush()  # removes it from the store too
        return AnonymousUser()
    if not _session_hash_verified(session, user):
        return AnonymousUser()
    return user


def _session_hash_verified(session, user):
    """As ``django.contrib.auth.get_user``: the hash of the password the session was logged in with must be
    the account's current one (under SECRET_KEY or one of its fallbacks, then re-keyed); else the session
    is flushed."""
    session_hash = session.get(HASH_SESSION_KEY)
    current = user.get_session_auth_hash()
    if session_hash and constant_time_compare(session_hash, current):
        return True
    if session_hash and any(constant_time_compare(session_hash, fallback)
                            for fallback in user.get_session_auth_fallback_hash()):
        session.cycle_key()
        session[HASH_SESSION_KEY] = current
        return True
    session.flush()
    return False


def _cached_user(request):
    if not hasattr(request, "_cached_user"):
        request._cached_user = get_user(request)
    return request._cached_user


async def _auser(request):
    return await sync_to_async(_cached_user)(request)


class AuthenticationMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.user = SimpleLazyObject(partial(_cached_user, request))
        request.auser = partial(_auser, request)
        return self.get_response(request)


class SecondFactorMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        user = request.user
        if not user.is_authenticated:
            return None
        match = request.resolver_match
        if match is not None and match.view_name in EXEMPT_VIEWS:
            return None
        if request.path_info.startswith("/api/") and request.headers.get("Authorization"):
            return None  # a token, not this session, authenticates it
        if second_factor.is_verified(request) or not second_factor.required_for(user):
            return None
        if request.path_info.startswith("/api/"):
            return JsonResponse({
                "detail": _("Set up and confirm your second factor on the website first: coordinators and national "
                            "committee members need one."),
                "code": "second_factor_required",
            }, status=403)
        next_url = request.get_full_path() if request.method == "GET" else reverse("core:home")
        return redirect(second_factor.confirm_url(request, next_url))
