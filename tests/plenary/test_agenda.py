"""The agenda through the services: sessions and their video rooms, items and what they link to, the
programme, the current item, the chair's message, remote participants and the screens of the hall."""

import datetime as dt

import pytest
from django.utils import timezone

from convoca.core.errors import PermissionDenied, ServiceError
from convoca.gatherings.models import Registration
from convoca.plenary import queries, services
from convoca.plenary.models import AgendaItem, Projector, RemoteAttendance, Session
from convoca.texts import queries as text_queries
from tests.plenary.helpers import add_participant, fresh, item, session
from tests.voting.helpers import new_poll


def test_it_builds_a_video_room_per_session_on_the_configured_server(world, settings):
    settings.PLENARY_JITSI_URL = "https://video.example.org/"
    morning, afternoon = session(world), session(world, title="Tarde")
    assert morning.video_link.startswith("https://video.example.org/convoca-")
    assert morning.video_link != afternoon.video_link
    own = session(world, title="Con sala propia", video_url="https://rooms.example.net/plenaria")
    assert own.video_link == "https://rooms.example.net/plenaria"
    settings.PLENARY_JITSI_URL = ""
    assert fresh(morning).video_link == ""


@pytest.mark.parametrize("values", [
    {"title": ""}, {"title": "x" * 201}, {"video_url": "javascript:alert(1)"},
    {"ends_at": "tomorrow"}, {"original_language": "klingon"},
])
def test_it_refuses_a_bad_session_and_writes_nothing(world, values):
    start = timezone.now() + dt.timedelta(days=1)
    base = {"title": "Mañana", "starts_at": start, "ends_at": start + dt.timedelta(hours=2)}
    with pytest.raises(ServiceError) as refused:
        services.create_session(world.alice, world.conference, **{**base, **values})
    assert refused.value.field
    assert not Session.objects.exists()


def test_it_refuses_a_session_ending_before_it_starts(world):
    start = timezone.now()
    with pytest.raises(ServiceError) as refused:
        services.create_session(world.alice, world.conference, title="Al revés", starts_at=start, ends_at=start)
    assert refused.value.field == "ends_at"


def test_it_adds_items_in_order_and_keeps_their_title_translatable(world):
    first = item(world, publish=False)
    second = item(world, publish=False, title="Debate de la declaración", original_language="es")
    assert (first.position, second.position) == (1, 2)
    services.update_item(world.alice, second, title="Debate del borrador")
    assert fresh(second).text_revision == 2
    assert text_queries.queue(gathering_id=world.conference.pk).count() >= 6  # 2 items x 3 other languages


def test_it_links_an_item_to_a_proposal_or_poll_of_its_own_gathering_only(world):
    poll_here = new_poll(world)
    poll_elsewhere = new_poll(world, world.prep_co, title="¿Otra?")
    linked = item(world, publish=False, poll=poll_here.pk)
    assert linked.poll == poll_here
    for values in ({"poll": poll_elsewhere.pk}, {"poll": "abc"}, {"proposal": 10**9}, {"session": -1}):
        with pytest.raises(ServiceError) as refused:
            services.create_item(world.alice, world.conference, title="Mal enlazado", **values)
        assert refused.value.field in values
    assert AgendaItem.objects.count() == 1


@pytest.mark.parametrize("values", [
    {"title": "  "}, {"duration_minutes": 0}, {"duration_minutes": "a"}, {"speaking_seconds": -1},
    {"total_seconds": 10**9}, {"position": 0},
])
def test_it_refuses_bad_item_values(world, values):
    with pytest.raises(ServiceError) as refused:
        services.create_item(world.alice, world.conference, **{"title": "Punto", **values})
    assert refused.value.field == next(iter(values))
    assert not AgendaItem.objects.exists()


def test_only_chairs_edit_the_agenda(world):
    for user in (world.bob, world.carla, world.nadia, world.tomas):
        with pytest.raises(PermissionDenied):
            services.create_item(user, world.conference, title="Intruso")
        with pytest.raises(PermissionDenied):
            services.publish_programme(user, world.conference)
    assert services.create_item(world.carla, world.prep_co, title="Apertura").gathering == world.prep_co


def test_it_sets_the_current_item_with_optimistic_versions(world):
    first, second = item(world), item(world, title="Segundo")
    plenary = services.set_current_item(world.alice, world.conference, first)
    seen = plenary.version
    services.set_current_item(world.alice, world.conference, second, expected_version=seen)
    with pytest.raises(ServiceError) as refused:
        services.set_current_item(world.alice, world.conference, first, expected_version=seen)
    assert refused.value.code == "stale"
    assert queries.plenary_row(world.conference).current_item_id == second.pk
    elsewhere = item(world, world.prep_co, title="Apertura")
    with pytest.raises(ServiceError):
        services.set_current_item(world.alice, world.conference, elsewhere)


def test_it_keeps_the_chairs_message_short(world):
    services.set_message(world.alice, world.conference, "  Pausa   de 10 minutos ")
    assert queries.plenary_row(world.conference).message == "Pausa de 10 minutos"
    with pytest.raises(ServiceError):
        services.set_message(world.alice, world.conference, "x" * 301)


def test_it_admits_a_remote_delegate_who_then_counts_as_present(world):
    from convoca.voting import services as voting_services

    w = world
    remote_user, remote_reg = add_participant(w, "rosa@example.org", "Rosa Remota", organisation=w.org_mx)
    services.admit_remote(w.alice, remote_reg)
    services.admit_remote(w.alice, remote_reg)  # twice: nothing more
    remote_reg.refresh_from_db()
    assert remote_reg.checked_in_at is not None
    assert RemoteAttendance.objects.filter(registration=remote_reg).count() == 1
    poll = new_poll(w, electorate="present")
    voting_services.open_poll(w.alice, poll)
    assert remote_user.has_perm("voting.vote", poll)
    assert not w.bob.has_perm("voting.vote", poll)  # bob is accredited but neither here nor admitted remotely
    speaker = services.ask_to_speak(remote_user, item(w, current=True))
    assert speaker.remote


def test_it_refuses_to_admit_remotely_someone_not_accredited_or_by_a_non_chair(world):
    with pytest.raises(ServiceError):
        services.admit_remote(world.alice, world.olga_reg)
    with pytest.raises(PermissionDenied):
        services.admit_remote(world.bob, world.bob_reg)
    assert not RemoteAttendance.objects.exists()
    assert Registration.objects.get(pk=world.bob_reg.pk).checked_in_at is None


def test_a_screen_opens_with_its_secret_address_and_only_the_digest_is_kept(world):
    projector, token = services.create_projector(world.alice, world.conference, "Sala principal")
    assert token not in projector.token_hash
    assert queries.projector_for_token(token) == projector
    _, renewed = services.renew_projector(world.alice, projector)
    assert queries.projector_for_token(token) is None
    assert queries.projector_for_token(renewed) == projector
    altered = renewed[:-1] + ("B" if renewed.endswith("A") else "A")  # one character off (never the same token)
    for wrong in ("", "short", None, "x" * 500, altered):
        assert queries.projector_for_token(wrong) is None
    with pytest.raises(PermissionDenied):
        services.create_projector(world.bob, world.conference, "Pirata")
    with pytest.raises(ServiceError):
        services.create_projector(world.alice, world.conference, "")
    services.delete_projector(world.alice, projector)
    assert not Projector.objects.exists()


def test_a_persons_requests_to_speak_are_in_their_data_and_erasure_forgets_the_declared_gender(world):
    from convoca.core import data_rights
    from convoca.plenary.models import Speaker

    hall = item(world, current=True)
    services.ask_to_speak(world.bob, hall, gender="man")
    held = data_rights.export(world.bob_person)["plenary"]
    assert held["requests_to_speak"][0]["gender"] == "man" and held["requests_to_speak"][0]["item"] == hall.title
    assert data_rights.export(world.nadia_person).get("plenary") is None
    data_rights.erase(world.bob_person)
    assert Speaker.objects.get(item=hall).gender == ""
