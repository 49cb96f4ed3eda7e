"""Thin views of days of action: an access helper returns the campaign or action or raises 404/403, one
service call, then render or redirect. Every page works without JavaScript; the campaign's counters follow
its live events (``data-live-refresh``), the map is drawn by a static script from compact JSON and the list
and counters never need it."""

import csv
import json
import re

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.http import require_GET, require_POST
from django_countries import countries

from convoca.core import events
from convoca.core.errors import ServiceError
from convoca.core.limits import Limit, client_address, too_many
from convoca.core.shared_pages import no_messages_waiting, render_shared, row_values
from convoca.core.web import apply_service_error, get_for_user, paginate, perform, query_without_page, require, submit
from convoca.gatherings.models import Gathering
from convoca.live.views import stream_response
from convoca.texts.queries import localize

from . import calendar, queries, services
from .forms import ActionForm, CampaignForm, FilterForm, RejectForm, ReportForm, RsvpForm
from .models import Action, Campaign, Rsvp
from .rules import sees_address

PER_PAGE = 50
NOSCRIPT_REFRESH_SECONDS = 60


def rsvp_ip_limit():
    return Limit("rsvp-ip", getattr(settings, "ACTIONS_RSVP_PER_IP", 30), 3600)


def rsvp_email_limit():
    return Limit("rsvp-email", getattr(settings, "ACTIONS_RSVP_PER_EMAIL", 10), 3600)


def _campaign(slug):
    campaign = Campaign.objects.select_related("gathering").filter(slug=slug).first()
    if campaign is None:
        raise Http404
    return campaign


def _action(request, slug, pk, perm="actions.view_action"):
    """A published action of the campaign ``slug``, or one its host or moderators may see; any other is missing
    (404), not refused. One query brings the campaign, its gathering and the host with it."""
    action = queries.action_in_campaign(slug, pk)
    if action is None or not request.user.has_perm("actions.view_action", action):
        raise Http404
    return get_for_user(request, action, perm)


SHARED_PAGE_TTL = 60  # seconds an action's page drawn for anonymous visitors is shared (see ``action``)


def _live_attrs(campaign):
    topic = services.campaign_topic(campaign.pk)
    return {"topic": f"campaign-{campaign.pk}", "url": reverse("actions:events", args=[campaign.slug]),
            "last": events.last_id(topic)}


# --- the campaign --------------------------------------------------------------------------------------------


def index(request):
    campaigns = localize(Campaign.objects.order_by("-starts_on", "slug")[:50])
    return render(request, "actions/index.html", {"campaigns": campaigns})


@login_required
def campaign_create(request):
    """Coordinators create a day of action (through the same service as the API and the CLI)."""
    require(request, "actions.add_campaign")
    gatherings = list(Gathering.objects.order_by("-starts_on", "title"))
    form = CampaignForm(request.POST or None, gatherings=gatherings)
    by_pk = {g.pk: g for g in gatherings}

    def write():
        gathering = by_pk.get(form.cleaned_data["gathering"])
        if gathering is None:
            raise ServiceError(_("Choose a gathering from the list."), field="gathering")
        return services.create_campaign(request.user, gathering, **form.service_values())

    done = submit(request, form, write, _("The day of action is created. Hosts can now register their actions."))
    return done or render(request, "actions/campaign_form.html", {"form": form, "campaign": None})


@login_required
def campaign_edit(request, slug):
    campaign = _campaign(slug)
    require(request, "actions.change_campaign", campaign)
    form = CampaignForm(request.POST or None, campaign=campaign)
    done = submit(request, form, lambda: services.update_campaign(request.user, campaign, **form.service_values()),
                  _("The day of action is saved."))
    return done or render(request, "actions/campaign_form.html", {"form": form, "campaign": campaign})


def _counts(campaign):
    rows = queries.country_counts(campaign)
    totals = {"actions": sum(r["actions"] for r in rows), "rsvps": sum(r["rsvps"] for r in rows)}
    names = dict(countries)
    for row in rows:
        row["name"] = names.get(row["country"], row["country"])
    return sorted(rows, key=lambda r: str(r["name"])), totals


def campaign(request, slug):
    campaign = _campaign(slug)
    counts, totals = _counts(campaign)
    form = FilterForm(request.GET or None, campaign=campaign, country_codes=[r["country"] for r in counts])
    filters = form.filters()
    page = paginate(request, queries.filtered(campaign, **filters), PER_PAGE)
    localize([campaign, *page.object_list])
    context = {"campaign": campaign, "form": form, "page": page, "counts": counts, "totals": totals,
               "query": query_without_page(request), "live": _live_attrs(campaign),
               "noscript_refresh": NOSCRIPT_REFRESH_SECONDS, "tiles": _tiles(),
               "attribution": getattr(settings, "ACTIONS_TILE_ATTRIBUTION", ""),
               "proposals": localize(campaign.proposals.all())}
    return _with_map_csp(render(request, "actions/campaign.html", context))


def _tiles():
    return getattr(settings, "ACTIONS_TILE_URL", "")


def _with_map_csp(response):
    """The map's tiles come from the configured tile server (none by default: no request leaves the site);
    the CSP lets the page load images from that one origin and nothing else."""
    origin = re.match(r"^(https://[^/{}]+)", _tiles() or "")
    if origin:
        from convoca.core.middleware import CSP  # noqa: PLC0415 - the house policy, widened by one origin here

        response["Content-Security-Policy"] = CSP.replace("img-src 'self' data:", f"img-src 'self' data: {origin[1]}")
    return response


def counts_part(request, slug):
    """The counters alone: what the live script fetches on an event (cached per campaign version)."""
    campaign = _campaign(slug)
    counts, totals = _counts(campaign)
    return render(request, "actions/_counts.html", {"campaign": campaign, "counts": counts, "totals": totals})


@require_GET
def map_json(request, slug):
    campaign = _campaign(slug)
    response = JsonResponse(queries.map_data(campaign), json_dumps_params={"separators": (",", ":")})
    response["Cache-Control"] = "public, max-age=30"
    return response


def calendar_page(request, slug):
    """The campaign's published actions by day (in the viewer's zone shown beside each time)."""
    campaign = _campaign(slug)
    actions = localize([campaign, *queries.published(campaign).select_related("host_organisation")
                        .order_by("starts_at", "pk")[:2000]])[1:]
    days = {}
    for action in actions:
        days.setdefault(timezone.localtime(action.starts_at).date(), []).append(action)
    return render(request, "actions/calendar.html", {"campaign": campaign, "days": sorted(days.items())})


def campaign_ics(request, slug):
    campaign = _campaign(slug)
    localize([campaign])
    actions = queries.published(campaign).order_by("starts_at", "pk")[:5000]
    body = calendar.actions_ics(str(campaign.localized["title"]), actions,
                                lambda a: request.build_absolute_uri(reverse("actions:action",
                                                                             args=[slug, a.pk])))
    return _ics(body, campaign.slug)


def _ics(body, name):
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}.ics"'
    return response


@xframe_options_exempt
def widget(request, slug):
    """A small page for a member organisation's site (an iframe): the counters and the next actions. The
    sites allowed to frame it come from ``ACTIONS_WIDGET_FRAME_ANCESTORS`` (none by default but ours)."""
    campaign = _campaign(slug)
    counts, totals = _counts(campaign)
    upcoming = localize(queries.published(campaign).filter(ends_at__gte=timezone.now())[:10])
    localize([campaign])
    response = render(request, "actions/widget.html",
                      {"campaign": campaign, "counts": counts, "totals": totals, "upcoming": upcoming})
    from convoca.core.middleware import CSP  # noqa: PLC0415 - the house policy, with this page's ancestors

    ancestors = " ".join(getattr(settings, "ACTIONS_WIDGET_FRAME_ANCESTORS", []) or ["'self'"])
    response["Content-Security-Policy"] = CSP.replace("frame-ancestors 'none'", f"frame-ancestors {ancestors}")
    return response


@never_cache
@require_GET
def campaign_events(request, slug):
    """The campaign's live events (server-sent), public as the campaign: ids and kinds, no personal data."""
    campaign = _campaign(slug)
    return stream_response(request, services.campaign_topic(campaign.pk))


# --- an action -----------------------------------------------------------------------------------------------


def _action_context(request, campaign, action, form=None):
    localize([campaign, action])
    return {"campaign": campaign, "action": action, "form": form or RsvpForm(),
            "show_address": sees_address(request.user, action, today=timezone.localdate(
                timezone=services.zone_of(action.timezone))),
            "host_name": _host_name(request, action), "now": timezone.now(),
            "may_manage": request.user.has_perm("actions.manage_action", action),
            "may_moderate": request.user.has_perm("actions.moderate_action", action)}


def _host_name(request, action):
    from convoca.network.rules import public_name  # noqa: PLC0415 - the registry's one rule for names

    if action.host_organisation is not None:
        return action.host_organisation.name
    person = getattr(action.host_user, "person", None)
    return public_name(request.user, person) if person is not None else ""


def action(request, slug, pk):
    """The action's page; a POST is an RSVP (limited per client address and per email)."""
    action = _action(request, slug, pk)
    campaign = action.campaign
    form = RsvpForm(request.POST or None)
    if request.method == "POST":
        ip_limit = rsvp_ip_limit()
        address = client_address(request)
        if ip_limit.exceeded(address):
            return too_many(request, ip_limit)
        ip_limit.hit(address)
        if form.is_valid():
            email_limit = rsvp_email_limit()
            if email_limit.exceeded(form.cleaned_data["email"].lower()):
                return too_many(request, email_limit)
            email_limit.hit(form.cleaned_data["email"].lower())
            try:
                services.rsvp(action, **form.cleaned_data)
            except ServiceError as error:
                apply_service_error(form, error)
            else:
                return redirect(reverse("actions:rsvp_sent", args=[slug, pk]))
    elif not request.user.is_authenticated and no_messages_waiting(request):
        # What an anonymous visitor sees depends on the action's row and its campaign's, read above, and on
        # whether the address shows today: the page is drawn once per ``SHARED_PAGE_TTL`` per process and
        # language for those values and shared, each copy with the visitor's own CSRF token and the places
        # taken now. Translations arriving meanwhile show on the next drawing.
        now = timezone.now()
        shown_today = sees_address(request.user, action, today=timezone.localdate(
            now, timezone=services.zone_of(action.timezone)))
        return render_shared(
            request, "actions/action.html", "actions_action_page",
            [*row_values(action, exclude={"rsvp_count"}), *row_values(campaign), _host_name(request, action), action.is_full,
             action.ends_at > now, shown_today],
            lambda: _action_context(request, campaign, action, form),
            filled={"places_taken": formats.localize(action.rsvp_count)}, ttl=SHARED_PAGE_TTL)
    return render(request, "actions/action.html", _action_context(request, campaign, action, form))


def rsvp_sent(request, slug, pk):
    action = _action(request, slug, pk)
    campaign = action.campaign
    localize([action])
    return render(request, "actions/rsvp_sent.html", {"campaign": campaign, "action": action})


def action_ics(request, slug, pk):
    action = _action(request, slug, pk)
    body = calendar.actions_ics(action.title, [action], lambda a: request.build_absolute_uri(a.get_absolute_url()))
    return _ics(body, f"action-{action.pk}")


@login_required
def action_create(request, slug):
    campaign = _campaign(slug)
    require(request, "actions.host_action", campaign)
    person = getattr(request.user, "person", None)
    organisations = list(person.organisations.order_by("name")) if person is not None else []
    form = ActionForm(request.POST or None, campaign=campaign, organisations=organisations)
    done = submit(
        request, form,
        lambda: services.create_action(request.user, campaign, form.service_data(),
                                       organisation=form.chosen_organisation()),
        lambda a: _("Your action is published.") if a.state == Action.State.APPROVED
        else _("Your action is registered. The national committee will review it; we will email you."),
    )
    localize([campaign])
    return done or render(request, "actions/action_form.html", {"campaign": campaign, "form": form})


@login_required
def action_rsvps(request, slug, pk):
    """The host's list of RSVPs: only what each person agreed to share."""
    action = _action(request, slug, pk, "actions.manage_action")
    campaign = action.campaign
    localize([action])
    rsvps = paginate(request, action.rsvps.order_by("created_at", "pk"), 200)
    return render(request, "actions/rsvps.html", {"campaign": campaign, "action": action, "page": rsvps,
                                                  "report_form": ReportForm(), "now": timezone.now()})


@login_required
def action_rsvps_csv(request, slug, pk):
    action = _action(request, slug, pk, "actions.manage_action")
    services.record_export(request.user, action)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="rsvps-{action.pk}.csv"'
    writer = csv.writer(response)
    writer.writerow([_("Name or pseudonym"), _("Email"), _("Confirmed"), _("RSVP'd on")])
    for entry in action.rsvps.order_by("created_at", "pk").iterator():
        writer.writerow([
            _csv_safe(entry.name) if entry.share_name else _("(not shared)"),
            entry.email if entry.share_email else _("(not shared)"),
            _("yes") if entry.state == Rsvp.State.CONFIRMED else _("no"),
            timezone.localtime(entry.created_at).date().isoformat(),
        ])
    return response


def _csv_safe(value):
    """A spreadsheet must not read a name as a formula."""
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


@login_required
@require_POST
def action_report(request, slug, pk):
    action = _action(request, slug, pk, "actions.manage_action")
    form = ReportForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Say how many people came (a number)."))
        return redirect("actions:rsvps", slug, pk)
    return perform(request, lambda: services.report_back(request.user, action, **form.cleaned_data),
                   _("Thank you: your report is published on the action's page."),
                   reverse("actions:rsvps", args=[slug, pk]))


@login_required
@require_POST
def action_cancel(request, slug, pk):
    action = _action(request, slug, pk, "actions.manage_action")
    return perform(request, lambda: services.cancel_action(request.user, action),
                   _("The action is cancelled. Everyone who RSVP'd gets an email."), action.get_absolute_url())


# --- moderation ----------------------------------------------------------------------------------------------


@login_required
def moderation(request):
    require(request, "actions.moderation_queue")
    page = paginate(request, queries.pending_for(request.user), PER_PAGE)
    localize(page.object_list)
    return render(request, "actions/moderation.html", {"page": page, "reject_form": RejectForm()})


def _pending(request, pk):
    action = Action.objects.select_related("campaign").filter(pk=pk).first()
    if action is None or not request.user.has_perm("actions.view_action", action):
        raise Http404
    return get_for_user(request, action, "actions.moderate_action")


@login_required
@require_POST
def approve(request, pk):
    action = _pending(request, pk)
    trust = request.POST.get("trust") == "1"
    return perform(request, lambda: services.approve_action(request.user, action, trust=trust),
                   _("Approved: the action is published and its host is told.") if not trust else
                   _("Approved, and this host's next actions in this country will publish directly."),
                   reverse("actions:moderation"))


@login_required
@require_POST
def reject(request, pk):
    action = _pending(request, pk)
    form = RejectForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    return perform(request, lambda: services.reject_action(request.user, action, reason),
                   _("Rejected: the host is told why."), reverse("actions:moderation"))


# --- confirmation links --------------------------------------------------------------------------------------


@never_cache
def confirm(request, token):
    """The link in the email: a GET shows the place and a button; only the POST confirms (reads never write)."""
    try:
        entry = services.rsvp_for_token(token)
    except ServiceError as error:
        return render(request, "actions/bad_link.html", {"message": error.message}, status=400)
    if request.method == "POST":
        if request.POST.get("cancel") == "1":
            services.cancel_rsvp(token)
            messages.success(request, _("Your place is given back. Thank you for telling us."))
            return redirect(entry.action.get_absolute_url())
        services.confirm_rsvp(token)  # the page it redirects to says so (no flash beside it)
        return redirect(reverse("actions:confirm", args=[token]))
    action = entry.action
    localize([action])
    show = sees_address(request.user, action, has_rsvp=True,
                        today=timezone.localdate(timezone=services.zone_of(action.timezone)))
    return render(request, "actions/confirm.html", {"rsvp": entry, "action": action, "show_address": show})


def counts_json(request, slug):
    """Per-country counters as JSON (the widget script and other sites' pages)."""
    campaign = _campaign(slug)
    counts, totals = _counts(campaign)
    return HttpResponse(json.dumps({"countries": [{k: r[k] for k in ("country", "actions", "rsvps")}
                                                  for r in counts], "totals": totals},
                                   separators=(",", ":")), content_type="application/json")
