import datetime as dt

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from convoca.gatherings.models import Gathering


def _gathering(world, slug, days):
    start = world.today + dt.timedelta(days=days)
    return Gathering.objects.create(kind=Gathering.Kind.PREPARATORY, slug=slug, title=f"Encuentro {slug}",
                                    country="CO", starts_on=start, ends_on=start, place="Bogotá")


def test_it_is_the_front_page_under_its_old_name(client, world):
    assert reverse("core:home") == "/"
    response = client.get("/")
    assert [t.name for t in response.templates][0] == "home/home.html"


def test_it_lists_upcoming_gatherings_but_not_past_ones(client, world):
    _gathering(world, "next-week", 7)
    _gathering(world, "last-month", -30)
    html = client.get("/").content.decode()
    assert world.conference.title in html and "Encuentro next-week" in html
    assert "Encuentro last-month" not in html


def test_it_costs_the_same_queries_for_one_or_three_gatherings(client, world):
    Gathering.objects.exclude(pk=world.conference.pk).delete()
    client.get("/")  # warm the caches shared by every page
    with CaptureQueriesContext(connection) as one:
        client.get("/")
    _gathering(world, "second", 7)
    _gathering(world, "third", 9)
    with CaptureQueriesContext(connection) as three:
        html = client.get("/").content.decode()
    assert "Encuentro second" in html and "Encuentro third" in html
    assert len(three.captured_queries) == len(one.captured_queries)
