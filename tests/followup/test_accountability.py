"""Working groups carry out the conference's resolutions: each adopted resolution gets an implementation record
(by the ticker), a group posts dated progress, the public accountability page shows it with per-theme and
per-country progress. Bad inputs tried: progress by a non-member (and anonymous), a status that does not exist,
an empty text, a javascript: link, a date in the future, markup in a group's name, a duplicate group name, a
stale edit of the notes, a group of another conference."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from convoca.audit import queries as audit_queries
from convoca.core.errors import PermissionDenied, ServiceError
from convoca.followup import services, ticks
from convoca.followup.models import Implementation
from convoca.gatherings.models import Gathering
from tests.fixtures import client_for
from tests.followup.helpers import resolution, snapshot
from tests.proposals.helpers import proposal

pytestmark = pytest.mark.django_db


def test_the_ticker_gives_each_adopted_resolution_a_record_once(world):
    adopted = proposal(world, state="adopted")
    proposal(world, state="rejected", title="Otra")
    assert ticks.tick(timezone.now()) == {"implementations": 1}
    assert ticks.tick(timezone.now()) == {"implementations": 0}
    assert list(Implementation.objects.values_list("proposal", "status")) == [(adopted.pk, "not_started")]


def test_a_member_posts_progress_that_the_public_page_shows(world, client):
    item = resolution(world)
    response = client_for(world.bob).post(reverse("followup:resolution", args=["conferencia", item.pk]), {
        "status": "in_progress", "text": "Primera jornada <script>alert(1)</script> en Bogotá", "link": "",
    })
    assert response.status_code == 302
    page = client.get(reverse("followup:accountability", args=["conferencia"])).content.decode()
    assert "Grupo de migración" in page and "In progress" in page and "Primera jornada" in page
    assert "<script>alert(1)" not in page and "&lt;script&gt;" in page
    assert "Colombia" in page and "50%" in page  # per-country progress, the group's country
    detail = client.get(reverse("followup:resolution", args=["conferencia", item.pk])).content.decode()
    assert "Primera jornada" in detail and "Post progress" not in detail  # the public cannot post


@pytest.mark.parametrize("who", ["nadia", "olga", "carla"])
def test_it_refuses_progress_from_a_non_member(world, who):
    item = resolution(world)
    before = snapshot()
    client = client_for(getattr(world, who))
    response = client.post(reverse("followup:resolution", args=["conferencia", item.pk]),
                           {"status": "done", "text": "Hecho"})
    assert response.status_code == 403
    with pytest.raises(PermissionDenied, match="Only the members"):
        services.post_progress(getattr(world, who), item, status="done", text="Hecho")
    assert snapshot() == before


def test_it_refuses_anonymous_progress(world, client):
    item = resolution(world)
    before = snapshot()
    assert client.post(reverse("followup:resolution", args=["conferencia", item.pk]),
                       {"status": "done", "text": "Hecho"}).status_code == 403
    assert snapshot() == before


@pytest.mark.parametrize("data, message", [
    ({"status": "finished", "text": "x"}, "valid choice"),
    ({"status": "done", "text": ""}, "required"),
    ({"status": "done", "text": "x", "link": "javascript:alert(1)"}, "starting with https://"),
    ({"status": "done", "text": "x", "on": (dt.date.today() + dt.timedelta(days=3)).isoformat()}, "in the future"),
])
def test_it_refuses_bad_progress_and_stores_nothing(world, data, message):
    item = resolution(world)
    before = snapshot()
    response = client_for(world.bob).post(reverse("followup:resolution", args=["conferencia", item.pk]), data)
    assert response.status_code == 200 and message in response.content.decode()
    assert snapshot() == before


def test_it_refuses_bad_groups(world):
    resolution(world)
    before = snapshot()
    for name, message in (("<b>Grupo</b>", "are not allowed"), ("Grupo de migración", "already has this name")):
        with pytest.raises(ServiceError, match=message):
            services.create_group(world.alice, world.conference, name=name)
    with pytest.raises(PermissionDenied):
        services.create_group(world.bob, world.conference, name="Mío")
    other = services.create_group(world.alice, world.prep_co, name="Otro")
    with pytest.raises(ServiceError, match="of this conference"):
        services.assign(world.alice, Implementation.objects.get(), other)
    assert snapshot()[2:] == before[2:]


def test_the_notes_refuse_a_stale_edit(world):
    group = resolution(world).group
    services.save_notes(world.bob, group, notes="Acta 1", base_version=1)
    assert services.save_notes(world.bob, group, notes="Acta 1", base_version=1).notes == "Acta 1"  # a retry
    with pytest.raises(ServiceError, match="while you were editing"):
        services.save_notes(world.bob, group, notes="Otra cosa", base_version=1)
    with pytest.raises(PermissionDenied):
        services.save_notes(world.nadia, group, notes="x", base_version=2)


def test_a_group_page_shows_members_notes_and_meetings(world):
    item = resolution(world)
    services.add_member(world.alice, item.group, world.olga, world.org_mx)
    services.add_meeting(world.bob, item.group, title="Reunión virtual", starts_at=timezone.now(),
                         gathering=world.prep_co)
    services.save_notes(world.bob, item.group, notes="Acordamos la jornada", base_version=1)
    page = client_for(world.bob).get(reverse("followup:group", args=["conferencia", item.group.pk])).content.decode()
    assert "Acordamos la jornada" in page and "Reunión virtual" in page and "Red Migrante del Norte" in page
    assert "Encuentro preparatorio Colombia" in page


def test_the_page_costs_the_same_queries_for_1_and_3(world, client, django_assert_max_num_queries):
    resolution(world)
    url = reverse("followup:accountability", args=["conferencia"])
    with django_assert_max_num_queries(20) as one:
        client.get(url)
    proposal(world, state="adopted", title="Dos")
    proposal(world, state="adopted", title="Tres")
    services.ensure_implementations(world.conference)
    with django_assert_max_num_queries(len(one.captured_queries)):
        assert "Tres" in client.get(url).content.decode()
    assert Gathering.objects.count() == 3


def test_the_audit_trail_names_groups_and_resolutions(world):
    item = resolution(world)
    found = audit_queries.labels(world.alice, [("followup.workinggroup", item.group_id),
                                               ("followup.implementation", item.pk)])
    assert found[("followup.workinggroup", str(item.group_id))] == "Grupo de migración"
    assert found[("followup.implementation", str(item.pk))] == item.proposal.number
