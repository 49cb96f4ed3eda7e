"""Bulk services of the registry (what imports write through): the same rules
as one row at a time, every problem by row, all or nothing, a bounded number
of queries."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from convoca.accounts.models import User
from convoca.core.bulk import CREATE, SKIP, UPDATE, RowProblems
from convoca.core.errors import PermissionDenied, ServiceError
from convoca.network import services
from convoca.network.models import Membership, Organisation, Person, Sector, Visibility

from .helpers import snapshot


def refused(call, *args, **kwargs):
    """The RowProblems of a refused bulk call, after checking it wrote nothing."""
    before = snapshot()
    with pytest.raises(RowProblems) as info:
        call(*args, **kwargs)
    assert snapshot() == before
    return info.value


def fresh(user):
    """The same account without anything cached on it, so two calls cost the same queries."""
    return User.objects.get(pk=user.pk)


ORG = {"name": "Frente Amplio Sindical", "country": "CO", "sector": Sector.TRADE_UNION}


class TestOrganisations:
    def test_it_creates_new_organisations_and_fills_in_only_empty_fields(self, world):
        plan = services.bulk_upsert_organisations(world.alice, [
            {**ORG, "website": "https://fas.co"},
            {"name": "SINDICATO ANDÍNO", "country": "CO", "sector": Sector.OTHER, "website": "https://andino.co"},
            {"name": "red migrante del norte", "country": "MX"},
        ])
        assert [outcome.action for outcome in plan.outcomes] == [CREATE, UPDATE, SKIP]
        created = Organisation.objects.get(name="Frente Amplio Sindical")
        assert (created.country.code, created.name_key, created.website, created.is_public) == (
            "CO", "frente amplio sindical", "https://fas.co", False)
        assert plan.outcomes[0].record == created
        world.org_co.refresh_from_db()
        assert (world.org_co.name, world.org_co.website, world.org_co.sector) == (
            "Sindicato Andino", "https://andino.co", Sector.TRADE_UNION)  # the sector given is not taken...
        assert plan.outcomes[1].kept == {"sector": Sector.TRADE_UNION}  # ... and the plan says so

    def test_it_never_overwrites_a_website(self, world):
        Organisation.objects.filter(pk=world.org_co.pk).update(website="https://old.example.org")
        plan = services.bulk_upsert_organisations(world.alice, [
            {"name": "Sindicato Andino", "country": "CO", "website": "https://new.example.org"}])
        assert plan.outcomes[0].action == SKIP
        assert Organisation.objects.get(pk=world.org_co.pk).website == "https://old.example.org"

    @pytest.mark.parametrize("bad, field, code", [
        ({"name": "x" * 201}, "name", "too_long"),
        ({"name": ""}, "name", "required"),
        ({"country": "ZZ"}, "country", "invalid"),
        ({"country": "Narnia"}, "country", "invalid"),
        ({"country": ""}, "country", "required"),
        ({"sector": "bakery"}, "sector", "invalid"),
        ({"sector": ""}, "sector", "invalid"),  # a new organisation needs one
        ({"website": "javascript:alert(1)"}, "website", "invalid"),
        ({"website": "https://" + "a" * 200 + ".org"}, "website", "too_long"),
    ], ids=["name too long", "no name", "unknown country code", "country name", "no country", "unknown sector",
            "no sector", "script address", "address too long"])
    def test_it_refuses_a_bad_row_with_the_message_of_create_organisation(self, world, bad, field, code):
        rows = [{**ORG, "name": "Buena"}, {**ORG, **bad}]
        error = refused(services.bulk_upsert_organisations, world.alice, rows)
        [problem] = error.problems
        assert (problem.row, problem.field, problem.code) == (2, field, code)
        with pytest.raises(ServiceError) as single:  # one rule: the same message one row at a time
            services.create_organisation(world.alice, **{**ORG, **bad})
        assert str(single.value.message) == str(problem.message)

    def test_it_reports_every_problem_of_every_row_by_row_number(self, world):
        rows = [{**ORG, "row": 7, "name": "x" * 201, "country": "ZZ"}, {**ORG, "row": 9, "sector": "bakery"}]
        error = refused(services.bulk_upsert_organisations, world.alice, rows)
        assert [(p.row, p.field) for p in error.problems] == [(7, "name"), (7, "country"), (9, "sector")]
        assert "3 problems found; nothing was saved." in str(error.message)

    def test_it_refuses_duplicate_rows_whatever_the_case_or_accents(self, world):
        rows = [ORG, {**ORG, "name": " frente  AMPLIO sindical "}]
        [problem] = refused(services.bulk_upsert_organisations, world.alice, rows).problems
        assert (problem.row, problem.field, problem.code) == (2, "name", "duplicate")
        assert "as row 1" in str(problem.message)

    def test_it_plans_without_writing(self, world):
        before = snapshot()
        plan = services.plan_organisations(world.alice, [ORG, {**ORG, "name": "Otra", "sector": "bakery"}])
        assert [o.action for o in plan.outcomes] == [CREATE] and [p.row for p in plan.problems] == [2]
        assert snapshot() == before

    def test_it_lets_a_committee_member_register_only_in_their_country(self, world):
        services.bulk_upsert_organisations(world.carla, [ORG])
        before = snapshot()
        with pytest.raises(PermissionDenied):
            services.bulk_upsert_organisations(world.carla, [{**ORG, "name": "Otra"}, {**ORG, "country": "MX"}])
        assert snapshot() == before

    @pytest.mark.parametrize("who", ["bob", "nadia", "anonymous"])
    def test_it_refuses_people_without_a_role(self, world, who):
        with pytest.raises(PermissionDenied):
            services.plan_organisations(world.users[who], [ORG])

    def test_it_costs_the_same_queries_for_one_and_three_rows(self, world, django_assert_num_queries):
        def rows(names):
            return [{"name": name, "country": "PE", "sector": Sector.OTHER} for name in names] + [
                {"name": "Sindicato Andino", "country": "CO", "website": f"https://{names[0]}.example.org"}]

        with CaptureQueriesContext(connection) as one:
            services.bulk_upsert_organisations(fresh(world.alice), rows(["a"]))
        Organisation.objects.filter(pk=world.org_co.pk).update(website="")
        with django_assert_num_queries(len(one)):
            services.bulk_upsert_organisations(fresh(world.alice), rows(["b", "c", "d"]))
        assert Organisation.objects.filter(country="PE").count() == 4


PERSON = {"email": "rosa@example.org", "display_name": "Rosa"}


class TestPeople:
    def test_it_creates_people_with_the_most_private_visibility(self, world):
        plan = services.bulk_upsert_people(world.alice, [
            {"email": " Rosa@Example.ORG ", "display_name": "Rosa  Quispe", "languages": ["es", "QU"]}])
        rosa = Person.objects.get(email="rosa@example.org")
        assert (rosa.display_name, rosa.languages) == ("Rosa Quispe", "es,qu")
        assert {getattr(rosa, f"{f}_visibility") for f in Person.VISIBLE_FIELDS} == {Visibility.COORDINATORS}
        assert plan.outcomes[0].action == CREATE and plan.outcomes[0].record.pk == rosa.pk

    def test_it_fills_in_only_empty_fields_and_adds_memberships(self, world):
        Person.objects.filter(pk=world.bob_person.pk).update(languages="es")
        plan = services.bulk_upsert_people(world.alice, [
            {"email": "BOB@example.org", "display_name": "Bobby", "full_name": "Roberto Gómez", "languages": "fr",
             "organisations": [world.org_co, world.org_mx]},  # already a member of org_co
            {"email": "nadia@example.org", "organisations": [world.org_mx.pk]},
            {"email": "olga@example.org", "display_name": ""},
        ])
        bob = Person.objects.get(pk=world.bob_person.pk)
        assert (bob.display_name, bob.full_name, bob.languages) == ("Bob Delegado", "Roberto Gómez", "es")
        assert set(bob.organisations.all()) == {world.org_co, world.org_mx}
        assert list(world.nadia_person.organisations.all()) == [world.org_mx]
        assert [(o.action, sorted(o.changes)) for o in plan.outcomes] == [
            (UPDATE, ["full_name", "organisations"]), (UPDATE, ["organisations"]), (SKIP, [])]
        assert len(plan.memberships) == 2

    def test_it_leaves_existing_people_alone_without_fill_empty(self, world):
        plan = services.bulk_upsert_people(world.alice, [{"email": "nadia@example.org", "full_name": "Nadia M."}],
                                           fill_empty=False)
        assert plan.outcomes[0].action == SKIP and Person.objects.get(pk=world.nadia_person.pk).full_name == ""

    @pytest.mark.parametrize("bad, field, code", [
        ({"display_name": "x" * 121}, "display_name", "too_long"),
        ({"full_name": "x" * 201}, "full_name", "too_long"),
        ({"email": "rosa@@example.org"}, "email", "invalid"),
        ({"email": "x" * 250 + "@example.org"}, "email", "too_long"),
        ({"languages": ["español"]}, "languages", "invalid"),
        ({"languages": [f"q{chr(97 + i // 26)}{chr(97 + i % 26)}" for i in range(30)]}, "languages", "too_long"),
        ({"email_visibility": "all"}, "email_visibility", "invalid"),
        ({"organisations": [99999]}, "organisations", "invalid"),
        ({"organisations": ["x"]}, "organisations", "invalid"),
    ], ids=["display name too long", "full name too long", "bad email", "email too long", "not a language code",
            "too many languages", "unknown visibility", "unknown organisation", "not an organisation"])
    def test_it_refuses_a_bad_row_with_the_message_of_create_person(self, world, bad, field, code):
        error = refused(services.bulk_upsert_people, world.alice, [{**PERSON, "email": "ok@example.org"},
                                                                    {**PERSON, **bad}])
        [problem] = error.problems
        assert (problem.row, problem.field) == (2, field)
        with pytest.raises(ServiceError) as single:  # one rule: the same message one row at a time
            services.create_person(world.alice, **{**PERSON, **bad})
        assert str(single.value.message) == str(problem.message) and single.value.code == problem.code == code

    @pytest.mark.parametrize("rows, field, message", [
        ([PERSON, {**PERSON, "email": "ROSA@example.org "}], "email", "the same email as row 1"),
        ([{"email": "new@example.org", "display_name": ""}], "display_name", "a new person needs a name"),
        ([{"display_name": "Sin correo"}], "email", "Enter an email address"),
    ], ids=["duplicate rows", "new person without a name", "no email"])
    def test_it_refuses_what_only_bulk_rows_can_get_wrong(self, world, rows, field, message):
        [problem] = refused(services.bulk_upsert_people, world.alice, rows).problems
        assert problem.field == field and message in str(problem.message)

    def test_it_refuses_non_coordinators_even_to_plan(self, world):
        for user in (world.carla, world.bob, None):
            with pytest.raises(PermissionDenied):
                services.plan_people(user, [PERSON])

    def test_it_adds_memberships_once_and_idempotently(self, world):
        pairs = [(world.nadia_person, world.org_co), (world.nadia_person, world.org_co.pk),
                 (world.bob_person, world.org_co)]  # bob is a member already
        assert services.bulk_add_memberships(world.alice, pairs) == 1
        assert services.bulk_add_memberships(world.alice, pairs) == 0
        assert Membership.objects.filter(organisation=world.org_co).count() == 2
        with pytest.raises(PermissionDenied):
            services.bulk_add_memberships(world.carla, [(world.olga_person, world.org_co)])

    def test_it_costs_the_same_queries_for_one_and_three_rows(self, world, django_assert_num_queries):
        def rows(start, count):
            new = [{"email": f"p{i}@example.org", "display_name": f"P {i}", "organisations": [world.org_co]}
                   for i in range(start, start + count)]
            return new + [{"email": "nadia@example.org", "full_name": f"Nadia {start}", "organisations": [world.org_mx]}]

        with CaptureQueriesContext(connection) as one:
            services.bulk_upsert_people(fresh(world.alice), rows(0, 1))
        Person.objects.filter(pk=world.nadia_person.pk).update(full_name="")
        Membership.objects.filter(person=world.nadia_person).delete()
        with django_assert_num_queries(len(one)):
            services.bulk_upsert_people(fresh(world.alice), rows(1, 3))
        assert Membership.objects.filter(organisation=world.org_co, person__email__startswith="p").count() == 4
        with CaptureQueriesContext(connection) as planned_one:
            services.plan_people(fresh(world.alice), rows(10, 1))
        with django_assert_num_queries(len(planned_one)):
            services.plan_people(fresh(world.alice), rows(20, 3))
