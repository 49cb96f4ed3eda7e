"""The managers' list of registrations: search, filters, pages, downloads and bulk actions.

Filters are a GET form (a link keeps them); the download and the bulk actions are POST forms that
carry the same filters as hidden fields, so "all that match this filter" means the same rows the
page counted. Every page costs the same queries whatever its rows (tests count them)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from convoca.accounts.second_factor import recent_second_factor
from convoca.audit import services as audit
from convoca.core import export
from convoca.core.errors import ServiceError
from convoca.core.web import get_for_user, paginate, query_without_page, service_message
from convoca.network.models import Sector
from convoca.network.queries import country_name, sorted_country_choices
from convoca.network.rules import can_see_field
from convoca.texts.queries import localize

from . import bulk, queries
from .forms import BulkActionForm, RegistrationFilterForm
from .models import Gathering, Registration
from .templatetags.gatherings_tags import registrant_name

PAGE_SIZE = 50


def _filters(data, gathering):
    countries = sorted_country_choices(queries.registration_countries(gathering))
    return RegistrationFilterForm(data or None, countries=countries)


def _hidden(filters):
    """The valid filters as (name, value) pairs, for hidden fields and links."""
    if not filters.is_bound:
        return []
    filters.is_valid()  # the fields that validated are in cleaned_data, the others left out
    return [(name, value) for name, value in filters.cleaned_data.items() if value]


def _bulk_form(request, data=None):
    form = BulkActionForm(data)
    if not request.user.has_perm("accounts.invite"):
        form.fields["action"].choices = [c for c in form.fields["action"].choices if c[0] != "invite"]
    return form


@never_cache
@login_required
def registration_list(request, slug):
    gathering = get_for_user(request, Gathering, "gatherings.list_registrations", slug=slug)
    filters = _filters(request.GET, gathering)
    values = filters.values()
    page = paginate(request, queries.registrations_for(gathering, **values), PAGE_SIZE)
    localize([gathering])
    return render(
        request,
        "gatherings/registrations.html",
        {
            "gathering": gathering,
            "filters": filters,
            "filtered": bool(values),
            "hidden": _hidden(filters),
            "bulk": _bulk_form(request),
            "page": page,
            "counts": queries.counts_by_status(gathering, role=values.get("role")),
            "present": queries.present_count(gathering),
            "query": query_without_page(request),
            "here": request.get_full_path(),
        },
    )


def _back(gathering, filters):
    query = urlencode(_hidden(filters))
    return reverse("gatherings:registrations", args=[gathering.slug]) + (f"?{query}" if query else "")


@login_required
@require_POST
@recent_second_factor
def registration_bulk(request, slug):
    """One action over the ticked rows, or over all that match the posted filters; then a summary
    of what was done and what was refused, row by row, with the reason."""
    gathering = get_for_user(request, Gathering, "gatherings.list_registrations", slug=slug)
    filters = _filters(request.POST, gathering)
    form = _bulk_form(request, request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect(_back(gathering, filters))
    data = form.cleaned_data
    try:
        if data["all_matching"]:
            rows = queries.registrations_for(gathering, **filters.values())
            summary = bulk.act_on(request.user, data["action"], rows, reason=data["reason"])
        else:  # the same service as the API and the ``bulk-registrations`` command
            summary = bulk.act_on_ids(request.user, gathering, data["action"], data["registration"],
                                      reason=data["reason"])
    except ServiceError as error:
        messages.error(request, service_message(error))
        return redirect(_back(gathering, filters))
    if summary.done:
        count = len(summary.done)
        messages.success(
            request, ngettext("Done for %(count)d registration.", "Done for %(count)d registrations.", count)
            % {"count": count},
        )
    localize([gathering])
    return render(
        request,
        "gatherings/bulk_done.html",
        {"gathering": gathering, "summary": summary, "action": dict(BulkActionForm.ACTIONS)[data["action"]],
         "back": _back(gathering, filters)},
    )


def _export_rows(request, registrations):
    user = request.user
    context = {"request": request}
    # Choice labels and country names translated once per download, not per row (a lazy label costs ~1 ms).
    roles, statuses, mandates, sectors = (
        {key: str(label) for key, label in choices}
        for choices in (Registration.Role.choices, Registration.Status.choices, Registration.Mandate.choices,
                        Sector.choices)
    )
    country_names = {}
    for registration in registrations.iterator(chunk_size=500):
        person, org = registration.person, registration.organisation
        checked_in = registration.checked_in_at
        if org is not None and org.country.code not in country_names:
            country_names[org.country.code] = country_name(org.country.code)
        yield [
            registration.pk,
            registrant_name(context, registration),  # as the list shows it to this viewer
            person.full_name if person.erased_at is None and can_see_field(user, person, "full_name") else "",
            person.email if person.erased_at is None and can_see_field(user, person, "email") else "",
            roles.get(registration.role, registration.role),
            org.name if org else "",
            country_names[org.country.code] if org else "",
            sectors.get(org.sector, org.sector) if org else "",
            mandates.get(registration.mandate, registration.mandate) if registration.is_delegate else "",
            statuses.get(registration.status, registration.status),
            timezone.localtime(checked_in).strftime("%Y-%m-%d %H:%M") if checked_in else "",
        ]


@login_required
@require_POST
@recent_second_factor
def registration_export(request, slug):
    """The filtered list as CSV or XLSX, with only what the viewer may see; recorded in the audit trail."""
    gathering = get_for_user(request, Gathering, "gatherings.list_registrations", slug=slug)
    filters = _filters(request.POST, gathering)
    fmt = request.POST.get("format")
    if fmt not in export.FORMATS:
        messages.error(request, _("Choose CSV or XLSX."))
        return redirect(_back(gathering, filters))
    with transaction.atomic():
        audit.record(request.user, "registrations.exported", gathering=gathering, note=fmt)
    header = [
        _("Number"), _("Name"), _("Full name"), _("Email"), _("Role"), _("Organisation"), _("Country"),
        _("Sector"), _("Mandate"), _("Status"), _("Checked in"),
    ]
    rows = _export_rows(request, queries.registrations_for(gathering, **filters.values()))
    return export.response(fmt, f"registrations-{gathering.slug}", header, rows, title=_("Registrations"))
