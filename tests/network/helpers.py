"""Small helpers shared by the network tests."""

from django.db import connection
from django.test.utils import CaptureQueriesContext

from convoca.accounts.models import ApiToken, hash_token, new_token
from convoca.network.models import Membership, NationalCommittee, Organisation, Person


def snapshot():
    """Everything the network app can write, to assert that nothing was."""
    return {
        "organisations": sorted(Organisation.objects.values_list("pk", "name", "country", "sector", "website", "is_public")),
        "people": sorted(Person.objects.values_list("pk", "display_name", "full_name", "email", "languages")),
        "memberships": sorted(Membership.objects.values_list("person_id", "organisation_id")),
        "committees": sorted(NationalCommittee.objects.values_list("pk", "country")),
        "committee_members": sorted(NationalCommittee.members.through.objects.values_list("nationalcommittee_id", "person_id")),
    }


def html(response):
    """The page as text, failing on unrendered template variables."""
    text = response.content.decode()
    assert "INVALID_TEMPLATE_VARIABLE" not in text
    return text


def count_queries(callable_):
    with CaptureQueriesContext(connection) as ctx:
        result = callable_()
    return len(ctx), result


def bearer(user):
    raw = new_token()
    ApiToken.objects.create(user=user, name="tests", prefix=raw[:8], key_hash=hash_token(raw))
    return {"Authorization": f"Bearer {raw}"}
