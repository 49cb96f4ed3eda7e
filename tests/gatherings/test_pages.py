"""Every GET page of the app renders completely for the roles that may see it:
no unrendered variable, no inline script or style (CSP), one h1."""

import re

import pytest
from django.urls import reverse
from django.utils import timezone

from convoca.gatherings.models import Registration
from tests.fixtures import client_for

from .helpers import delegate, observer
from .matrix import MATRIX

PAGES = sorted(name for name, entry in MATRIX.items() if entry.get("method", "get") == "get")


@pytest.mark.parametrize("name", PAGES)
@pytest.mark.parametrize("lang", ["es", "en"])
def test_it_renders_cleanly(world, name, lang):
    # rows of every shape: no organisation, pending mandate, refused, checked in
    observer(world.prep_co, world.nadia_person)
    delegate(world, world.prep_co, world.bob_person, world.org_co)
    observer(world.prep_co, world.olga_person, status="refused", refusal_reason="Sin cupo")
    Registration.objects.filter(pk=world.bob_reg.pk).update(checked_in_at=timezone.now())
    entry = MATRIX[name]
    url = reverse(name, args=entry.get("args", lambda w: [])(world))
    for role in ("alice", "carla", "bob", "olga", "anonymous"):
        expected = entry["expect"].get(role, entry["expect"].get("*"))
        if expected != 200:
            continue
        response = client_for(world.users[role]).get(url, HTTP_ACCEPT_LANGUAGE=lang)
        html = response.content.decode()
        assert "INVALID_TEMPLATE_VARIABLE" not in html, (role, re.findall(r"INVALID_TEMPLATE_VARIABLE\[[^\]]*\]", html))
        assert " style=" not in html and "<style" not in html and "<script>" not in html
        assert html.count("<h1") == 1, (role, url)
