import pytest
from django.utils import translation


@pytest.fixture(autouse=True)
def english():
    """Messages are asserted in English, whatever catalogs exist for the site's languages."""
    with translation.override("en"):
        yield


@pytest.fixture
def alice_client(world, as_user):
    client = as_user(world.alice)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client
