from django.shortcuts import get_object_or_404, render

from .models import Gathering
from .queries import upcoming_gatherings


def gathering_list(request):
    return render(request, "base.html", {"gatherings": upcoming_gatherings()})


def gathering_detail(request, slug):
    gathering = get_object_or_404(Gathering, slug=slug)
    return render(request, "base.html", {"gathering": gathering})
