"""Big files cost a bounded number of queries: lookups by chunks of keys and
bulk writes, never a query per row."""

from django.db import connection
from django.test.utils import CaptureQueriesContext

from convoca.gatherings.models import Registration
from convoca.imports import services
from convoca.network.models import Membership, Person

from .helpers import csv_bytes, people_csv


def _queries(func):
    with CaptureQueriesContext(connection) as ctx:
        func()
    return len(ctx.captured_queries)


def _registrations_csv(count, start=0):
    rows = [["correo", "nombre", "rol", "organización", "país"]]
    rows += [[f"r{i}@example.org", f"R {i}", "delegada", "Sindicato Andino", "CO"] for i in range(start, start + count)]
    return csv_bytes(rows)


def test_it_previews_100_and_1000_people_with_almost_the_same_queries(world):
    member_of = ("Sindicato Andino", "CO")
    small = _queries(lambda: services.preview_import(world.alice, "people", people_csv(100, organisation=member_of)))
    large = _queries(lambda: services.preview_import(world.alice, "people", people_csv(1000, organisation=member_of)))
    assert small <= 6
    assert large <= small + 3  # one more query per lookup only when a chunk of keys is full


def test_it_imports_2000_people_in_a_bounded_number_of_queries(world):
    data = people_csv(2000, organisation=("Sindicato Andino", "CO"))
    count = _queries(lambda: services.run_import(world.alice, "people", data))
    assert Person.objects.filter(email__startswith="persona").count() == 2000
    assert Membership.objects.filter(organisation=world.org_co).count() == 2001
    # 2,000 people + 2,000 memberships: bulk inserts in batches, nowhere near one query per row.
    assert count < 80, count


def test_it_imports_100_and_1000_registrations_with_queries_growing_only_by_batches(world):
    small = _queries(lambda: services.run_import(world.alice, "registrations", _registrations_csv(100), "prep-co"))
    large = _queries(lambda: services.run_import(world.alice, "registrations", _registrations_csv(1000, 100), "prep-co"))
    assert Registration.objects.filter(gathering=world.prep_co).count() == 1100
    assert large < small + 40, (small, large)
    # SQLite takes 999 parameters a query: each column a Person gains makes its INSERT batches smaller
    # (17 columns since issue 11: 17 batches for 1,000 people), still nowhere near one query per row.
    assert large < 65, large


def test_it_updates_1000_existing_people_in_a_bounded_number_of_queries(world):
    services.run_import(world.alice, "people", people_csv(1000))
    rows = [["nombre", "correo", "nombre completo"]] + [
        [f"Persona {i}", f"PERSONA{i}@example.org", f"Persona Número {i}"] for i in range(1000)]
    count = _queries(lambda: services.run_import(world.alice, "people", csv_bytes(rows)))
    assert Person.objects.filter(full_name__startswith="Persona Número").count() == 1000
    assert count < 40, count


def test_it_survives_thousands_of_distinct_unknown_values(world):
    """More distinct keys than SQLite takes parameters in one query: looked up in chunks, no crash."""
    rows = [["correo", "nombre", "encuentro", "rol", "organización"]]
    rows += [[f"x{i}@example.org", f"X {i}", f"encuentro-{i}", "guest", f"Org {i}"] for i in range(2500)]
    preview = services.preview_import(world.alice, "registrations", csv_bytes(rows))
    assert len(preview.problems) == 2500 and not preview.plans
