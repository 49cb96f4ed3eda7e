import pytest
from django.conf import settings
from django.utils import translation

from tests.fixtures import client_for


@pytest.fixture(autouse=True)
def english():
    """Assertions read English messages, whatever translations exist."""
    with translation.override("en"):
        yield


@pytest.fixture
def as_user():
    def make(user):
        client = client_for(user)
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
        return client

    return make
