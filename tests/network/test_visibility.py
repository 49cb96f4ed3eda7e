"""Per-field visibility: every level x every kind of viewer, in the rule,
in its database twin, on the pages and in the API."""

import pytest
from django.contrib.auth.models import AnonymousUser

from convoca.network.models import Person, Visibility
from convoca.network.queries import people_visible_to, person_card, visibility_q
from convoca.network.rules import can_see_field

from .helpers import bearer, html

# viewer -> (level -> may see?)
EXPECTED = {
    "anonymous": {"public": True, "members": False, "coordinators": False},
    "nadia": {"public": True, "members": True, "coordinators": False},  # plain member
    "carla": {"public": True, "members": True, "coordinators": False},  # committee member
    "tomas": {"public": True, "members": True, "coordinators": False},  # translator
    "alice": {"public": True, "members": True, "coordinators": True},  # coordinator
    "self": {"public": True, "members": True, "coordinators": True},  # bob looking at himself
}
VIEWERS = sorted(EXPECTED)
LEVELS = [level.value for level in Visibility]


def viewer(world, name):
    if name == "self":
        return world.bob
    return world.users[name] or AnonymousUser()


def set_all(person, level):
    for field in Person.VISIBLE_FIELDS:
        setattr(person, f"{field}_visibility", level)
    person.full_name = "Roberto Secreto Pérez"
    person.languages = "es,qu"
    person.save()


@pytest.mark.parametrize("field", Person.VISIBLE_FIELDS)
@pytest.mark.parametrize("level", LEVELS)
@pytest.mark.parametrize("who", VIEWERS)
def test_it_applies_each_level_to_each_viewer(world, field, level, who):
    setattr(world.bob_person, f"{field}_visibility", level)
    assert can_see_field(viewer(world, who), world.bob_person, field) is EXPECTED[who][level]


def test_it_treats_an_inactive_account_as_anonymous(world):
    world.nadia.is_active = False
    world.bob_person.email_visibility = Visibility.MEMBERS
    assert can_see_field(world.nadia, world.bob_person, "email") is False


def test_it_does_not_treat_unlinked_people_as_self(world):
    unlinked = Person.objects.create(display_name="Sin cuenta")
    assert can_see_field(AnonymousUser(), unlinked, "display_name") is False


@pytest.mark.parametrize("who", VIEWERS)
@pytest.mark.parametrize("field", Person.VISIBLE_FIELDS)
def test_it_filters_in_the_database_exactly_like_the_rule(world, who, field):
    people = {}
    for level in LEVELS:
        people[level] = Person.objects.create(display_name=f"P {level}", **{f"{field}_visibility": level})
    user = viewer(world, who)
    everyone = Person.objects.all()
    in_db = set(everyone.filter(visibility_q(user, field)).values_list("pk", flat=True))
    in_python = {p.pk for p in everyone if can_see_field(user, p, field)}
    assert in_db == in_python


@pytest.mark.parametrize("level", LEVELS)
@pytest.mark.parametrize("who", VIEWERS)
def test_it_builds_cards_with_hidden_fields_as_none(world, who, level):
    set_all(world.bob_person, level)
    user = viewer(world, who)
    card = person_card(user, Person.objects.get(pk=world.bob_person.pk))
    visible = EXPECTED[who][level]
    assert (card.display_name == "Bob Delegado") is visible and (card.display_name is None) is not visible
    assert (card.full_name == "Roberto Secreto Pérez") is visible
    assert (card.email == "bob@example.org") is visible
    assert (card.languages == ["es", "qu"]) is visible
    assert (card.organisations == [world.org_co]) is visible


@pytest.mark.parametrize("level", LEVELS)
@pytest.mark.parametrize("who", VIEWERS)
def test_it_applies_visibility_on_the_person_pages(world, as_user, who, level):
    set_all(world.bob_person, level)
    client = as_user(viewer(world, who) if who != "anonymous" else None)
    detail = client.get(world.bob_person.get_absolute_url())
    listing = client.get("/people/")
    if who == "anonymous":  # people pages are for members only, whatever the level
        for response in (detail, listing):
            assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
        return
    visible = EXPECTED[who][level]
    assert detail.status_code == (200 if visible else 404)
    page = html(listing)
    for secret in ("Bob Delegado", "Roberto Secreto Pérez", "bob@example.org"):
        assert (secret in page) is visible
    if visible:
        page = html(detail)
        for secret in ("Bob Delegado", "Roberto Secreto Pérez", "bob@example.org", "Sindicato Andino"):
            assert secret in page


@pytest.mark.parametrize("level", LEVELS)
@pytest.mark.parametrize("who", VIEWERS)
def test_it_applies_visibility_in_the_api(world, client, who, level):
    set_all(world.bob_person, level)
    user = viewer(world, who)
    headers = bearer(user) if who != "anonymous" else {}
    response = client.get(f"/api/v1/people/{world.bob_person.pk}", headers=headers)
    if who == "anonymous":
        assert response.status_code == 401
        return
    visible = EXPECTED[who][level]
    assert response.status_code == (200 if visible else 404)
    listed = client.get("/api/v1/people", headers=headers).json()["items"]
    assert (world.bob_person.pk in [item["id"] for item in listed]) is visible
    if visible:
        body = response.json()
        assert body["display_name"] == "Bob Delegado" and body["full_name"] == "Roberto Secreto Pérez"
        assert body["email_addresses"] == [{"address": "bob@example.org"}]
        assert body["languages"] == ["es", "qu"]
        assert body["organisations"] == [{"id": world.org_co.pk, "name": "Sindicato Andino"}]


@pytest.mark.parametrize("who", ["nadia", "carla"])
def test_it_hides_single_fields_in_the_api(world, client, who):
    person = world.bob_person
    person.display_name_visibility = "members"
    person.save()
    body = client.get(f"/api/v1/people/{person.pk}", headers=bearer(world.users[who])).json()
    assert body["display_name"] == "Bob Delegado"
    assert body["full_name"] is None and body["email_addresses"] is None
    assert body["languages"] is None and body["organisations"] is None
    assert body["visibility"] is None  # only coordinators and the person see the settings


def test_it_lists_only_people_whose_name_is_visible(world):
    assert list(people_visible_to(AnonymousUser())) == []
    assert set(people_visible_to(world.nadia)) == {world.nadia_person}
    assert people_visible_to(world.alice).count() == Person.objects.count()
