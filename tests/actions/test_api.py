"""Days of action over /api/v1/: OSDI names, the same services and rules as the pages, bad bodies as 400s."""

import json

import pytest
from django.test import Client

from convoca.actions import services
from convoca.actions.models import Action, Campaign
from tests.actions.helpers import action, campaign, data


def _post(client, url, body):
    return client.post(url, json.dumps(body, default=str), content_type="application/json")


@pytest.mark.django_db
class TestApi:
    def test_it_lists_campaigns_and_actions_with_osdi_names(self, world):
        target = action(world)
        action(world, approve=False, title="Pendiente")
        body = Client().get("/api/v1/campaigns/dia-migrar").json()
        assert body["identifiers"] == [f"convoca:campaign-{target.campaign_id}"] and body["origin_system"] == "Convoca"
        assert body["countries"] == [{"country": "CO", "actions": 1, "rsvps": 0}]
        actions = Client().get("/api/v1/campaigns/dia-migrar/actions").json()
        assert [a["title"] for a in actions] == ["Marcha por el derecho a migrar"]
        assert actions[0]["location"] == {"locality": "Bogotá", "country": "CO", "address_lines": [],
                                          "location": {"latitude": 4.6, "longitude": -74.1}}
        assert actions[0]["browser_url"].endswith(f"/days/dia-migrar/{target.pk}/")

    def test_it_hides_a_pending_action_from_the_public(self, world):
        pending = action(world, approve=False)
        assert Client().get(f"/api/v1/actions/{pending.pk}").status_code == 404

    def test_it_creates_and_moderates_through_the_services(self, world, as_user):
        campaign(world)
        values = data()
        body = {"title": "Asamblea", "type": "assembly", "start_date": values["starts_at"].isoformat(),
                "end_date": values["ends_at"].isoformat(), "timezone": "America/Mexico_City",
                "locality": "Ciudad de México", "country": "mx"}
        created = _post(as_user(world.bob), "/api/v1/campaigns/dia-migrar/actions", body)
        assert created.status_code == 201 and created.json()["status"] == "pending"
        pk = created.json()["id"]
        assert _post(as_user(world.carla), f"/api/v1/actions/{pk}/approve", {}).status_code == 404
        assert _post(as_user(world.marco), f"/api/v1/actions/{pk}/reject", {"reason": ""}).status_code == 400
        assert _post(as_user(world.marco), f"/api/v1/actions/{pk}/approve", {"trust": True}).json()["status"] \
            == "confirmed"

    @pytest.mark.parametrize(("changes", "field"), [
        ({"timezone": "Europe/Nowhere"}, "timezone"),
        ({"country": "QQ"}, "country"),
        ({"start_date": "2001-01-01T10:00:00"}, "starts_at"),
        ({"type": "party"}, "kind"),
    ])
    def test_it_refuses_bad_bodies(self, world, as_user, changes, field):
        campaign(world)
        values = data()
        body = {"title": "X", "type": "march", "start_date": values["starts_at"].isoformat(),
                "end_date": values["ends_at"].isoformat(), "timezone": "America/Bogota", "locality": "Cali",
                "country": "CO", **changes}
        answer = _post(as_user(world.bob), "/api/v1/campaigns/dia-migrar/actions", body)
        assert answer.status_code == 400 and answer.json()["field"] == field
        assert not Action.objects.exists()

    def test_it_shows_the_host_only_shared_attendances(self, world, as_user):
        target = action(world)
        services.rsvp(target, name="Luz", email="luz@example.org", share_email=True)
        body = as_user(world.bob).get(f"/api/v1/actions/{target.pk}/attendances").json()
        assert body["total_records"] == 1
        assert body["attendances"][0]["given_name"] is None
        assert body["attendances"][0]["email_address"] == "luz@example.org"
        assert as_user(world.nadia).get(f"/api/v1/actions/{target.pk}/attendances").status_code == 403
        assert Client().get(f"/api/v1/actions/{target.pk}/attendances").status_code == 401

    def test_it_lets_only_coordinators_create_campaigns(self, world, as_user):
        body = {"gathering": "conferencia", "slug": "paro", "title": "Paro", "start_date": "2031-05-01",
                "end_date": "2031-05-01", "action_types": ["strike"]}
        assert _post(as_user(world.bob), "/api/v1/campaigns", body).status_code == 403
        assert _post(as_user(world.alice), "/api/v1/campaigns", {**body, "end_date": "2031-04-01"}).status_code == 400
        assert _post(as_user(world.alice), "/api/v1/campaigns", body).status_code == 201
        assert Campaign.objects.filter(slug="paro").exists()
