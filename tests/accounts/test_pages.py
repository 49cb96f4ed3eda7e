"""Every accounts page renders fully (no unrendered variable), has one h1,
no inline script or style, and is translated."""

import pytest
from django.urls import reverse

from convoca.accounts import services

from .helpers import make_invitation


def _pages(world):
    _invitation, raw = make_invitation(world, email="pages@example.org")
    services.create_api_token(world.alice, "pages")
    return [
        reverse("accounts:login"),
        reverse("accounts:password_reset"),
        reverse("accounts:password_reset_done"),
        reverse("accounts:password_reset_complete"),
        reverse("accounts:password_reset_confirm", args=["MQ", "forged"]),
        reverse("accounts:me"),
        reverse("accounts:invitations"),
        reverse("accounts:invitation_accept", args=[raw]),
        reverse("accounts:invitation_accept", args=["forged"]),
        reverse("accounts:tokens"),
    ]


@pytest.mark.parametrize("language", ["es", "pt-br", "en", "fr"])
def test_it_renders_every_page_cleanly(as_user, world, language):
    client = as_user(world.alice)
    for url in _pages(world):
        response = client.get(url, HTTP_ACCEPT_LANGUAGE=language)
        if url == reverse("accounts:login"):
            response = as_user(None).get(url, HTTP_ACCEPT_LANGUAGE=language)
        html = response.content.decode()
        assert response.status_code in (200, 404), url
        assert "INVALID_TEMPLATE_VARIABLE" not in html, url
        assert html.count("<h1") == 1, url
        assert " style=" not in html and "<style" not in html and "<script>" not in html, url
        assert f'lang="{language}"' in html, url
