from django.shortcuts import render

from convoca.core.roles import is_translator
from convoca.gatherings import queries as gathering_queries
from convoca.texts import queries as text_queries

from . import queries


def home(request):
    """Everyone: the coalition and its upcoming gatherings. A logged-in person first sees what happens now for
    them: the plenary's current item and speaker, their place on a list of speakers, a vote they can cast, their
    badge, and for coordinators and committees the numbers that wait for them."""
    gatherings = text_queries.localize(gathering_queries.upcoming_gatherings()[:12])
    # What waits for a translator: the missing and outdated language versions (one count).
    to_translate = text_queries.queue().count() if is_translator(request.user) else None
    return render(request, "home/home.html", {
        "gatherings": gatherings, "to_translate": to_translate, "today": queries.today_for(request.user),
    })
