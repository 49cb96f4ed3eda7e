from django.shortcuts import render

from convoca.gatherings import queries as gathering_queries


def home(request):
    gatherings = gathering_queries.upcoming_gatherings()[:12]
    return render(request, "home/home.html", {"gatherings": gatherings})
