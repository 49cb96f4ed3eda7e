"""API authentication: ``Authorization: Bearer <token>`` for scripts, or the
browser session (with CSRF) for htmx and same-origin pages. Anonymous callers
get the public subset."""

from ninja.security import HttpBearer, SessionAuth

from convoca.accounts.models import ApiToken, hash_token


class TokenAuth(HttpBearer):
    def authenticate(self, request, token):
        row = (
            ApiToken.objects.select_related("user")
            .filter(key_hash=hash_token(token), revoked_at__isnull=True, user__is_active=True)
            .first()
        )
        if row is None:
            return None
        request.user = row.user
        return row.user


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
