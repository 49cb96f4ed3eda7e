"""Coordinators create and edit a day of action from a page, through the same services as the API. Permission
matrix: anonymous (to the login page), a member, a national committee, a coordinator. Bad inputs tried: the last
day before the first, a short name already taken (and one of the pages' own addresses), no type of action, a
title too long, a short name with spaces, a proposal not adopted by the gathering (service), a type of action
taken away while actions use it (edit). Each shows its error beside the field and in the summary, and writes
nothing."""

import datetime as dt

import pytest
from django.urls import reverse

from convoca.actions import services
from convoca.actions.models import Campaign
from convoca.audit.models import Entry
from convoca.core.errors import PermissionDenied, ServiceError
from tests.actions.helpers import action, campaign
from tests.proposals.helpers import proposal

pytestmark = pytest.mark.django_db

CREATE = reverse("actions:campaign_create")


def _form(world, **changes):
    values = {"gathering": world.conference.pk, "slug": "dia-del-trabajo", "title": "Día continental del trabajo",
              "starts_on": (world.today + dt.timedelta(days=30)).isoformat(),
              "ends_on": (world.today + dt.timedelta(days=31)).isoformat(), "action_types": ["march", "rally"],
              "description": "Marchas y mítines en todo el continente", "original_language": "es"}
    values.update(changes)
    return values


def test_it_lets_only_coordinators_create(world, client, as_user):
    assert client.get(CREATE).status_code == 302
    for user in (world.bob, world.carla, world.marco):
        assert as_user(user).get(CREATE).status_code == 403
        assert as_user(user).post(CREATE, _form(world)).status_code == 403
    assert client.post(CREATE, _form(world)).status_code == 302
    assert not Campaign.objects.exists()
    page = as_user(world.alice).get(CREATE).content.decode()
    assert '<label for="id_title">' in page and "Types of action hosts may register" in page


def test_it_links_to_the_page_only_for_those_who_may_create(world, client, as_user):
    campaign(world)
    link = f'href="{CREATE}"'
    assert link in as_user(world.alice).get(reverse("actions:index")).content.decode()
    for who in (client, as_user(world.bob), as_user(world.carla)):
        assert link not in who.get(reverse("actions:index")).content.decode()
    edit = reverse("actions:campaign_edit", args=["dia-migrar"])
    assert edit in as_user(world.alice).get(reverse("actions:campaign", args=["dia-migrar"])).content.decode()
    assert edit not in as_user(world.bob).get(reverse("actions:campaign", args=["dia-migrar"])).content.decode()


def test_a_coordinator_creates_a_day_of_action_with_its_adopted_proposals(world, as_user):
    adopted = proposal(world, state="adopted")
    page = as_user(world.alice).get(CREATE).content.decode()
    assert adopted.title in page  # picked from a list, never typed as an id
    answer = as_user(world.alice).post(CREATE, _form(world, proposals=[adopted.pk]))
    assert answer.status_code == 302 and answer.url == reverse("actions:campaign", args=["dia-del-trabajo"])
    created = Campaign.objects.get()
    assert created.title == "Día continental del trabajo" and created.action_types == ["march", "rally"]
    assert list(created.proposals.all()) == [adopted] and created.gathering == world.conference
    assert Entry.objects.filter(action="campaign.created").count() == 1
    shown = as_user(world.bob).get(reverse("actions:campaign", args=["dia-del-trabajo"])).content.decode()
    assert "Día continental del trabajo" in shown and adopted.title in shown


@pytest.mark.parametrize(("changes", "field", "message"), [
    ({"ends_on": "2020-01-01"}, "ends_on", "The last day cannot come before the first day."),
    ({"action_types": []}, "action_types", "Choose at least one type of action from the list."),
    ({"title": "T" * 201}, "title", "at most 200 characters"),
    ({"title": "   "}, "title", "This field is required."),
    ({"slug": "día del trabajo"}, "slug", "letters, numbers, underscores or hyphens"),
    ({"slug": "dia-migrar"}, "slug", "This short name is already taken."),
    ({"slug": "create"}, "slug", "This short name is already taken."),
    ({"action_types": ["party"]}, "action_types", "Select a valid choice"),
])
def test_it_shows_each_bad_input_beside_its_field_and_writes_nothing(world, as_user, changes, field, message):
    campaign(world)
    before = list(Campaign.objects.values_list("pk", "slug", "title"))
    page = as_user(world.alice).post(CREATE, _form(world, **changes))
    html = page.content.decode().replace("&#x27;", "'")
    assert page.status_code == 200
    assert 'class="error-summary"' in html and f'href="#id_{field}' in html  # the summary names the field
    assert f'id="id_{field}_error"' in html and message in html
    assert "Día continental del trabajo" in html or changes.get("title")  # what was typed is kept
    assert list(Campaign.objects.values_list("pk", "slug", "title")) == before


def test_the_service_refuses_the_same_bad_values_for_the_api_and_the_cli(world):
    adopted_elsewhere = proposal(world, state="draft")
    base = {"slug": "dia-x", "title": "Día", "starts_on": world.today, "ends_on": world.today,
            "action_types": ["march"]}
    for changes, field in (({"title": "T" * 201}, "title"), ({"slug": "con espacios"}, "slug"),
                           ({"ends_on": world.today - dt.timedelta(days=1)}, "ends_on"),
                           ({"action_types": []}, "action_types"), ({"proposals": [adopted_elsewhere]}, "proposals"),
                           ({"slug": "x" * 81}, "slug")):
        with pytest.raises(ServiceError) as refused:
            services.create_campaign(world.alice, world.conference, **{**base, **changes})
        assert refused.value.field == field
    with pytest.raises(PermissionDenied):
        services.create_campaign(world.carla, world.conference, **base)
    assert not Campaign.objects.exists()


def test_a_coordinator_edits_a_day_of_action(world, as_user, client):
    existing = campaign(world)
    edit = reverse("actions:campaign_edit", args=["dia-migrar"])
    assert client.get(edit).status_code == 302
    for user in (world.bob, world.carla, world.marco):
        assert as_user(user).post(edit, {"title": "Otro"}).status_code == 403
    page = as_user(world.alice).get(edit).content.decode()
    assert 'value="Día continental por el derecho a migrar"' in page and 'name="slug"' not in page
    values = _form(world, title="Día continental por la libre circulación",
                   action_types=[t for t in existing.action_types if t != "online"])
    answer = as_user(world.alice).post(edit, values)
    assert answer.status_code == 302
    existing.refresh_from_db()
    assert existing.title == "Día continental por la libre circulación" and "online" not in existing.action_types
    assert existing.slug == "dia-migrar"
    assert Entry.objects.filter(action="campaign.changed").count() == 1


def test_it_keeps_a_type_that_registered_actions_use(world, as_user):
    action(world)  # a march in Bogotá
    edit = reverse("actions:campaign_edit", args=["dia-migrar"])
    page = as_user(world.alice).post(edit, _form(world, action_types=["rally"]))
    html = page.content.decode()
    assert page.status_code == 200 and "already registered" in html and "March" in html
    assert "march" in Campaign.objects.get().action_types
    page = as_user(world.alice).post(edit, _form(world, ends_on="2020-01-01"))
    assert "The last day cannot come before the first day." in page.content.decode()
    assert Campaign.objects.get().ends_on != dt.date(2020, 1, 1)


def test_the_api_refuses_the_same_bad_values(world, as_user):
    import json

    body = {"gathering": "conferencia", "slug": "dia-x", "title": "T" * 201, "start_date": world.today.isoformat(),
            "end_date": world.today.isoformat(), "action_types": ["march"]}
    for changes, field in (({}, "title"), ({"title": "Día", "slug": "con espacios"}, "slug"),
                           ({"title": "Día", "action_types": []}, "action_types")):
        answer = as_user(world.alice).post("/api/v1/campaigns", json.dumps({**body, **changes}),
                                           content_type="application/json")
        assert answer.status_code == 400 and answer.json()["field"] == field, answer.content
    assert not Campaign.objects.exists()
