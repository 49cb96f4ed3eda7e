from ninja import Router, Schema

from convoca.core.api_auth import token_or_session
from convoca.core.roles import is_coordinator, is_translator
from convoca.network.rules import committee_countries

router = Router(tags=["accounts"])


class RolesOut(Schema):
    coordinator: bool
    translator: bool
    committee_countries: list[str]


class AuthError(Schema):
    detail: str
    code: str | None = None


class MeOut(Schema):
    id: int
    email: str
    person_id: int | None
    roles: RolesOut


@router.get("/me", response={200: MeOut, 401: AuthError}, auth=token_or_session, url_name="me")
def me(request):
    """The authenticated account: its roles and the id of its person record."""
    user = request.auth  # TokenAuth and SessionAuth both return the User
    person = getattr(user, "person", None)
    return {
        "id": user.pk,
        "email": user.email,
        "person_id": person.pk if person else None,
        "roles": {
            "coordinator": is_coordinator(user),
            "translator": is_translator(user),
            "committee_countries": sorted(committee_countries(user)),
        },
    }
