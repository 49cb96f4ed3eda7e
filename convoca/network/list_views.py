"""The registry's lists: people and organisations, searched with accents and capitals aside,
filtered, paged, and downloaded as CSV or XLSX.

A search finds a person only by what the viewer may see of them (the display name always, since
only people whose name the viewer may see are listed; the full name and the email where their
visibility allows). A download holds the same fields as the page, and a national committee's
download only the people and organisations of its country; downloading is recorded in the audit trail."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from convoca.audit import services as audit
from convoca.core import export
from convoca.core.roles import is_coordinator
from convoca.core.second_factor import recent_second_factor
from convoca.core.web import paginate, query_without_page, require

from . import queries
from .forms import OrganisationFilterForm
from .models import Sector
from .rules import committee_countries
from .search import matching

PAGE_SIZE = 50


class SearchForm(forms.Form):
    q = forms.CharField(
        label=gettext_lazy("Search"), required=False, max_length=100,
        help_text=gettext_lazy("Accents and capitals do not matter."),
    )

    def words(self):
        return self.cleaned_data.get("q", "") if self.is_bound and self.is_valid() else ""


class OrganisationSearchForm(OrganisationFilterForm):
    """The country and sector filters, and words of the name."""

    q = SearchForm.base_fields["q"]
    field_order = ["q", "country", "sector"]

    def __init__(self, data=None, **kwargs):
        super().__init__(data, **kwargs)
        self.order_fields(self.field_order)

    def filters(self):
        found = super().filters()
        words = self.cleaned_data.get("q", "") if hasattr(self, "cleaned_data") else ""
        return {**found, "q": words} if words else found


# --- organisations ------------------------------------------------------------------------


def _organisations(user, data):
    visible = queries.organisations_visible_to(user)
    form = OrganisationSearchForm(data or None, country_codes=queries.organisation_countries(visible))
    filters = form.filters() if data else {}  # country, sector and q, each when valid
    exact = {name: value for name, value in filters.items() if name != "q"}
    rows = matching(visible.filter(**exact), ["name_key"], filters.get("q", "")).order_by("name_key", "pk")
    return form, filters, rows


def organisation_list(request):
    form, filters, rows = _organisations(request.user, request.GET)
    return render(request, "network/organisation_list.html", {
        "form": form,
        "page": paginate(request, rows, PAGE_SIZE),
        "query": query_without_page(request),
        "hidden": sorted(filters.items()),
        "can_add": request.user.has_perm("network.add_organisation"),
        "can_export": request.user.has_perm("network.export_lists"),
    })


def _scope_to_committee(user, rows, country_field):
    """A national committee downloads only its country's rows (coordinators, all)."""
    if is_coordinator(user):
        return rows
    return rows.filter(**{f"{country_field}__in": committee_countries(user)}).distinct()


def _format(request, back):
    fmt = request.POST.get("format")
    if fmt not in export.FORMATS:
        messages.error(request, _("Choose CSV or XLSX."))
        return None, redirect(back)
    return fmt, None


@login_required
@require_POST
@recent_second_factor
def organisation_export(request):
    require(request, "network.export_lists")
    form, filters, rows = _organisations(request.user, request.POST)
    back = reverse("network:organisations") + "?" + urlencode(sorted(filters.items()))
    fmt, refusal = _format(request, back)
    if refusal:
        return refusal
    rows = _scope_to_committee(request.user, rows, "country")
    with transaction.atomic():
        audit.record(request.user, "organisations.exported", note=fmt)
    header = [_("Name"), _("Country"), _("Sector"), _("Website"), _("Listed")]

    sectors = {key: str(label) for key, label in Sector.choices}  # translated once, not per row
    listed = {True: _("Publicly"), False: _("Members only")}

    def lines():
        names = {}
        for org in rows.iterator(chunk_size=500):
            code = org.country.code
            if code not in names:
                names[code] = queries.country_name(code)
            yield [org.name, names[code], sectors.get(org.sector, org.sector), org.website, listed[org.is_public]]

    return export.response(fmt, "organisations", header, lines(), title=_("Organisations"))


# --- people -------------------------------------------------------------------------------------


def _people(user, data):
    form = SearchForm(data or None)
    words = form.words()
    visible = queries.people_visible_to(user)
    fields = [
        "display_name",  # everyone listed has a name the viewer may see
        ("full_name", queries.visibility_q(user, "full_name")),
        ("email", queries.visibility_q(user, "email")),
    ]
    return form, words, matching(visible, fields, words).order_by("display_name", "pk")


@login_required
def person_list(request):
    require(request, "network.list_people")
    form, words, rows = _people(request.user, request.GET)
    page = paginate(request, rows, PAGE_SIZE)
    cards = [queries.person_card(request.user, person) for person in page.object_list]
    return render(request, "network/person_list.html", {
        "form": form,
        "page": page,
        "cards": cards,
        "query": query_without_page(request),
        "hidden": [("q", words)] if words else [],
        "can_add": request.user.has_perm("network.add_person"),
        "can_export": request.user.has_perm("network.export_lists"),
    })


@login_required
@require_POST
@recent_second_factor
def person_export(request):
    require(request, "network.export_lists")
    form, words, rows = _people(request.user, request.POST)
    back = reverse("network:people") + (f"?{urlencode({'q': words})}" if words else "")
    fmt, refusal = _format(request, back)
    if refusal:
        return refusal
    rows = _scope_to_committee(request.user, rows, "memberships__organisation__country")
    with transaction.atomic():
        audit.record(request.user, "people.exported", note=fmt)
    user = request.user
    header = [_("Name"), _("Full name"), _("Email"), _("Languages"), _("Organisations")]

    def lines():
        for person in rows.iterator(chunk_size=500):
            card = queries.person_card(user, person)
            yield [
                card.display_name,
                card.full_name or "",
                card.email or "",
                ", ".join(card.language_names or []),
                ", ".join(o.name for o in card.organisations) if card.organisations is not None else "",
            ]

    return export.response(fmt, "people", header, lines(), title=_("People"))

