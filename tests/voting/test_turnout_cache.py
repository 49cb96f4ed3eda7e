"""The turnout of an open poll is counted once for every page refreshing it,
through Django's cache (local memory, or Redis when REDIS_URL is set), one
entry per poll and language."""

import pytest
from django.core.cache import cache
from django.utils import translation

from convoca.voting import ballot_box, queries, services

from .helpers import check_in, open_poll


def keys(poll):
    return [f"voting:turnout:{poll.pk}:{language}" for language in ("en", "es")]


@pytest.mark.django_db(transaction=True)  # inside a transaction the turnout is always counted afresh
def test_it_shares_the_turnout_of_an_open_poll_through_djangos_cache(world):
    check_in(world.bob_reg)
    poll = open_poll(world)
    english, spanish = keys(poll)
    cache.delete_many([english, spanish])
    try:
        assert queries.turnout(poll)["voted"] == 0
        assert cache.get(english)["voted"] == 0
        cache.set(english, {"voted": "from the cache"}, 60)
        assert queries.turnout(poll) == {"voted": "from the cache"}
        services.cast_ballot(world.bob, poll.pk, ["yes"])
        cache.delete(english)  # what the short timeout does
        assert queries.turnout(poll)["voted"] == 1
        with translation.override("es"):
            assert queries.turnout(poll)["by_sector"][0]["name"] == "Sindicato"
        assert cache.get(spanish)["by_sector"][0]["name"] == "Sindicato"
        assert cache.get(english)["by_sector"][0]["name"] == "Trade union"
        services.close_poll(world.alice, poll)
        cache.set(english, {"voted": "stale"}, 60)
        assert queries.turnout(poll)["voted"] == 1  # a closed poll's turnout is final: counted, not cached
    finally:
        cache.delete_many([english, spanish])
        ballot_box.forget_poll(poll.pk)
        ballot_box.release_connection()  # so the test database can be dropped

