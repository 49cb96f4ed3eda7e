"""Importing registrations to a gathering: person email + gathering + role
(+ organisation for delegates)."""

import pytest

from convoca.core.errors import ServiceError
from convoca.gatherings.models import Registration
from convoca.imports import services
from convoca.network.models import Membership, Person

from .helpers import csv_bytes


def _run(world, rows, gathering=None):
    return services.run_import(world.alice, "registrations", csv_bytes(rows), gathering)


def test_it_registers_people_to_the_chosen_gathering(world):
    rows = [["correo", "rol", "organización"], ["nadia@example.org", "Delegada", "Sindicato Andino"],
            ["TOMAS@example.org", "observador", ""]]
    preview, result = _run(world, rows, world.prep_co)
    assert (result.created, result.people) == (2, 0)
    nadia = Registration.objects.get(gathering=world.prep_co, person=world.nadia_person)
    assert (nadia.role, nadia.organisation, nadia.status, nadia.mandate) == (
        "delegate", world.org_co, "requested", "pending")
    tomas = Registration.objects.get(gathering=world.prep_co, person=world.tomas_person)
    assert (tomas.role, tomas.organisation, tomas.mandate) == ("observer", None, "not_required")
    assert Membership.objects.filter(person=world.nadia_person, organisation=world.org_co).exists()


def test_it_takes_the_gathering_from_a_column_by_slug(world):
    rows = [["email", "gathering", "role"], ["nadia@example.org", "prep-mx", "guest"],
            ["nadia@example.org", "PREP-CO", "invitée"]]
    _preview, result = _run(world, rows)
    assert result.created == 2
    assert set(Registration.objects.filter(person=world.nadia_person).values_list("gathering__slug", flat=True)) == {
        "prep-mx", "prep-co"}


def test_it_refuses_when_no_gathering_is_chosen_or_named(world):
    with pytest.raises(ServiceError) as exc:
        _run(world, [["email", "role"], ["nadia@example.org", "guest"]])
    assert exc.value.field == "gathering"


def test_it_reports_an_unknown_gathering_slug(world):
    rows = [["correo", "encuentro", "rol"], ["nadia@example.org", "no-such-meeting", "observador"]]
    preview = services.preview_import(world.alice, "registrations", csv_bytes(rows))
    assert [str(p) for p in preview.problems] == ["Row 2, column encuentro: unknown gathering “no-such-meeting”"]


def test_it_refuses_an_unknown_gathering_given_for_the_whole_file(world):
    with pytest.raises(ServiceError):
        _run(world, [["email", "role"], ["nadia@example.org", "guest"]], "no-such-meeting")


def test_it_adds_people_named_in_the_same_file_once(world):
    rows = [["correo", "nombre", "encuentro", "rol", "organización", "país"],
            ["lu@example.org", "Lucía", "prep-co", "delegada", "Sindicato Andino", "Colombia"],
            ["LU@example.org", "Lucía", "conferencia", "delegada", "Sindicato Andino", "Colombia"]]
    preview, result = _run(world, rows)
    assert (result.created, result.people, result.memberships) == (2, 1, 1)
    lucia = Person.objects.get(email="lu@example.org")
    assert lucia.registrations.count() == 2
    assert list(lucia.organisations.all()) == [world.org_co]


def test_it_needs_a_name_for_someone_not_in_the_registry(world):
    rows = [["correo", "rol"], ["stranger@example.org", "observador"]]
    preview = services.preview_import(world.alice, "registrations", csv_bytes(rows), world.conference)
    assert [str(p) for p in preview.problems] == [
        "Row 2, column correo: this email is not in the registry yet, and a new person needs a name"]


def test_it_requires_an_organisation_for_delegates(world):
    rows = [["correo", "rol", "organización"], ["nadia@example.org", "delegado", ""]]
    preview = services.preview_import(world.alice, "registrations", csv_bytes(rows), world.prep_co)
    assert [str(p) for p in preview.problems] == ["Row 2, column organización: a delegate needs an organisation"]


def test_it_reports_unknown_roles_and_duplicate_registrations(world):
    rows = [["correo", "rol"], ["nadia@example.org", "presidente"], ["tomas@example.org", "guest"],
            ["Tomas@example.org", "observer"]]
    preview = services.preview_import(world.alice, "registrations", csv_bytes(rows), world.prep_co)
    messages = [str(p) for p in preview.problems]
    assert messages[0].startswith("Row 2, column rol: unknown role “presidente” (use one of: Delegate")
    assert messages[1] == "Row 4, column correo: the same person and gathering as row 3"


def test_it_skips_existing_registrations_and_leaves_decided_ones_alone(world):
    rows = [["correo", "rol", "organización"],
            ["bob@example.org", "observer", ""],  # accredited delegate: not changed
            ["olga@example.org", "observer", ""]]  # already registered as observer
    preview, result = _run(world, rows, world.conference)
    assert (result.created, result.updated, result.skipped) == (0, 0, 2)
    assert "already accredited" in preview.plans[0].note
    world.bob_reg.refresh_from_db()
    assert (world.bob_reg.role, world.bob_reg.status) == ("delegate", "accredited")


def test_it_updates_a_registration_still_waiting_for_accreditation(world):
    rows = [["correo", "rol", "organización"], ["olga@example.org", "delegate", "Red Migrante del Norte"]]
    preview, result = _run(world, rows, world.conference)
    assert result.updated == 1
    world.olga_reg.refresh_from_db()
    assert (world.olga_reg.role, world.olga_reg.organisation, world.olga_reg.mandate) == (
        "delegate", world.org_mx, "pending")
