from django.utils.translation import get_language
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError

from convoca.core.errors import ServiceError

from .docs import ApiDocs


class Api(NinjaAPI):
    """The API, whose OpenAPI document each process builds once per prefix and language: building it takes
    ~0.2 s of CPU, and /api/v1/openapi.json is public, so answering each request with a new build let anyone
    keep a core busy with a few requests a second. The document does not change while a process runs."""

    def get_openapi_schema(self, *, path_prefix=None, path_params=None):
        key = (path_prefix, tuple(sorted((path_params or {}).items())), get_language())
        schemas = self.__dict__.setdefault("_schemas", {})
        if key not in schemas:
            schemas[key] = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        return schemas[key]


api = Api(
    title="Convoca API",
    version="1.0.0",
    description="Registry, gatherings, registrations, votes and translations. Authenticate scripts with `Authorization: Bearer <token>`.",
    urls_namespace="api-1.0.0",
    openapi_url="/openapi.json",
    docs_url="/docs",
    docs=ApiDocs(),  # our accessible page, not Swagger UI
)


@api.exception_handler(ServiceError)
def service_error(request, exc):
    body = {"detail": str(exc.message), "code": exc.code}
    if exc.field:
        body["field"] = exc.field
    return api.create_response(request, body, status=exc.status)


@api.exception_handler(ValidationError)
def validation_error(request, exc):
    """Schema errors: 400 with a translated summary and each problem by field."""
    errors = [
        {"field": ".".join(str(part) for part in err.get("loc", ())[1:]) or None, "message": err.get("msg", "")}
        for err in exc.errors
    ]
    body = {"detail": _("The request is not valid: check the fields listed."), "code": "invalid", "errors": errors}
    return api.create_response(request, body, status=400)


@api.exception_handler(HttpError)
def http_error(request, exc):
    """django-ninja's own refusals; its only 400 is a body that is not JSON: the same translated shape as ours."""
    if exc.status_code == 400:
        return api.create_response(request, {"detail": _("The request body is not valid JSON."), "code": "invalid"}, status=400)
    return api.create_response(request, {"detail": str(exc), "code": "error"}, status=exc.status_code)


@api.exception_handler(AuthenticationError)
def authentication_error(request, exc):
    return api.create_response(
        request, {"detail": _("Authentication required: send a valid API token."), "code": "unauthenticated"}, status=401
    )


def _register_routers():
    from convoca.accounts.api import router as accounts_router
    from convoca.actions.api import router as actions_router
    from convoca.audit.api import router as audit_router
    from convoca.endorsements.api import router as endorsements_router
    from convoca.followup.api import router as followup_router
    from convoca.gatherings.api import router as gatherings_router
    from convoca.network.api import router as network_router
    from convoca.plenary.api import router as plenary_router
    from convoca.proposals.api import router as proposals_router
    from convoca.texts.api import router as texts_router
    from convoca.voting.api import router as voting_router

    api.add_router("/", network_router)
    api.add_router("/", gatherings_router)
    api.add_router("/", accounts_router)
    api.add_router("/", voting_router)
    api.add_router("/", texts_router)
    api.add_router("/", proposals_router)
    api.add_router("/", plenary_router)
    api.add_router("/", actions_router)
    api.add_router("/", audit_router)
    api.add_router("/", endorsements_router)
    api.add_router("/", followup_router)


_register_routers()
