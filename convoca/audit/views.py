"""The audit trail page: coordinators read and filter every privileged action."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from convoca.core.web import paginate, query_without_page, require

from . import queries
from .forms import TrailFilterForm

PAGE_SIZE = 50


@login_required
def trail(request):
    require(request, "audit.view_trail")
    form = TrailFilterForm(request.user, request.GET or None)
    filters = form.filters() if request.GET else {}
    page = paginate(request, queries.entries(**filters), PAGE_SIZE)
    return render(request, "audit/trail.html", {
        "form": form,
        "page": page,
        "rows": queries.describe(request.user, page.object_list),
        "query": query_without_page(request),
    })
