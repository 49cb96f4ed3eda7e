"""The running poll's turnout follows the live events instead of asking every 5 seconds."""


from convoca.core import events
from tests.fixtures import client_for
from tests.voting.helpers import check_in, open_poll


def test_it_makes_the_turnout_of_an_open_poll_follow_the_live_events(world, bus):
    check_in(world.bob_reg)
    poll = open_poll(world)
    topic = f"gathering:{world.conference.pk}"
    last = events.publish(topic, {"kind": "poll.turnout", "poll": poll.pk})
    page = client_for(world.bob).get(f"/votes/poll/{poll.pk}/").content.decode()
    assert f'data-live-gathering="{world.conference.pk}"' in page
    assert f'data-live-url="/live/gatherings/{world.conference.pk}/events" data-live-last="{last}"' in page
    assert f'data-live-refresh="/votes/poll/{poll.pk}/turnout/" data-live-kinds="poll.turnout"' in page
    assert f'data-live-where="poll={poll.pk}"' in page
    assert "js/live.js" in page and "hx-trigger" not in page  # no more polling every 5 s
    assert 'http-equiv="refresh"' not in page  # bob is filling his ballot: no reload under his fingers
    observer = client_for(world.olga).get(f"/votes/poll/{poll.pk}/").content.decode()
    assert '<noscript><meta http-equiv="refresh" content="30"></noscript>' in observer  # no ballot: it reloads
    fragment = client_for(world.olga).get(f"/votes/poll/{poll.pk}/turnout/").content.decode()
    assert fragment.lstrip().startswith('<div id="turnout"') and "data-live-refresh" in fragment
