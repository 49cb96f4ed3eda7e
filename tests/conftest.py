import pytest
from django.core.cache import cache
from django.utils import translation

from convoca.core import group_commit

pytest_plugins = ["tests.fixtures", "tests.audit.flush"]


@pytest.fixture(autouse=True)
def _english_by_default(settings):
    """Tests read English messages unless they ask for a language (the site's
    own default, Spanish, is tested in tests/core/test_translations.py and by
    the browser tests, whose browser asks for Spanish)."""
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def _empty_cache():
    """Each test starts with an empty cache: rate limits (login failures, password resets, per client address,
    which is 127.0.0.1 for every test client) and cached reads never carry over from another test."""
    cache.clear()
    yield


@pytest.fixture(autouse=True)
def _batching_threads_let_go():
    """A test that wrote through a group commit (an RSVP from a transactional or browser test) leaves its
    writer thread holding a connection to the test database, which could then not be dropped: closed here."""
    yield
    group_commit.release_connections()
