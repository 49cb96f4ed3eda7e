"""convoca demo: the conference's plenary in progress, once."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse

from convoca.gatherings.demo_data import CONFERENCE
from convoca.plenary.demo import SCREEN_TOKEN
from convoca.plenary.models import AgendaItem, Plenary, RemoteAttendance, Speaker

pytestmark = pytest.mark.django_db


def run_demo():
    out = StringIO()
    call_command("demo", stdout=out)
    return out.getvalue()


def test_it_loads_a_plenary_in_progress_with_a_running_clock_a_poll_and_a_screen(client):
    printed = run_demo()
    plenary = Plenary.objects.select_related("current_item__poll").get(gathering__slug=CONFERENCE["slug"])
    assert plenary.programme_published and plenary.message
    current = plenary.current_item
    assert current.poll is not None and current.poll.state == "open"
    speaking = Speaker.objects.get(item=current, state="speaking")
    assert speaking.started_at is not None and speaking.elapsed_now() >= 40
    waiting = list(Speaker.objects.filter(item=current, state="waiting").order_by("position"))
    assert waiting[0].kind == "point_of_order" and len(waiting) >= 5
    assert any(s.remote for s in waiting) and RemoteAttendance.objects.exists()
    assert Speaker.objects.filter(item=current, state="done").count() == 2
    assert SCREEN_TOKEN in printed
    screen = client.get(reverse("plenary:screen", args=[CONFERENCE["slug"], SCREEN_TOKEN]))
    assert screen.status_code == 200 and 'data-timer-running="1"' in screen.content.decode()
    counts = (AgendaItem.objects.count(), Speaker.objects.count())
    run_demo()
    assert (AgendaItem.objects.count(), Speaker.objects.count()) == counts
