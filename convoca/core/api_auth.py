"""API authentication: ``Authorization: Bearer <token>`` for scripts, or the
browser session (with CSRF) for htmx and same-origin pages. Anonymous callers
get the public subset.

It sits in core because every app's API uses it, while the token check itself
belongs to the app that owns tokens: ``settings.API_TOKEN_CHECK`` names that
function (``accounts.queries.user_for_token``), as ``AUTH_USER_MODEL`` names the
user model, so core imports no domain app."""

from django.conf import settings
from django.utils.module_loading import import_string
from ninja import security
from ninja.security import HttpBearer


def user_for_token(raw):
    """The one token check (``settings.API_TOKEN_CHECK``): the active owner of a valid token, or None."""
    return import_string(settings.API_TOKEN_CHECK)(raw)


class TokenAuth(HttpBearer):
    """``Authorization: Bearer <token>``, checked by ``settings.API_TOKEN_CHECK``
    (the one token check: a revoked token is refused on the next request)."""

    def authenticate(self, request, token):
        user = user_for_token(token)
        if user is None:
            return None
        request.user = user
        return user


class SessionAuth(security.SessionAuth):
    """The browser's session, with CSRF; not asked when the request sends a
    bearer token: the token alone decides, so a revoked or mistyped token gets
    401 rather than a complaint about a missing CSRF cookie."""

    def __call__(self, request):
        if request.headers.get("Authorization"):
            return None
        return super().__call__(request)


class OptionalAuth:
    """Lets anonymous requests through (as AnonymousUser) when no credentials
    are sent, but refuses a wrong token outright."""

    def __call__(self, request):
        header = request.headers.get("Authorization", "")
        if header:
            return TokenAuth()(request)
        if request.user.is_authenticated:
            return request.user
        return True  # anonymous: request.user stays AnonymousUser


token_or_session = [TokenAuth(), SessionAuth()]
optional = [OptionalAuth()]

__all__ = ["TokenAuth", "token_or_session", "optional"]
