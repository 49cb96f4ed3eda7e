"""Two checks on every request of a logged-in session, after Django's
authentication and django-otp's middleware:

- ``LoginSessionMiddleware``: a session whose login its owner ended from the
  account page (or with "log out everywhere else") is flushed and the request
  goes on as anonymous: a stolen cookie stops working the moment the owner
  revokes it, whatever the session engine.
- ``SecondFactorMiddleware``: a coordinator or national committee member whose
  session has not proved a second factor is sent to enrolment (or to the code
  page, when they have one) before anything else; the API answers 403 with the
  code ``second_factor_required`` to such a session (an API token is judged by
  the token alone).
"""

from django.contrib.auth import SESSION_KEY
from django.contrib.auth.models import AnonymousUser
from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

from . import queries, second_factor

# Pages a session that still owes its second factor may open.
EXEMPT_VIEWS = frozenset({
    "accounts:login", "accounts:login_code", "accounts:logout", "accounts:two_factor", "accounts:confirm_code",
    "set_language", "core:healthz",
})


class LoginSessionMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        session = request.session
        login_id = session.get(queries.LOGIN_ID)
        if login_id and SESSION_KEY in session and not queries.login_session_exists(login_id, session[SESSION_KEY]):
            session.flush()  # removes it from the store too
            request.user = AnonymousUser()

            async def auser():
                return AnonymousUser()

            request.auser = auser
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
