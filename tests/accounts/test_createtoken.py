from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from convoca.accounts.models import ApiToken, hash_token

from .helpers import counts


def test_it_prints_a_token_that_works(world, client):
    out, err = StringIO(), StringIO()
    call_command("createtoken", "Tomas@Example.org", "glossary sync", stdout=out, stderr=err)
    raw = out.getvalue().strip()
    token = ApiToken.objects.get(user=world.tomas)
    assert token.key_hash == hash_token(raw) and token.name == "glossary sync"
    assert raw not in err.getvalue()
    response = client.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert response.json()["roles"]["translator"] is True


@pytest.mark.parametrize(
    "name, args", [("unknown email", ["nobody@example.org", "x"]), ("empty name", ["tomas@example.org", " "])]
)
def test_it_fails_clearly_and_creates_nothing(world, name, args):
    before = counts()
    with pytest.raises(CommandError):
        call_command("createtoken", *args, stdout=StringIO(), stderr=StringIO())
    assert counts() == before


def test_it_refuses_an_inactive_account(world):
    world.nadia.is_active = False
    world.nadia.save(update_fields=["is_active"])
    with pytest.raises(CommandError):
        call_command("createtoken", "nadia@example.org", "script", stdout=StringIO(), stderr=StringIO())
    assert not ApiToken.objects.exists()
