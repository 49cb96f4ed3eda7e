"""The logged-in home page: what happens now for that person, in the same queries for one thing or three."""

import datetime as dt

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from convoca.gatherings.models import Gathering, Registration
from convoca.network.models import Visibility
from convoca.plenary import services
from tests.plenary.helpers import add_participant, item
from tests.voting.helpers import check_in, new_poll


def body(client):
    html = client.get("/").content.decode()
    assert "INVALID_TEMPLATE_VARIABLE" not in html
    return html


def test_it_shows_a_delegate_the_current_item_the_speaker_their_place_a_vote_and_their_badge(world, as_user):
    from convoca.voting import services as voting

    w = world
    w.bob_person.display_name_visibility = Visibility.MEMBERS
    w.bob_person.save()
    hall = item(w, current=True, title="Debate de la declaración")
    dana, _ = add_participant(w, "dana@example.org", "Dana Delegada", organisation=w.org_mx)
    services.ask_to_speak(w.bob, hall)
    services.start_next(w.alice, hall)
    services.ask_to_speak(dana, hall)
    later = item(w, title="Plan de acción")
    services.ask_to_speak(w.bob, later)
    check_in(w.bob_reg)
    poll = new_poll(w, title="¿Aprobamos el informe?")
    voting.open_poll(w.alice, poll)
    html = body(as_user(dana))
    assert "Now for you" in html and "Debate de la declaración" in html and "Bob Delegado" in html
    assert "You are number 1 on the list of speakers for “Debate de la declaración”." in html
    assert "¿Aprobamos el informe?" not in html  # dana is not checked in: not on the roll
    html = body(as_user(w.bob))
    assert "You are number 1 on the list of speakers for “Plan de acción”." in html
    assert reverse("voting:detail", args=[poll.pk]) in html
    assert reverse("gatherings:badge", args=["conferencia", w.bob_reg.pk]) in html
    assert "Waiting for you" not in html and reverse("plenary:console", args=["conferencia"]) not in html


def test_it_shows_coordinators_the_numbers_that_wait_for_them(world, as_user):
    w = world
    Gathering.objects.filter(pk=w.conference.pk).update(starts_on=timezone.localdate())
    check_in(w.bob_reg)
    item(w, current=True)
    html = body(as_user(w.alice))
    assert "Waiting for you" in html and "Checked in, per country" in html
    assert "Colombia" in html
    assert reverse("plenary:console", args=["conferencia"]) in html
    assert '<span class="count">1</span> registrations to accredit' in html  # olga


def test_it_shows_nothing_of_this_to_visitors_or_before_the_programme_is_published(world, as_user):
    item(world, current=True, publish=False)
    assert "Now for you" not in body(as_user(None))
    assert "Now for you" not in body(as_user(world.nadia))
    html = body(as_user(world.bob))
    assert "Informe de la coordinación" not in html  # not published: only the chairs see it
    assert "Informe de la coordinación" in body(as_user(world.alice))


def _running_plenary(w, n):
    start = w.today
    gathering = Gathering.objects.create(kind=Gathering.Kind.CONFERENCE, slug=f"g{n}", title=f"Encuentro {n}",
                                         starts_on=start, ends_on=start + dt.timedelta(days=1), place="Quito")
    Registration.objects.create(gathering=gathering, person=w.bob_person, role=Registration.Role.DELEGATE,
                                organisation=w.org_co, mandate=Registration.Mandate.CONFIRMED,
                                status=Registration.Status.ACCREDITED)
    hall = item(w, gathering, current=True, title=f"Punto {n}")
    speaker, _ = add_participant(w, f"s{n}@example.org", f"Orador {n}", gathering=gathering)
    services.ask_to_speak(speaker, hall)
    services.start_next(w.alice, hall)
    services.ask_to_speak(w.bob, hall)
    return gathering


def test_it_costs_the_same_queries_for_one_or_three_plenaries(world, as_user):
    client = as_user(world.bob)
    _running_plenary(world, 1)
    client.get("/")
    with CaptureQueriesContext(connection) as one:
        client.get("/")
    _running_plenary(world, 2)
    _running_plenary(world, 3)
    with CaptureQueriesContext(connection) as three:
        html = body(client)
    assert "Punto 2" in html and "Punto 3" in html
    assert len(three.captured_queries) == len(one.captured_queries)
