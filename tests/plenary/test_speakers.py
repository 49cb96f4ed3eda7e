"""Lists of speakers through the services: asking, the chair's actions, the order and its reasons, refusals."""

import pytest

from convoca.core.errors import NotFound, PermissionDenied, ServiceError
from convoca.gatherings.models import Registration
from convoca.plenary import services
from convoca.plenary.models import Speaker
from tests.plenary.helpers import add_participant, fresh, item, snapshot, waiting


@pytest.fixture
def hall(world):
    """The conference's first item, published and current, and three more accredited delegates."""
    w = world
    w.item = item(w, current=True)
    w.dana, w.dana_reg = add_participant(w, "dana@example.org", "Dana Delegada", organisation=w.org_mx)
    w.eva, w.eva_reg = add_participant(w, "eva@example.org", "Eva Delegada")
    w.guest, w.guest_reg = add_participant(w, "gina@example.org", "Gina Invitada", role=Registration.Role.GUEST)
    return w


def test_it_puts_people_on_the_list_in_the_order_they_ask(hall):
    w = hall
    first = services.ask_to_speak(w.bob, w.item)
    services.ask_to_speak(w.dana, w.item)
    assert first.number == 1 and first.position == 1 and first.reason == "arrival"
    assert waiting(w.item) == [(w.bob_reg.pk, "arrival"), (w.dana_reg.pk, "arrival")]
    assert fresh(w.item).version == 2


def test_it_puts_a_point_of_order_at_the_top_and_says_why(hall):
    w = hall
    services.ask_to_speak(w.bob, w.item)
    services.ask_to_speak(w.dana, w.item)
    services.ask_to_speak(w.eva, w.item, kind="point_of_order")
    assert waiting(w.item)[0] == (w.eva_reg.pk, "point_of_order")


@pytest.mark.parametrize("case", ["twice", "closed", "other_gathering", "not_accredited", "observer", "anonymous",
                                  "bad_kind", "bad_gender", "unpublished"])
def test_it_refuses_a_bad_request_to_speak_and_changes_nothing(hall, case):
    w = hall
    services.ask_to_speak(w.bob, w.item)
    target, user, values = w.item, w.dana, {}
    if case == "twice":
        user = w.bob
    elif case == "closed":
        services.close_list(w.alice, w.item)
    elif case == "other_gathering":
        target = item(w, w.prep_co, title="Orden del día")  # dana is accredited at the conference only
    elif case == "not_accredited":
        user, _reg = add_participant(w, "rita@example.org", "Rita", status=Registration.Status.REQUESTED)
    elif case == "observer":
        user, _reg = add_participant(w, "oscar@example.org", "Óscar", role=Registration.Role.OBSERVER)
    elif case == "anonymous":
        from django.contrib.auth.models import AnonymousUser
        user = AnonymousUser()
    elif case == "bad_kind":
        values = {"kind": "filibuster"}
    elif case == "bad_gender":
        values = {"gender": "x" * 50}
    elif case == "unpublished":
        services.publish_programme(w.alice, w.conference, published=False)
    before = snapshot(target)
    with pytest.raises(ServiceError) as refused:
        services.ask_to_speak(user, target, **values)
    assert str(refused.value.message)
    assert snapshot(target) == before


def test_it_lets_the_chair_add_someone_even_to_a_closed_list(hall):
    w = hall
    services.close_list(w.alice, w.item)
    speaker = services.add_speaker(w.alice, w.item, w.dana_reg, kind="reply")
    assert speaker.added_by == w.alice and speaker.state == "waiting"


@pytest.mark.parametrize("action", ["add", "remove", "move", "start", "stop", "close", "rules", "current", "message"])
def test_it_refuses_chair_actions_to_non_chairs(hall, action):
    w = hall
    speaker = services.ask_to_speak(w.bob, w.item)
    calls = {
        "add": lambda user: services.add_speaker(user, w.item, w.dana_reg),
        "remove": lambda user: services.remove_speaker(user, speaker),
        "move": lambda user: services.move_speaker(user, speaker, 1, fresh(w.item).version),
        "start": lambda user: services.start_next(user, w.item),
        "stop": lambda user: services.stop_speaker(user, w.item),
        "close": lambda user: services.close_list(user, w.item),
        "rules": lambda user: services.set_balance_rules(user, w.item, first_time=True),
        "current": lambda user: services.set_current_item(user, w.conference, None),
        "message": lambda user: services.set_message(user, w.conference, "Pausa"),
    }
    before = snapshot(w.item)
    for user in (w.bob, w.carla, w.olga, w.nadia):  # carla chairs the Colombian meeting, not the conference
        with pytest.raises(PermissionDenied):
            calls[action](user)
    assert snapshot(w.item) == before


def test_it_runs_the_floor_start_next_stop_and_keeps_the_time(hall):
    w = hall
    services.update_item(w.alice, w.item, speaking_seconds=120, total_seconds=600)
    services.ask_to_speak(w.bob, w.item)
    services.ask_to_speak(w.dana, w.item)
    services.start_next(w.alice, w.item)
    bob = Speaker.objects.get(item=w.item, registration=w.bob_reg)
    assert bob.state == "speaking" and bob.started_at is not None and bob.limit_seconds == 120
    assert bob.ends_at is not None
    assert fresh(w.item).time_runs_out_at is not None
    services.start_next(w.alice, w.item)  # bob's speech ends, dana has the floor
    bob.refresh_from_db()
    assert bob.state == "done" and bob.finished_at is not None
    dana = Speaker.objects.get(item=w.item, registration=w.dana_reg)
    assert dana.state == "speaking"
    services.stop_speaker(w.alice, w.item)
    dana.refresh_from_db()
    assert dana.state == "done"
    assert fresh(w.item).time_runs_out_at is None
    with pytest.raises(ServiceError) as refused:
        services.start_next(w.alice, w.item)
    assert refused.value.code == "nobody_waiting"


def test_it_pauses_and_resumes_a_speech(hall):
    w = hall
    services.ask_to_speak(w.bob, w.item)
    services.start_next(w.alice, w.item)
    services.pause_speaker(w.alice, w.item)
    bob = Speaker.objects.get(item=w.item, registration=w.bob_reg)
    assert bob.state == "speaking" and bob.started_at is None and bob.ends_at is None
    with pytest.raises(ServiceError):
        services.pause_speaker(w.alice, w.item)
    services.resume_speaker(w.alice, w.item)
    bob.refresh_from_db()
    assert bob.started_at is not None and bob.ends_at is not None


def test_it_gives_the_floor_only_on_the_current_item(hall):
    w = hall
    other = item(w, title="Otro punto")
    services.ask_to_speak(w.bob, other)
    with pytest.raises(ServiceError) as refused:
        services.start_next(w.alice, other)
    assert refused.value.code == "not_current"


def test_it_refuses_to_change_the_current_item_while_someone_speaks(hall):
    w = hall
    other = item(w, title="Otro punto")
    services.ask_to_speak(w.bob, w.item)
    services.start_next(w.alice, w.item)
    with pytest.raises(ServiceError) as refused:
        services.set_current_item(w.alice, w.conference, other)
    assert refused.value.code == "speaking"
    services.stop_speaker(w.alice, w.item)
    assert services.set_current_item(w.alice, w.conference, other).current_item_id == other.pk


def test_it_withdraws_and_removes_waiting_speakers(hall):
    w = hall
    services.ask_to_speak(w.bob, w.item)
    dana = services.ask_to_speak(w.dana, w.item)
    services.withdraw(w.bob, w.item)
    assert waiting(w.item) == [(w.dana_reg.pk, "arrival")]
    services.remove_speaker(w.alice, dana)
    assert waiting(w.item) == []
    with pytest.raises(ServiceError):
        services.withdraw(w.bob, w.item)
    assert Speaker.objects.get(pk=dana.pk).state == "removed"
    services.ask_to_speak(w.bob, w.item)  # withdrawn: may ask again
    assert len(waiting(w.item)) == 1


def test_it_moves_a_speaker_and_keeps_the_chairs_order_for_new_requests(hall):
    w = hall
    services.ask_to_speak(w.bob, w.item)
    services.ask_to_speak(w.dana, w.item)
    eva = services.ask_to_speak(w.eva, w.item)
    services.move_speaker(w.alice, eva, 1, fresh(w.item).version)
    assert waiting(w.item) == [(w.eva_reg.pk, "chair"), (w.bob_reg.pk, "arrival"), (w.dana_reg.pk, "arrival")]
    services.ask_to_speak(w.guest, w.item)
    assert waiting(w.item)[-1] == (w.guest_reg.pk, "arrival")
    assert fresh(w.item).ordered_by_hand


def test_it_refuses_a_move_against_a_list_that_changed_meanwhile(hall):
    w = hall
    bob = services.ask_to_speak(w.bob, w.item)
    seen = fresh(w.item).version  # a chair's page drawn now
    services.ask_to_speak(w.dana, w.item)  # the list changes
    before = snapshot(w.item)
    for stale in (seen, None, "", "abc", -1, True):
        with pytest.raises(ServiceError) as refused:
            services.move_speaker(w.alice, bob, 2, stale)
        assert refused.value.code == "stale"
    assert snapshot(w.item) == before
    for bad_place in ("x", 0, -3, None):
        with pytest.raises(ServiceError) as refused:
            services.move_speaker(w.alice, bob, bad_place, fresh(w.item).version)
        assert refused.value.field == "place"
    assert snapshot(w.item) == before


def test_two_chairs_advancing_the_list_at_once_give_the_floor_once(hall):
    """Both chairs drew the console at the same version and press "next speaker": the second press is refused
    and changes nothing, so the second speaker is not skipped."""
    w = hall
    w.alice2, _ = add_participant(w, "ana@example.org", "Ana Coordinadora")
    w.alice2.is_coordinator = True
    w.alice2.save(update_fields=["is_coordinator"])
    services.ask_to_speak(w.bob, w.item)
    services.ask_to_speak(w.dana, w.item)
    seen = fresh(w.item).version
    services.start_next(w.alice, w.item, expected_version=seen)
    before = snapshot(w.item)
    with pytest.raises(ServiceError) as refused:
        services.start_next(w.alice2, w.item, expected_version=seen)
    assert refused.value.code == "stale"
    assert snapshot(w.item) == before
    assert Speaker.objects.get(item=w.item, state="speaking").registration_id == w.bob_reg.pk


def test_two_chairs_interleaving_a_move_and_a_removal_lose_neither(hall):
    w = hall
    services.ask_to_speak(w.bob, w.item)
    dana = services.ask_to_speak(w.dana, w.item)
    eva = services.ask_to_speak(w.eva, w.item)
    version = fresh(w.item).version
    services.remove_speaker(w.alice, dana, expected_version=version)  # the first chair
    with pytest.raises(ServiceError):  # the second chair's form was drawn before the removal
        services.move_speaker(w.alice, eva, 1, version)
    services.move_speaker(w.alice, eva, 1, fresh(w.item).version)  # looked again, moved
    assert waiting(w.item) == [(w.eva_reg.pk, "chair"), (w.bob_reg.pk, "arrival")]
    assert Speaker.objects.get(pk=dana.pk).state == "removed"
    positions = list(Speaker.objects.filter(item=w.item, state="waiting").values_list("position", flat=True))
    assert sorted(positions) == [1, 2]


def test_it_applies_the_balance_rules_and_shows_why(hall):
    w = hall
    services.ask_to_speak(w.bob, w.item, gender="man")
    services.start_next(w.alice, w.item)
    services.stop_speaker(w.alice, w.item)  # bob (CO, man) has spoken
    services.ask_to_speak(w.bob, w.item, gender="man")
    services.ask_to_speak(w.eva, w.item, gender="man")  # CO
    services.ask_to_speak(w.dana, w.item, gender="woman")  # MX
    assert [r for r, _ in waiting(w.item)] == [w.bob_reg.pk, w.eva_reg.pk, w.dana_reg.pk]
    services.set_balance_rules(w.alice, w.item, first_time=True)
    assert waiting(w.item)[0] == (w.eva_reg.pk, "first_time")
    services.set_balance_rules(w.alice, w.item, gender=True)
    assert waiting(w.item)[0] == (w.dana_reg.pk, "gender")
    services.set_balance_rules(w.alice, w.item, country=True)
    assert waiting(w.item)[0] == (w.dana_reg.pk, "country")


def test_it_announces_every_change_after_commit(hall, django_capture_on_commit_callbacks):
    from convoca.core import events

    w = hall
    seen = []
    unsubscribe = events.subscribe(f"gathering:{w.conference.pk}", lambda _id, event: seen.append(event["kind"]))
    try:
        with django_capture_on_commit_callbacks(execute=True):
            services.ask_to_speak(w.bob, w.item)
            services.start_next(w.alice, w.item)
            services.set_message(w.alice, w.conference, "Pausa de 10 minutos")
    finally:
        unsubscribe()
    assert seen == ["speakers.changed", "speakers.changed", "message.changed"]


def test_it_says_not_found_for_a_speaker_of_another_item(hall):
    w = hall
    other = item(w, title="Otro punto")
    stranger = services.ask_to_speak(w.bob, other)
    with pytest.raises(NotFound):
        services.start_next(w.alice, w.item, speaker=stranger.pk)
