"""Security headers: a Content-Security-Policy that forbids inline code and
any third-party origin, plus a few privacy headers. And the page for a
service's refusal that escapes a view."""

from django.core.exceptions import BadRequest
from django.core.exceptions import PermissionDenied as Forbidden
from django.core.handlers.exception import response_for_exception
from django.http import Http404

from . import errors

CSP = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "media-src 'self'",
        "object-src 'none'",
        "frame-src 'none'",
        "frame-ancestors 'none'",
        "form-action 'self'",
        "base-uri 'none'",
    ]
)


class SecurityHeadersMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", CSP)
        response.headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=(), interest-cohort=()")
        response.headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        return response


class ServiceErrorMiddleware:
    """A ``ServiceError`` raised by a service and not caught by the view gets
    the translated page Django gives its own exceptions: ``PermissionDenied``
    the 403 page, ``NotFound`` the 404 page, any other refusal the 400 page;
    never a 500. The API (``/api/``) answers these errors as JSON itself."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, errors.ServiceError) or request.path_info.startswith("/api/"):
            return None
        if isinstance(exception, errors.PermissionDenied):
            exception = Forbidden(str(exception.message))
        elif isinstance(exception, errors.NotFound):
            exception = Http404(str(exception.message))
        else:
            exception = BadRequest(str(exception.message))
        return response_for_exception(request, exception)
