from django.utils.translation import gettext as _
from ninja import NinjaAPI

from convoca.core.errors import ServiceError

api = NinjaAPI(
    title="Convoca API",
    version="1.0.0",
    description="Registry, gatherings and registrations. Authenticate scripts with `Authorization: Bearer <token>`.",
    urls_namespace="api-1.0.0",
    openapi_url="/openapi.json",
    docs_url="/docs",
)


@api.exception_handler(ServiceError)
def service_error(request, exc):
    body = {"detail": str(exc.message), "code": exc.code}
    if exc.field:
        body["field"] = exc.field
    return api.create_response(request, body, status=exc.status)


def _register_routers():
    from convoca.accounts.api import router as accounts_router
    from convoca.gatherings.api import router as gatherings_router
    from convoca.network.api import router as network_router
    from convoca.voting.api import router as voting_router

    api.add_router("/", network_router)
    api.add_router("/", gatherings_router)
    api.add_router("/", accounts_router)
    api.add_router("/", voting_router)


_register_routers()
