import pytest
from django.utils import translation

pytest_plugins = ["tests.fixtures"]


@pytest.fixture(autouse=True)
def _english_by_default(settings):
    """Tests read English messages unless they ask for a language (the site's
    own default, Spanish, is tested in tests/core/test_translations.py and by
    the browser tests, whose browser asks for Spanish)."""
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield
