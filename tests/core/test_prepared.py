"""core.prepared: a queryset compiled once gives what the queryset gives, with one query and no compiling."""

import threading

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from convoca.actions import queries
from convoca.actions.models import Action
from convoca.core.prepared import Prepared
from tests.actions.helpers import action


def _same(a, b):
    return all(getattr(a, f.attname) == getattr(b, f.attname) for f in a._meta.concrete_fields)


@pytest.mark.django_db
class TestPrepared:
    def test_it_gives_the_querysets_instances_with_their_related_rows(self, world):
        organised = action(world, title="Marcha")
        expected = Action.objects.select_related("campaign__gathering", "host_organisation",
                                                 "host_user__person").get(pk=organised.pk)
        found = queries.action_in_campaign(organised.campaign.slug, organised.pk)
        assert found is not None and found is not expected and _same(found, expected)
        assert found.starts_at == expected.starts_at and found.starts_at.tzinfo is not None  # converted as the ORM does
        assert _same(found.campaign, expected.campaign) and _same(found.campaign.gathering, expected.campaign.gathering)
        assert found.host_organisation is None and _same(found.host_user, expected.host_user)
        assert _same(found.host_user.person, expected.host_user.person)
        with CaptureQueriesContext(connection) as ctx:  # the related rows came with it: no query to read them
            read = (found.campaign.gathering.title, found.host_user.person.pk, found.title)
        assert len(ctx.captured_queries) == 0 and all(read)

    def test_it_runs_one_query_each_time_with_that_calls_values(self, world):
        first, second = action(world, title="Una"), action(world, title="Otra")
        slug = first.campaign.slug
        queries.action_in_campaign(slug, first.pk)
        with CaptureQueriesContext(connection) as ctx:
            assert queries.action_in_campaign(slug, second.pk).title == "Otra"
            assert queries.action_in_campaign(slug, first.pk).title == "Una"
        assert len(ctx.captured_queries) == 2

    @pytest.mark.parametrize("slug, pk", [("otra-campana", None), (None, 999_999_999), ("", None)])
    def test_it_finds_nothing_for_another_campaign_or_a_missing_action(self, world, slug, pk):
        organised = action(world)
        assert queries.action_in_campaign(organised.campaign.slug if slug is None else slug,
                                          organised.pk if pk is None else pk) is None

    @pytest.mark.parametrize("values", [{"slug": "x", "pk": "1"}, {"slug": 1, "pk": 1}, {"slug": "x"},
                                        {"slug": "x", "pk": 1, "other": 2}])
    def test_it_refuses_values_of_another_type_or_name(self, values):
        with pytest.raises(TypeError):
            queries._ACTION_WITH_HOST.all(**values)

    def test_it_keeps_the_type_the_database_driver_was_given(self, world):
        organised = action(world, title="Tipos", capacity=7)
        by_capacity = Prepared(lambda capacity: Action.objects.filter(capacity=capacity), capacity=987_654_321)
        assert [a.pk for a in by_capacity.all(capacity=7)] == [organised.pk] and by_capacity.all(capacity=8) == []

    def test_it_refuses_a_stand_in_it_cannot_place(self, world):
        twice = Prepared(lambda n: Action.objects.filter(pk=n, rsvp_count=n), n=987_654_321)
        with pytest.raises(ValueError, match="found 2 times"):
            twice.all(n=1)
        absent = Prepared(lambda n: Action.objects.filter(pk=1), n=987_654_321)
        with pytest.raises(ValueError, match="found 0 times"):
            absent.all(n=1)


@pytest.mark.django_db(transaction=True)
def test_each_thread_compiles_for_its_own_connection(world):
    organised = action(world, title="Hilo")
    slug, seen = organised.campaign.slug, []
    queries.action_in_campaign(slug, organised.pk)
    mine = queries._ACTION_WITH_HOST._local.plans["connection"]

    def look():
        try:
            seen.append(queries.action_in_campaign(slug, organised.pk).title)
            seen.append(queries._ACTION_WITH_HOST._local.plans["connection"] is not mine)
        finally:
            connection.close()

    thread = threading.Thread(target=look)
    thread.start()
    thread.join(10)
    assert seen == ["Hilo", True]


@pytest.mark.django_db
class TestLists:
    """A list's places are padded to 1, 2, 4, 8... with its last value: the same rows as the queryset, whatever
    the length."""

    def test_each_length_gives_what_the_queryset_gives(self, world):
        made = [action(world, title=f"Lista {i}") for i in range(5)]
        pks = [a.pk for a in made]
        by_pks = Prepared(lambda pks: Action.objects.filter(pk__in=pks).order_by("pk"), pks=[-7_000_000_001])
        for length in (1, 2, 3, 5):
            assert [a.pk for a in by_pks.all(pks=pks[:length])] == sorted(pks[:length])
        assert [a.pk for a in by_pks.all(pks=[pks[0], pks[0], 999_999_999])] == [pks[0]]
        with CaptureQueriesContext(connection) as ctx:
            assert by_pks.all(pks=[]) == []  # nothing asked of the database
        assert len(ctx.captured_queries) == 0
        many = [*pks, *range(10**8, 10**8 + 300)]  # longer than MAX_LIST: the plain queryset
        assert [a.pk for a in by_pks.all(pks=many)] == sorted(pks)

    def test_rows_of_a_values_list_with_two_lists(self, world):
        first, second = action(world), action(world)
        taken = Prepared(lambda pks, names: Action.objects.filter(pk__in=pks, title__in=names).order_by("pk")
                         .values_list("pk", "title"), pks=[-7_000_000_001], names=["\x00title"])
        assert taken.rows(pks=[first.pk, second.pk], names=[first.title]) == [
            (p, t) for p, t in Action.objects.filter(pk__in=[first.pk, second.pk], title__in=[first.title])
            .order_by("pk").values_list("pk", "title")]
        assert taken.rows(pks=[first.pk], names=["nadie"]) == []

    @pytest.mark.parametrize("values", [{"pks": 1}, {"pks": ["1"]}, {"pks": [1, "2"]}, {"pks": (True,)}])
    def test_it_refuses_a_list_of_another_type(self, values):
        by_pks = Prepared(lambda pks: Action.objects.filter(pk__in=pks), pks=[-7_000_000_001])
        with pytest.raises(TypeError):
            by_pks.all(**values)

    def test_it_refuses_what_it_cannot_give(self, world):
        with pytest.raises(ValueError, match="list of one"):
            Prepared(lambda pks: Action.objects.filter(pk__in=pks), pks=[1, 2])
        values = Prepared(lambda pks: Action.objects.filter(pk__in=pks).values_list("pk"), pks=[-7_000_000_001])
        instances = Prepared(lambda pks: Action.objects.filter(pk__in=pks), pks=[-7_000_000_001])
        with pytest.raises(TypeError, match="rows"):
            values.all(pks=[1])
        with pytest.raises(TypeError, match="all"):
            instances.rows(pks=[1])
        flat = Prepared(lambda pks: Action.objects.filter(pk__in=pks).values_list("pk", flat=True),
                        pks=[-7_000_000_001])
        with pytest.raises(ValueError, match="values_list"):
            flat.rows(pks=[1])


def _prepared_statements(fragment):
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_prepared_statements WHERE statement LIKE %s", [f"%{fragment}%"])
        return cursor.fetchone()[0]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="statements are prepared on PostgreSQL only")
@pytest.mark.django_db
def test_postgresql_plans_the_statement_once_per_connection(world):
    organised = action(world, title="Preparada", capacity=41)
    by_capacity = Prepared(lambda capacity: Action.objects.filter(capacity=capacity).order_by(), capacity=987_654_321)
    before = _prepared_statements('"capacity" = $1')
    assert [a.pk for a in by_capacity.all(capacity=41)] == [organised.pk]
    assert _prepared_statements('"capacity" = $1') == before + 1  # prepared at its first call
    assert by_capacity.all(capacity=42) == []
    assert _prepared_statements('"capacity" = $1') == before + 1  # and only run afterwards


@pytest.mark.skipif(connection.vendor != "postgresql", reason="statements are prepared on PostgreSQL only")
@pytest.mark.django_db
def test_nothing_is_prepared_when_the_connection_says_so(world):
    """DB_PREPARED_STATEMENTS=off (a pooler that cannot keep them) leaves prepare_threshold at None."""
    organised = action(world, title="Sin preparar", capacity=43)
    connection.ensure_connection()
    threshold, connection.connection.prepare_threshold = connection.connection.prepare_threshold, None
    try:
        by_kind = Prepared(lambda capacity: Action.objects.filter(capacity__gte=capacity).order_by("pk"),
                           capacity=987_654_322)
        assert organised.pk in [a.pk for a in by_kind.all(capacity=43)]
        assert _prepared_statements('"capacity" >= $1') == 0
    finally:
        connection.connection.prepare_threshold = threshold
