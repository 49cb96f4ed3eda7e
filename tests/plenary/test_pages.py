"""The plenary's pages: programme and calendar, the live page and its parts, the item page, the chair's console
and the screens of the hall; what each shows to whom, and what each costs."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from convoca.network.models import ShownAs, Visibility
from convoca.plenary import services
from convoca.plenary.models import AgendaItem, Speaker
from tests.plenary.helpers import add_participant, fresh, item, session, snapshot, waiting
from tests.voting.helpers import check_in, new_poll


def html(response):
    body = response.content.decode()
    assert "INVALID_TEMPLATE_VARIABLE" not in body
    return body


@pytest.fixture
def hall(world):
    w = world
    w.session = session(w, video_url="https://video.example.org/plenaria-secreta")
    w.item = item(w, current=True, session=w.session, title="Debate de la declaración")
    w.dana, w.dana_reg = add_participant(w, "dana@example.org", "Dana Delegada", organisation=w.org_mx)
    return w


def test_it_hides_an_unpublished_programme_from_all_but_the_chairs(world, as_user):
    item(world, publish=False, title="Punto secreto")
    url = reverse("plenary:programme", args=["conferencia"])
    for user in (None, world.bob, world.carla, world.nadia):
        assert as_user(user).get(url).status_code == 404
        assert as_user(user).get(reverse("plenary:live", args=["conferencia"])).status_code == 404
    assert "Punto secreto" in html(as_user(world.alice).get(url))


def test_it_shows_the_programme_with_sessions_items_and_the_current_one(hall, as_user):
    w = hall
    item(w, title="Clausura")
    body = html(as_user(None).get(reverse("plenary:programme", args=["conferencia"])))
    assert "Sesión de la mañana" in body and "Sala Bolívar" in body
    assert "Debate de la declaración" in body and "Clausura" in body
    assert 'aria-current="true"' in body
    assert "plenaria-secreta" not in body  # the video room is for the chairs and accredited participants
    assert "plenaria-secreta" in html(as_user(w.bob).get(reverse("plenary:programme", args=["conferencia"])))
    part = html(as_user(None).get(reverse("plenary:programme", args=["conferencia"]) + "?part=agenda"))
    assert part.lstrip().startswith('<div id="programme"')
    assert 'data-live-kinds="agenda.changed"' in part and "<html" not in part


def test_it_serves_the_sessions_as_an_icalendar_file_without_the_video_room(hall, client):
    from icalendar import Calendar

    response = client.get(reverse("plenary:calendar", args=["conferencia"]))
    assert response["Content-Type"].startswith("text/calendar")
    calendar = Calendar.from_ical(response.content)
    events = list(calendar.walk("VEVENT"))
    assert [str(e["summary"]) for e in events] == ["Sesión de la mañana"]
    assert events[0].decoded("dtstart") == hall.session.starts_at
    assert str(events[0]["location"]) == "Sala Bolívar"
    assert b"plenaria-secreta" not in response.content


def test_it_costs_the_same_queries_for_one_or_three_items(world, client):
    item(world, title="Uno")
    url = reverse("plenary:programme", args=["conferencia"])
    client.get(url)
    with CaptureQueriesContext(connection) as one:
        client.get(url)
    item(world, title="Dos")
    item(world, title="Tres")
    with CaptureQueriesContext(connection) as three:
        body = html(client.get(url))
    assert "Dos" in body and "Tres" in body
    assert len(three.captured_queries) == len(one.captured_queries)


def test_the_live_page_shows_the_floor_the_clock_and_the_next_speakers_with_their_reasons(hall, as_user):
    w = hall
    services.ask_to_speak(w.bob, w.item)
    services.ask_to_speak(w.dana, w.item)
    services.start_next(w.alice, w.item)
    eva, _ = add_participant(w, "eva@example.org", "Eva Delegada")
    services.ask_to_speak(eva, w.item, kind="point_of_order")
    body = html(as_user(w.alice).get(reverse("plenary:live", args=["conferencia"])))
    assert "Bob Delegado" in body  # a coordinator sees every name
    assert 'data-timer-running="1"' in body and 'data-timer-remaining="1' in body
    assert "Point of order" in body
    assert body.index("Eva Delegada") < body.index("Dana Delegada")
    assert 'data-live-kinds="agenda.changed speakers.changed message.changed"' in body


def test_names_follow_each_persons_choice(hall, as_user):
    w = hall
    w.bob_person.display_name_visibility = Visibility.PUBLIC
    w.bob_person.save()
    w.dana.person.shown_as, w.dana.person.pseudonym = ShownAs.PSEUDONYM, "La Cóndor"
    w.dana.person.save()
    rita, _ = add_participant(w, "rita@example.org", "Rita Reservada")
    for user in (w.bob, w.dana, rita):
        services.ask_to_speak(user, w.item)
    body = html(as_user(None).get(reverse("plenary:item", args=["conferencia", w.item.pk])))
    assert "Bob Delegado" in body and "La Cóndor" in body and "Dana Delegada" not in body
    assert "Rita Reservada" not in body and "Speaker 3" in body
    assert "Rita Reservada" in html(as_user(rita).get(reverse("plenary:item", args=["conferencia", w.item.pk])))


def test_a_self_declared_gender_is_seen_only_by_the_chairs(hall, as_user):
    w = hall
    services.ask_to_speak(w.bob, w.item, gender="man")
    label = str(Speaker.Gender.MAN.label)
    console = html(as_user(w.alice).get(reverse("plenary:console", args=["conferencia"])))
    assert f"· {label}" in console
    for user in (None, w.bob, w.dana):
        for name in ("plenary:live", "plenary:programme"):
            assert f"· {label}" not in html(as_user(user).get(reverse(name, args=["conferencia"])))
        assert f"· {label}" not in html(as_user(user).get(reverse("plenary:item", args=["conferencia", w.item.pk])))


def test_it_asks_to_speak_through_the_page_and_says_why_when_it_cannot(hall, as_user):
    w = hall
    url = reverse("plenary:ask", args=["conferencia", w.item.pk])
    bob = as_user(w.bob)
    response = bob.post(url, {"kind": "point_of_order", "next": reverse("plenary:live", args=["conferencia"])}, follow=True)
    assert "You are on the list of speakers, number 1." in html(response)
    assert "You are number 1 on the list of speakers." in html(response)
    response = bob.post(url, {"kind": "contribution"}, follow=True)
    assert "You are already on this list of speakers." in html(response)
    before = snapshot(w.item)
    response = bob.post(url, {"kind": "shout"}, follow=True)
    assert response.status_code == 200 and snapshot(w.item) == before
    response = as_user(w.olga).post(url, {"kind": "contribution"})
    assert response.status_code == 403
    assert snapshot(w.item) == before
    assert "Ask to speak" not in html(as_user(w.olga).get(reverse("plenary:live", args=["conferencia"])))


def test_the_console_refuses_a_stale_button_and_changes_nothing(hall, as_user):
    w = hall
    services.ask_to_speak(w.bob, w.item)
    dana = services.ask_to_speak(w.dana, w.item)
    chair = as_user(w.alice)
    seen = fresh(w.item).version
    services.remove_speaker(w.alice, dana)  # another chair, meanwhile
    before = snapshot(w.item)
    response = chair.post(reverse("plenary:floor", args=["conferencia", w.item.pk]),
                          {"action": "next", "version": seen}, follow=True)
    assert "The list of speakers changed meanwhile" in html(response)
    assert snapshot(w.item) == before
    response = chair.post(reverse("plenary:floor", args=["conferencia", w.item.pk]),
                          {"action": "next", "version": fresh(w.item).version}, follow=True)
    assert "The floor has passed to the next speaker." in html(response)
    assert Speaker.objects.get(item=w.item, state="speaking").registration_id == w.bob_reg.pk
    for bad in ({"action": "dance"}, {"action": "next", "version": "x"}, {"action": "next", "speaker": "x"}):
        assert chair.post(reverse("plenary:floor", args=["conferencia", w.item.pk]), bad).status_code in (302, 404)


def test_the_chair_moves_removes_adds_and_sets_the_rules_from_the_console(hall, as_user):
    w = hall
    bob = services.ask_to_speak(w.bob, w.item)
    services.ask_to_speak(w.dana, w.item)
    chair = as_user(w.alice)
    chair.post(reverse("plenary:move", args=["conferencia", bob.pk]), {"place": 2, "version": fresh(w.item).version})
    assert [r for r, _ in waiting(w.item)] == [w.dana_reg.pk, w.bob_reg.pk]
    chair.post(reverse("plenary:rules", args=["conferencia", w.item.pk]), {"first_time": "on"})
    assert [r for r, _ in waiting(w.item)] == [w.bob_reg.pk, w.dana_reg.pk]
    chair.post(reverse("plenary:remove", args=["conferencia", bob.pk]), {"version": fresh(w.item).version})
    assert [r for r, _ in waiting(w.item)] == [w.dana_reg.pk]
    eva, eva_reg = add_participant(w, "eva@example.org", "Eva Delegada")
    chair.post(reverse("plenary:add", args=["conferencia", w.item.pk]), {"registration": eva_reg.pk, "kind": "reply"})
    assert waiting(w.item)[0] == (eva_reg.pk, "reply")
    elsewhere = add_participant(w, "x@example.org", "Xavier", gathering=w.prep_co)[1]
    before = snapshot(w.item)
    chair.post(reverse("plenary:add", args=["conferencia", w.item.pk]), {"registration": elsewhere.pk})
    assert snapshot(w.item) == before
    response = chair.post(reverse("plenary:move", args=["prep-co", bob.pk]), {"place": 1})
    assert response.status_code == 404  # a speaker of another gathering's list


def test_the_live_page_shows_the_items_poll_with_its_turnout_and_a_link_to_vote(hall, as_user):
    from convoca.voting import services as voting

    w = hall
    check_in(w.bob_reg)
    poll = new_poll(w)
    services.update_item(w.alice, w.item, poll=poll)
    voting.open_poll(w.alice, poll)
    body = html(as_user(w.bob).get(reverse("plenary:live", args=["conferencia"])))
    assert "0 of 1 votes cast" in body and reverse("voting:detail", args=[poll.pk]) in body
    assert reverse("voting:detail", args=[poll.pk]) not in html(as_user(w.dana).get(reverse("plenary:live", args=["conferencia"])))
    part = html(as_user(None).get(reverse("plenary:live", args=["conferencia"]) + "?part=poll"))
    assert part.lstrip().startswith('<section class="plenary-poll"')
    assert f'data-live-kinds="poll.turnout" data-live-where="poll={poll.pk}" data-live-every="5"' in part


def test_a_screen_opens_with_its_address_shows_no_controls_and_no_video_room(hall, client, as_user):
    w = hall
    services.ask_to_speak(w.bob, w.item)
    services.start_next(w.alice, w.item)
    services.set_message(w.alice, w.conference, "Pausa a las 11")
    projector, token = services.create_projector(w.alice, w.conference, "Sala principal")
    url = reverse("plenary:screen", args=["conferencia", token])
    body = html(client.get(url))
    assert 'class="projector"' in body and "Pausa a las 11" in body and "Debate de la declaración" in body
    assert "<form" not in body and "plenaria-secreta" not in body and "site-header" not in body
    assert 'data-timer-running="1"' in body
    assert client.get(reverse("plenary:screen", args=["prep-co", token])).status_code == 404
    assert client.get(reverse("plenary:screen", args=["conferencia", token[:-2] + "zz"])).status_code == 404
    part = html(client.get(url + "?part=screen"))
    assert part.lstrip().startswith('<div id="screen"') and "<html" not in part
    assert token not in html(as_user(w.alice).get(reverse("plenary:projectors", args=["conferencia"])))
    shown = html(as_user(w.alice).post(reverse("plenary:projector_renew", args=["conferencia", projector.pk])))
    assert "/plenary/screen/" in shown
    assert client.get(url).status_code == 404  # the old address no longer opens the screen


@pytest.mark.parametrize("name", ["plenary:live", "plenary:screen", "plenary:item"])
def test_live_pages_cost_the_same_queries_for_one_or_three_speakers(hall, client, name):
    w = hall
    projector, token = services.create_projector(w.alice, w.conference, "Sala")
    args = {"plenary:live": ["conferencia"], "plenary:screen": ["conferencia", token],
            "plenary:item": ["conferencia", w.item.pk]}[name]
    url = reverse(name, args=args)
    services.ask_to_speak(w.bob, w.item)
    client.get(url)
    with CaptureQueriesContext(connection) as one:
        client.get(url)
    services.ask_to_speak(w.dana, w.item)
    services.ask_to_speak(add_participant(w, "eva@example.org", "Eva")[0], w.item)
    with CaptureQueriesContext(connection) as three:
        html(client.get(url))
    assert len(three.captured_queries) == len(one.captured_queries)


def test_the_agenda_forms_create_and_edit_sessions_and_items(world, as_user):
    chair = as_user(world.alice)
    response = chair.post(reverse("plenary:session_create", args=["conferencia"]), {
        "title": "Tarde", "starts_at": "2030-05-02T15:00", "ends_at": "2030-05-02T14:00"})
    assert "The session must end after it starts." in html(response)
    response = chair.post(reverse("plenary:session_create", args=["conferencia"]), {
        "title": "Tarde", "starts_at": "2030-05-02T15:00", "ends_at": "2030-05-02T18:00", "room": "Sala 2"})
    assert response.status_code == 302
    created = world.conference.plenary_sessions.get()
    response = chair.post(reverse("plenary:item_create", args=["conferencia"]), {
        "title": "Informe", "session": created.pk, "duration_minutes": 20, "speaking_seconds": 120, "total_seconds": 0})
    assert response.status_code == 302
    added = AgendaItem.objects.get(title="Informe")
    assert added.session == created and added.speaking_seconds == 120
    response = chair.post(reverse("plenary:item_edit", args=["conferencia", added.pk]), {
        "title": "Informe final", "duration_minutes": 25, "speaking_seconds": 90, "total_seconds": 600})
    assert response.status_code == 302 and fresh(added).title == "Informe final"
    assert chair.get(reverse("plenary:item_edit", args=["prep-co", added.pk])).status_code == 404
    chair.post(reverse("plenary:publish", args=["conferencia"]), {"action": "publish"})
    assert as_user(None).get(reverse("plenary:programme", args=["conferencia"])).status_code == 200


def test_every_page_and_part_draws_every_variable(world, as_user):
    from tests.plenary.matrix import MATRIX, _item

    services.ask_to_speak(world.bob, _item(world))
    services.start_next(world.alice, fresh(_item(world)))
    for name, entry in MATRIX.items():
        if entry.get("method") == "post" or name == "plenary:calendar":
            continue
        url = reverse(name, args=entry.get("args", lambda w: [])(world))
        for user in (None, world.alice):
            response = as_user(user).get(url)
            if response.status_code == 200:
                html(response)
                for part in ("now", "poll", "speakers", "floor", "agenda", "screen"):
                    html(as_user(user).get(f"{url}?part={part}"))


def test_a_committee_chairing_its_meeting_sees_the_speakers_names_others_do_not(world, as_user):
    w = world
    hall = item(w, w.prep_co, current=True, title="Apertura")
    speaker, _ = add_participant(w, "lucia@example.org", "Lucía Reservada", gathering=w.prep_co)
    services.ask_to_speak(speaker, hall)
    console = html(as_user(w.carla).get(reverse("plenary:console", args=["prep-co"])))
    assert "Lucía Reservada" in console
    assert "Lucía Reservada" not in html(as_user(w.bob).get(reverse("plenary:live", args=["prep-co"])))
