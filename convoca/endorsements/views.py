"""Pages of endorsements: the public sign-on form and list, the links from the email (verify, withdraw), and
the reviewers' page (settings, approvals, CSV export). Every page works without JavaScript."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from convoca.core import events
from convoca.core.errors import ServiceError
from convoca.core.limits import Limit, client_address, too_many
from convoca.core.shared_pages import no_messages_waiting, render_shared, row_values
from convoca.core.web import (
    apply_service_error,
    get_for_user,
    paginate,
    perform,
    query_without_page,
    require,
    service_message,
)
from convoca.gatherings.models import Gathering
from convoca.live.views import stream_response
from convoca.proposals.queries import declaration_of

from . import queries, services
from .forms import DecisionForm, EndorseForm, SettingsForm
from .models import Endorsement


def per_address():
    """Sign-ons per client address and hour (a household, an office: a few; a burst from one address: refused)."""
    return Limit("endorse-address", getattr(settings, "ENDORSEMENTS_PER_ADDRESS", 20), 3600)


def per_email():
    return Limit("endorse-email", getattr(settings, "ENDORSEMENTS_PER_EMAIL", 3), 86400)


def _published(slug):
    """The gathering and its published declaration, or the 404 page (a draft is not there for the public)."""
    gathering = Gathering.objects.filter(slug=slug).first()
    declaration = declaration_of(gathering) if gathering is not None else None
    if declaration is None or not declaration.is_published:
        raise Http404(_("This declaration is not published: it cannot be endorsed yet."))
    return gathering, declaration


SHARED_PAGE_TTL = 60  # seconds the sign-on page drawn for anonymous signers is shared (see ``endorse``)


@never_cache
def endorse(request, slug):
    gathering, declaration = _published(slug)
    options = services.settings_for(gathering)

    def context(form=None):
        return {"gathering": gathering, "declaration": declaration, "options": options,
                "form": form or EndorseForm(individuals_allowed=options.individuals_allowed)}

    if request.method != "POST":
        if not request.user.is_authenticated and no_messages_waiting(request):
            # The empty form as anonymous signers see it depends on these rows alone: drawn once per
            # ``SHARED_PAGE_TTL`` per process and language and shared, each copy with the signer's own CSRF
            # token (a call to sign brings thousands at once; the country list alone is ~250 options to draw).
            return render_shared(request, "endorsements/endorse.html", "endorsements_sign_on_page",
                                 [*row_values(gathering), *row_values(declaration), options.individuals_allowed,
                                  options.committee_approval], context, ttl=SHARED_PAGE_TTL)
        return render(request, "endorsements/endorse.html", context())
    form = EndorseForm(request.POST, individuals_allowed=options.individuals_allowed)
    if form.is_valid():
        address, email = client_address(request), form.cleaned_data["email"].lower()
        for limit, key in ((per_address(), address), (per_email(), email)):
            if limit.exceeded(key):
                return too_many(request, limit)
        for limit, key in ((per_address(), address), (per_email(), email)):
            limit.hit(key)
        try:
            services.sign_on(declaration, **form.cleaned_data)
        except ServiceError as error:
            apply_service_error(form, error)
        else:
            return redirect("endorsements:thanks", slug)
    return render(request, "endorsements/endorse.html", context(form))


def thanks(request, slug):
    gathering, declaration = _published(slug)
    return render(request, "endorsements/thanks.html", {"gathering": gathering, "declaration": declaration})


@never_cache
def verify(request, slug, token):
    """A GET shows a button; the POST verifies (a link preview by a mail client must not use the link)."""
    gathering, declaration = _published(slug)
    if request.method == "POST":
        try:
            found = services.verify(token)
        except ServiceError as error:
            messages.error(request, service_message(error))
        else:
            if found.state == Endorsement.State.PUBLIC:
                messages.success(request, _("Thank you: your endorsement is confirmed and now public."))
            else:
                messages.success(request, _("Thank you: your email is confirmed. The national committee will "
                                            "review the endorsement before it is public."))
        return redirect("endorsements:list", slug)
    return render(request, "endorsements/confirm_link.html", {
        "gathering": gathering, "declaration": declaration, "action": "verify",
    })


@never_cache
def withdraw(request, slug, token):
    gathering, declaration = _published(slug)
    if request.method == "POST":
        try:
            services.withdraw(token)
        except ServiceError as error:
            messages.error(request, service_message(error))
        else:
            messages.success(request, _("Your endorsement is withdrawn and its details are deleted."))
        return redirect("endorsements:list", slug)
    return render(request, "endorsements/confirm_link.html", {
        "gathering": gathering, "declaration": declaration, "action": "withdraw",
    })


NOSCRIPT_REFRESH_SECONDS = 60


def _counts(declaration):
    counts = queries.counts_by_country(declaration)
    return {"counts": counts, "total": sum(c[2] + c[3] for c in counts)}


def public_list(request, slug):
    gathering, declaration = _published(slug)
    country = request.GET.get("country", "")
    found = queries.public(declaration).only(
        "kind", "organisation", "country", "sector", "signatory", "role", "show_signatory",
    )
    if country:
        found = found.filter(country=country)
    page = paginate(request, found, 100)
    topic = services.declaration_topic(declaration.pk)
    return render(request, "endorsements/list.html", {
        "gathering": gathering, "declaration": declaration, "page": page, "country": country,
        "query": query_without_page(request), **_counts(declaration),
        "reviews": request.user.has_perm("endorsements.review", gathering),
        "live": {"topic": f"endorsements-{declaration.pk}", "url": reverse("endorsements:events", args=[slug]),
                 "last": events.last_id(topic)},
        "noscript_refresh": NOSCRIPT_REFRESH_SECONDS,
    })


def counts_part(request, slug):
    """The counts alone: what the live script fetches when an endorsement becomes public or is withdrawn."""
    gathering, declaration = _published(slug)
    return render(request, "endorsements/_counts.html", {"gathering": gathering, **_counts(declaration)})


@never_cache
@require_GET
def events_stream(request, slug):
    """The declaration's endorsement events (server-sent), public as its list: kinds, ids and countries."""
    _gathering, declaration = _published(slug)
    return stream_response(request, services.declaration_topic(declaration.pk))


@login_required
@never_cache
def review(request, slug):
    gathering, declaration = _published(slug)
    require(request, "endorsements.review", gathering)
    manages = request.user.has_perm("endorsements.manage", gathering)
    options = services.settings_for(gathering)
    form = SettingsForm(request.POST or None, initial={
        "individuals_allowed": options.individuals_allowed, "committee_approval": options.committee_approval,
    })
    if request.method == "POST" and form.is_valid():
        services.change_settings(request.user, gathering, **form.cleaned_data)
        messages.success(request, _("Settings saved."))
        return redirect("endorsements:review", slug)
    found = queries.for_review(request.user, declaration)
    states = dict(found.values_list("state").annotate(n=Count("pk")).order_by())
    pending = found.filter(state=Endorsement.State.PENDING)
    return render(request, "endorsements/review.html", {
        "gathering": gathering, "declaration": declaration, "form": form, "manages": manages,
        "page": paginate(request, pending, 50), "states": states,
    })


@login_required
@require_POST
def decide(request, slug, pk):
    gathering, declaration = _published(slug)
    require(request, "endorsements.review", gathering)
    found = get_for_user(request, queries.for_review(request.user, declaration), "endorsements.decide", pk=pk)
    form = DecisionForm(request.POST)
    approve = form.is_valid() and form.cleaned_data["decision"] == "approve"
    return perform(
        request, lambda: services.decide(request.user, found, approve=approve),
        _("Endorsement approved: it is public.") if approve else _("Endorsement not approved."),
        redirect_to=reverse("endorsements:review", args=[slug]),
    )


@login_required
@require_POST
def export(request, slug):
    gathering, declaration = _published(slug)
    require(request, "endorsements.export", gathering)
    response = HttpResponse(services.export_csv(request.user, declaration), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="endorsements-{slug}.csv"'
    return response
