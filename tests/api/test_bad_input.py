"""Inputs that the schema fuzzing found answering 500, kept as plain regression tests:
each names the bad input, expects a JSON 4xx and checks nothing was written."""

import pytest

from convoca.accounts.services import create_api_token
from tests.network.helpers import snapshot

HUGE = 2**63  # one past the largest BIGINT: SQLite and PostgreSQL both raise on it


@pytest.fixture
def coordinator(world):
    _, raw = create_api_token(world.alice, "regressions")
    return {"Authorization": f"Bearer {raw}"}


@pytest.mark.parametrize("path", ["/api/v1/people", "/api/v1/organisations"])
@pytest.mark.parametrize("offset", [HUGE, 2129434823359766000687906816, 10**9 + 1])
def test_it_refuses_an_offset_beyond_the_documented_maximum(client, coordinator, path, offset):
    response = client.get(f"{path}?offset={offset}", headers=coordinator)
    assert response.status_code == 400
    assert response.json()["detail"]


def test_it_still_pages_up_to_the_documented_maximum(client, coordinator):
    response = client.get("/api/v1/people?offset=1000000000", headers=coordinator)
    assert response.status_code == 200
    assert response.json()["items"] == []


@pytest.mark.parametrize("organisation_id", [HUGE, -HUGE - 1, 10**30, 0, -1])
def test_it_refuses_an_organisation_id_that_cannot_exist_when_creating_a_person(
    client, coordinator, organisation_id
):
    before = snapshot()
    response = client.post(
        "/api/v1/people", {"display_name": "Rosa Nueva", "organisations": [organisation_id]},
        content_type="application/json", headers=coordinator,
    )
    assert response.status_code == 400
    assert response.json()["field"] == "organisations"
    assert snapshot() == before


def test_it_refuses_an_organisation_id_that_cannot_exist_when_changing_a_person(client, coordinator, world):
    before = snapshot()
    response = client.patch(
        f"/api/v1/people/{world.bob_person.pk}", {"organisations": [world.org_co.pk, HUGE]},
        content_type="application/json", headers=coordinator,
    )
    assert response.status_code == 400
    assert response.json()["field"] == "organisations"
    assert snapshot() == before
