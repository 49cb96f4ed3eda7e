"""One error type for every refused write, shared by views, API and CLI.

Services raise ``ServiceError`` with a translated message (and optionally the
field it concerns); views show it next to the field, the API returns it as
JSON with status 400/403/404, the CLI prints it and exits non-zero.
"""


class ServiceError(Exception):
    status = 400

    def __init__(self, message, field=None, code="invalid"):
        super().__init__(str(message))
        self.message = message
        self.field = field
        self.code = code


class PermissionDenied(ServiceError):
    status = 403

    def __init__(self, message=None, field=None, code="forbidden"):
        from django.utils.translation import gettext_lazy as _

        super().__init__(message or _("You are not allowed to do this."), field, code)


class NotFound(ServiceError):
    status = 404

    def __init__(self, message=None, field=None, code="not_found"):
        from django.utils.translation import gettext_lazy as _

        super().__init__(message or _("Not found."), field, code)
