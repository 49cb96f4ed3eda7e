"""Bulk actions over registrations through the API (token and session) and the ``bulk-registrations`` command:
the same service as the list page (``bulk.act_on_ids``), the same rules, a summary row by row; bad input is a
clear error that writes nothing (issue 11)."""

import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from convoca.accounts.models import Invitation
from convoca.audit.models import Entry
from convoca.gatherings.bulk import MAX_ROWS
from convoca.gatherings.models import Registration
from convoca.network.models import Person

from .helpers import delegate, observer, snapshot
from .test_api import bearer, post

BULK = "/api/v1/gatherings/{}/registrations/bulk"


def _statuses(gathering):
    return dict(Registration.objects.filter(gathering=gathering).values_list("pk", "status"))


@pytest.fixture
def rows(world):
    """At Mexico's meeting: a Mexican delegate whose mandate is pending, a Colombian delegate (pending too),
    an observer; at Colombia's: an observer."""
    class Rows:
        pass

    r = Rows()
    r.mx_pending = delegate(world, world.prep_mx, Person.objects.create(display_name="Luis Pérez"), world.org_mx)
    r.co_pending = delegate(world, world.prep_mx, Person.objects.create(display_name="María Gómez"), world.org_co)
    r.watcher = observer(world.prep_mx, Person.objects.create(display_name="Rosa Luna"))
    r.co_meeting = observer(world.prep_co, Person.objects.create(display_name="Juan Ruiz"))
    return r


# --- API ----------------------------------------------------------------------------------------


def test_it_bulk_accredits_with_a_token_and_says_row_by_row_what_it_refused(client, world, rows):
    ids = [rows.mx_pending.pk, rows.watcher.pk, rows.co_meeting.pk, 99999999]
    response = post(client, BULK.format("prep-mx"), {"action": "accredit", "ids": ids}, **bearer(world.marco))
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["action"] == "accredit" and body["done"] == 1 and body["refused"] == 3
    by_id = {row["id"]: row for row in body["rows"]}
    assert [row["id"] for row in body["rows"]] == [rows.mx_pending.pk, rows.watcher.pk, rows.co_meeting.pk, 99999999]
    assert by_id[rows.watcher.pk] == {"id": rows.watcher.pk, "done": True, "code": None, "reason": None}
    assert by_id[rows.mx_pending.pk]["code"] == "mandate_not_confirmed"
    assert "until the organisation confirms the mandate" in by_id[rows.mx_pending.pk]["reason"]
    assert by_id[rows.co_meeting.pk]["code"] == "not_found"  # a row of another gathering
    assert by_id[99999999]["reason"] == "Not found among the registrations of this gathering."
    assert _statuses(world.prep_mx)[rows.watcher.pk] == "accredited"
    assert _statuses(world.prep_mx)[rows.mx_pending.pk] == "requested"
    assert _statuses(world.prep_co)[rows.co_meeting.pk] == "requested"
    assert Entry.objects.filter(action="registration.accredited", actor_id=world.marco.pk).count() == 1
    again = post(client, BULK.format("prep-mx"), {"action": "accredit", "ids": [rows.watcher.pk]},
                 **bearer(world.marco, "t" * 40)).json()
    assert again["done"] == 0 and again["rows"][0]["code"] == "unchanged"  # a retry changes nothing


def test_a_committee_s_mandates_of_another_country_are_refused_per_row(client, world, rows):
    body = post(client, BULK.format("prep-mx"), {
        "action": "confirm_mandate", "ids": [rows.mx_pending.pk, rows.co_pending.pk],
    }, **bearer(world.marco)).json()
    assert body["done"] == 1 and body["refused"] == 1
    refused = body["rows"][1]
    assert refused["id"] == rows.co_pending.pk and refused["code"] == "forbidden"
    assert "Only the organisation's contact person, its national committee or a coordinator" in refused["reason"]
    mandates = dict(Registration.objects.values_list("pk", "mandate"))
    assert mandates[rows.mx_pending.pk] == "confirmed" and mandates[rows.co_pending.pk] == "pending"


def test_a_committee_cannot_bulk_act_on_another_country_s_meeting(client, world, rows):
    before = snapshot()
    response = post(client, BULK.format("prep-co"), {"action": "accredit", "ids": [rows.co_meeting.pk]},
                    **bearer(world.marco))
    assert response.status_code == 403 and response.json()["code"] == "forbidden"
    assert snapshot() == before


def test_it_refuses_with_one_reason_through_the_session(as_user, world, rows):
    client = as_user(world.carla)
    response = post(client, BULK.format("prep-co"), {
        "action": "refuse", "reason": "  Sin cupo en la sala ", "ids": [rows.co_meeting.pk],
    })
    assert response.status_code == 200, response.content
    assert response.json()["done"] == 1
    rows.co_meeting.refresh_from_db()
    assert rows.co_meeting.status == "refused" and rows.co_meeting.refusal_reason == "Sin cupo en la sala"


def test_a_coordinator_bulk_invites_and_a_committee_may_not(client, world):
    with_email = observer(world.conference, Person.objects.create(display_name="Ana", email="ana@example.org"))
    body = post(client, BULK.format("conferencia"), {
        "action": "invite", "ids": [with_email.pk, world.olga_reg.pk],
    }, **bearer(world.alice)).json()
    assert body["done"] == 1 and "already has an account" in body["rows"][1]["reason"]
    assert Invitation.objects.get().email == "ana@example.org"
    reg = observer(world.prep_co, Person.objects.create(display_name="Juan", email="juan@example.org"))
    response = post(client, BULK.format("prep-co"), {"action": "invite", "ids": [reg.pk]},
                    **bearer(world.carla, "c" * 40))
    assert response.status_code == 403 and Invitation.objects.count() == 1


@pytest.mark.parametrize("payload, field", [
    ({"action": "accredit", "ids": []}, "ids"),
    ({"action": "accredit"}, "ids"),
    ({"action": "accredit", "ids": "1,2"}, "ids"),
    ({"action": "accredit", "ids": ["1"]}, "ids"),
    ({"action": "accredit", "ids": [1.5]}, "ids"),
    ({"action": "accredit", "ids": [True]}, "ids"),
    ({"action": "accredit", "ids": {"a": 1}}, "ids"),
    ({"action": "accredit", "ids": list(range(1, MAX_ROWS + 2))}, "ids"),
    ({"action": "delete", "ids": ["OLGA"]}, "action"),
    ({"ids": ["OLGA"]}, "action"),
    ({"action": ["accredit"], "ids": ["OLGA"]}, "action"),
    ({"action": "refuse", "ids": ["OLGA"]}, "reason"),
    ({"action": "refuse", "reason": "   ", "ids": ["OLGA"]}, "reason"),
    ({"action": "refuse", "reason": "x" * 1001, "ids": ["OLGA"]}, "reason"),
    ({"action": "refuse", "reason": 12, "ids": ["OLGA"]}, "reason"),
], ids=["empty", "no_ids", "string_ids", "text_id", "float_id", "bool_id", "object_ids", "too_many",
        "unknown_action", "no_action", "list_action", "refuse_without_reason", "blank_reason", "long_reason",
        "number_reason"])
def test_bad_input_is_a_400_naming_the_field_and_writes_nothing(client, world, payload, field):
    payload = {**payload}
    if payload.get("ids") == ["OLGA"]:
        payload["ids"] = [world.olga_reg.pk]
    before = snapshot()
    response = post(client, BULK.format("conferencia"), payload, **bearer(world.alice))
    assert response.status_code == 400, response.content
    assert response.json()["field"] == field and response.json()["detail"]
    assert snapshot() == before and not Entry.objects.filter(action__startswith="registration.").exists()


def test_the_limit_is_said_in_the_error(client, world):
    response = post(client, BULK.format("conferencia"), {"action": "accredit", "ids": list(range(1, MAX_ROWS + 2))},
                    **bearer(world.alice))
    assert response.json()["detail"] == f"At most {MAX_ROWS} registrations at once: narrow the filter."
    assert response.json()["code"] == "too_many"


def test_ids_out_of_range_are_not_found_rows(client, world):
    body = post(client, BULK.format("conferencia"), {"action": "accredit", "ids": [0, -5, 2**70, world.olga_reg.pk]},
                **bearer(world.alice)).json()
    codes = {row["id"]: row["code"] for row in body["rows"]}
    assert body["done"] == 1 and codes == {world.olga_reg.pk: None, 0: "not_found", -5: "not_found",
                                           2**70: "not_found"}
    assert _statuses(world.conference)[world.olga_reg.pk] == "accredited"


def test_unknown_gathering_anonymous_observer_and_plain_member_are_refused(client, world):
    before = snapshot()
    payload = {"action": "accredit", "ids": [world.olga_reg.pk]}
    assert post(client, BULK.format("nope"), payload, **bearer(world.alice)).status_code == 404
    assert post(client, BULK.format("conferencia"), payload).status_code == 401
    for user, raw in ((world.olga, "o" * 40), (world.bob, "b" * 40), (world.nadia, "n" * 40), (world.carla, "c" * 40)):
        response = post(client, BULK.format("conferencia"), payload, **bearer(user, raw))
        assert response.status_code == 403, user
        assert response.json()["detail"] == "Only the organisers of this gathering can see its registrations."
    assert snapshot() == before


def test_a_session_must_have_proved_the_second_factor_lately(world):
    from django.test import Client

    client = Client()
    client.force_login(world.alice)  # no second factor proved in this session
    before = snapshot()
    response = post(client, BULK.format("conferencia"), {"action": "accredit", "ids": [world.olga_reg.pk]})
    assert response.status_code == 403 and response.json()["code"] == "second_factor_required"
    assert snapshot() == before


def test_the_answer_is_in_the_caller_s_language(client, world):
    body = post(client, BULK.format("conferencia"), {"action": "accredit", "ids": [999999]},
                HTTP_ACCEPT_LANGUAGE="es", **bearer(world.alice)).json()
    assert body["rows"][0]["reason"] != "Not found among the registrations of this gathering."


# --- CLI ----------------------------------------------------------------------------------------


def _run(*args, stdin=None):
    out = io.StringIO()
    call_command("bulk-registrations", *args, stdout=out, stdin=stdin)
    return out.getvalue()


def test_the_command_bulk_accredits_and_prints_the_refused_rows(world, rows):
    out = _run("prep-mx", "accredit", str(rows.mx_pending.pk), f"{rows.watcher.pk},{rows.co_meeting.pk}",
               "--as", "MARCO@example.org")
    assert f"No. {rows.mx_pending.pk}: A delegate cannot be accredited" in out
    assert f"No. {rows.co_meeting.pk}: Not found among the registrations of this gathering." in out
    assert "Done for 1 of 3 registrations; 2 refused." in out
    assert _statuses(world.prep_mx)[rows.watcher.pk] == "accredited"
    assert _statuses(world.prep_co)[rows.co_meeting.pk] == "requested"


def test_the_command_refuses_another_country_s_mandates_per_row_and_prints_json(world, rows):
    out = _run("prep-mx", "confirm_mandate", str(rows.mx_pending.pk), str(rows.co_pending.pk), "--as",
               "marco@example.org", "--json")
    body = json.loads(out)
    assert body["done"] == 1 and [r["code"] for r in body["rows"]] == [None, "forbidden"]


def test_the_command_reads_ids_from_standard_input_and_refuses_with_a_reason(world, rows):
    ids = io.StringIO(f"{rows.co_meeting.pk}\n")
    out = _run("prep-co", "refuse", "-", "--as", "carla@example.org", "--reason", "Sin cupo", stdin=ids)
    assert "Done for 1 of 1 registration; 0 refused." in out
    rows.co_meeting.refresh_from_db()
    assert rows.co_meeting.status == "refused" and rows.co_meeting.refusal_reason == "Sin cupo"


@pytest.mark.parametrize("args, message", [
    (["prep-mx", "accredit", "--as", "marco@example.org"], "Give the numbers of the registrations to act on."),
    (["prep-mx", "accredit", "12a", "--as", "marco@example.org"], "“12a” is not the number of a registration."),
    (["prep-mx", "accredit", "-3", "--as", "marco@example.org"], "is not the number of a registration."),
    (["prep-mx", "launch", "1", "--as", "marco@example.org"], "Choose what to do with the rows."),
    (["prep-mx", "refuse", "1", "--as", "marco@example.org"], "Give the reason for the refusal."),
    (["prep-mx", "accredit", "1", "--as", "nobody@example.org"], "There is no account with the email"),
    (["nope", "accredit", "1", "--as", "marco@example.org"], "There is no gathering with this short name."),
    (["prep-co", "accredit", "1", "--as", "marco@example.org"], "Only the organisers of this gathering"),
    (["conferencia", "accredit", "1", "--as", "olga@example.org"], "Only the organisers of this gathering"),
    (["prep-co", "invite", "1", "--as", "carla@example.org"], "Only coordinators can invite people."),
    (["conferencia", "accredit", *[str(i) for i in range(1, MAX_ROWS + 2)], "--as", "alice@example.org"],
     "At most"),
], ids=["no_ids", "word_id", "negative_id", "unknown_action", "no_reason", "unknown_account", "unknown_gathering",
        "other_country", "observer", "committee_invites", "too_many"])
def test_the_command_s_bad_input_is_an_error_that_writes_nothing(world, rows, args, message):
    before = snapshot()
    with pytest.raises(CommandError, match=message.replace(".", r"\.")):
        _run(*args)
    assert snapshot() == before
