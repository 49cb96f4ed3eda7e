"""Registering many people at once (imports): the rules of ``register``, every
problem by row, all or nothing, a bounded number of queries."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from convoca.accounts.models import User
from convoca.core.bulk import CREATE, SKIP, UPDATE, RowProblems
from convoca.core.errors import PermissionDenied, ServiceError
from convoca.gatherings import services
from convoca.gatherings.models import Registration
from convoca.imports import services as imports
from convoca.network.models import Membership, Organisation, Person, Sector
from tests.imports.helpers import csv_bytes

from .helpers import snapshot


def refused(call, *args, **kwargs):
    before = snapshot(), list(Membership.objects.order_by("pk").values_list("person_id", "organisation_id"))
    with pytest.raises(RowProblems) as info:
        call(*args, **kwargs)
    assert (snapshot(), list(Membership.objects.order_by("pk").values_list("person_id", "organisation_id"))) == before
    return info.value


def fresh(user):
    return User.objects.get(pk=user.pk)


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def test_it_registers_with_the_mandates_of_register_and_adds_the_membership(world):
    plan = services.bulk_register(world.alice, world.prep_co, [
        {"person": world.nadia_person, "role": "delegate", "organisation": world.org_co},
        {"person": world.tomas_person, "role": "observer", "organisation": None},
    ])
    nadia = Registration.objects.get(gathering=world.prep_co, person=world.nadia_person)
    assert (nadia.role, nadia.organisation, nadia.status, nadia.mandate) == (
        "delegate", world.org_co, "requested", "pending")
    tomas = Registration.objects.get(gathering=world.prep_co, person=world.tomas_person)
    assert (tomas.role, tomas.organisation, tomas.mandate) == ("observer", None, "not_required")
    # register() takes only members as delegates; an organiser's list makes nadia one.
    assert Membership.objects.filter(person=world.nadia_person, organisation=world.org_co).exists()
    assert [o.action for o in plan.outcomes] == [CREATE, CREATE] and plan.outcomes[0].record == nadia
    assert len(plan.memberships) == 1


def test_it_takes_the_gathering_of_each_row(world):
    services.bulk_register(world.alice, None, [
        {"gathering": world.prep_mx, "person": world.nadia_person, "role": "guest"},
        {"gathering": world.conference, "person": world.nadia_person, "role": "guest"},
    ])
    assert set(Registration.objects.filter(person=world.nadia_person).values_list("gathering__slug", flat=True)) == {
        "prep-mx", "conferencia"}


def test_it_changes_a_requested_registration_and_leaves_decided_ones_alone(world):
    world.olga_reg.mandate, world.olga_reg.mandate_decided_by = Registration.Mandate.CONFIRMED, world.alice
    world.olga_reg.save(update_fields=["mandate", "mandate_decided_by"])
    plan = services.bulk_register(world.alice, world.conference, [
        {"person": world.olga_person, "role": "delegate", "organisation": world.org_mx},  # requested
        {"person": world.bob_person, "role": "observer"},  # accredited
    ])
    assert [(o.action, o.reason) for o in plan.outcomes] == [(UPDATE, ""), (SKIP, "decided")]
    world.olga_reg.refresh_from_db()
    # A mandate confirmed for one role or organisation does not carry over to another.
    assert (world.olga_reg.role, world.olga_reg.organisation, world.olga_reg.mandate,
            world.olga_reg.mandate_decided_by) == ("delegate", world.org_mx, "pending", None)
    world.bob_reg.refresh_from_db()
    assert (world.bob_reg.role, world.bob_reg.status, world.bob_reg.mandate) == ("delegate", "accredited", "confirmed")


def test_it_skips_a_registration_that_is_already_as_the_row_says(world):
    plan = services.bulk_register(world.alice, world.conference, [{"person": world.olga_person, "role": "observer"}])
    assert [(o.action, o.reason) for o in plan.outcomes] == [(SKIP, "unchanged")]


def test_it_refuses_a_delegate_of_a_foreign_organisation_at_a_national_meeting_as_register_does(world):
    """One rule, two paths: register() and an import refuse the same row with the same words."""
    Membership.objects.create(person=world.nadia_person, organisation=world.org_mx)
    with pytest.raises(ServiceError) as single:
        services.register(world.nadia, world.prep_co, role="delegate", organisation=world.org_mx)
    [problem] = refused(services.bulk_register, world.alice, world.prep_co, [
        {"person": world.tomas_person, "role": "observer"},
        {"person": world.nadia_person, "role": "delegate", "organisation": world.org_mx}]).problems
    assert (problem.row, problem.field, problem.code) == (2, "organisation", single.value.code) == (
        2, "organisation", "wrong_country")
    assert str(problem.message) == str(single.value.message)

    rows = [["correo", "rol", "organización"], ["tomas@example.org", "observador", ""],
            ["nadia@example.org", "delegada", "Red Migrante del Norte"]]
    before = snapshot()
    preview = imports.preview_import(world.alice, "registrations", csv_bytes(rows), world.prep_co)
    assert [str(p) for p in preview.problems] == [
        f"Row 3, column organización: {single.value.message}"]
    assert str(single.value.message) == "Delegates to this national meeting represent organisations from Colombia."
    with pytest.raises(imports.ImportProblems):
        imports.run_import(world.alice, "registrations", csv_bytes(rows), world.prep_co)
    assert snapshot() == before


@pytest.mark.parametrize("row, field, message", [
    ({"person": "nadia", "role": "delegate"}, "organisation", "a delegate needs an organisation"),
    ({"person": "nadia", "role": "president"}, "role", "Choose one of: Delegate, Observer"),
    ({"person": "nadia", "role": None}, "role", "Choose one of"),
    ({"person": None, "role": "guest"}, "person", "Choose a person."),
], ids=["delegate without organisation", "unknown role", "no role", "no person"])
def test_it_refuses_bad_rows_and_writes_nothing(world, row, field, message):
    row = {**row, "person": world.nadia_person if row["person"] else None}
    error = refused(services.bulk_register, world.alice, world.prep_co, [
        {"person": world.tomas_person, "role": "guest"}, row])
    [problem] = error.problems
    assert (problem.row, problem.field) == (2, field) and message in str(problem.message)


def test_it_refuses_the_same_person_twice_in_a_gathering(world):
    rows = [{"person": world.nadia_person, "role": "guest"}, {"person": world.tomas_person, "role": "guest"},
            {"person": world.nadia_person, "role": "observer", "row": 12}]
    [problem] = refused(services.bulk_register, world.alice, world.prep_mx, rows).problems
    assert (problem.row, problem.field, problem.code) == (12, "person", "duplicate")
    assert str(problem.message) == "the same person and gathering as row 1"


def test_it_refuses_people_who_do_not_manage_the_gathering(world):
    rows = [{"person": world.nadia_person, "role": "observer"}]
    services.bulk_register(world.carla, world.prep_co, rows)  # the committee of its own meeting
    for user, gathering in ((world.carla, world.prep_mx), (world.carla, world.conference), (world.nadia, world.prep_co)):
        with pytest.raises(PermissionDenied):
            services.bulk_register(user, gathering, [{"person": world.tomas_person, "role": "observer"}])
    # A delegate row would add a membership: that is coordinators' business.
    with pytest.raises(PermissionDenied):
        services.bulk_register(world.carla, world.prep_co, [
            {"person": world.tomas_person, "role": "delegate", "organisation": world.org_co}])
    assert not Registration.objects.filter(person=world.tomas_person).exists()


def test_it_plans_for_people_not_created_yet_without_writing(world):
    from convoca.network.services import NewPerson

    newcomer = NewPerson({"email": "new@example.org", "display_name": "New"})
    before = snapshot()
    plan = services.plan_registrations(world.alice, world.prep_co, [
        {"person": newcomer, "role": "delegate", "organisation": world.org_co},
        {"person": newcomer, "role": "guest", "gathering": world.conference}])
    assert [o.action for o in plan.outcomes] == [CREATE, CREATE] and len(plan.memberships) == 1
    assert snapshot() == before
    with pytest.raises(TypeError):
        services.bulk_register(world.alice, world.prep_co, [{"person": newcomer, "role": "guest"}])


def test_it_costs_the_same_queries_for_one_and_three_rows(world, django_assert_num_queries):
    people = [Person.objects.create(display_name=f"P {i}", email=f"p{i}@example.org") for i in range(4)]
    other = Organisation.objects.create(name="Otra", country="CO", sector=Sector.OTHER)
    Registration.objects.create(gathering=world.prep_co, person=world.tomas_person, role="observer")

    def rows(chosen, requested):  # new delegates (and their memberships) and a requested registration changed
        return [{"person": person, "role": "delegate", "organisation": other} for person in chosen] + [requested]

    with CaptureQueriesContext(connection) as one:
        services.bulk_register(fresh(world.alice), world.prep_co, rows(
            people[:1], {"person": world.olga_person, "role": "guest", "gathering": world.conference}))
    with django_assert_num_queries(len(one)):
        plan = services.bulk_register(fresh(world.alice), world.prep_co, rows(
            people[1:], {"person": world.tomas_person, "role": "guest"}))
    assert [o.action for o in plan.outcomes] == [CREATE, CREATE, CREATE, UPDATE]
    assert Registration.objects.filter(gathering=world.prep_co, organisation=other).count() == 4
    assert Membership.objects.filter(organisation=other).count() == 4
