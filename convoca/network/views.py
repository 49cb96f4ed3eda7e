"""Pages of the coalition registry: organisations, people, national committees.

Thin views: an access helper returns the object or raises 404/403, a form
shapes the input, a service does the write."""

import json

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.core.serializers.json import DjangoJSONEncoder
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from convoca.core.errors import ServiceError
from convoca.core.second_factor import recent_second_factor
from convoca.core.web import apply_service_error, get_for_user, perform, require, submit

from . import mail, queries, services
from .forms import (
    CommitteeForm,
    CommitteeMemberForm,
    EraseForm,
    JoinForm,
    OrganisationForm,
    PersonForm,
    ProposeForm,
)
from .models import NationalCommittee, Person, ShownAs, Visibility
from .rules import can_see_field

PAGE_SIZE = 50
# The service checks all languages together; the form's free-text box shows the error.
PERSON_ERROR_FIELDS = {"languages": "other_languages"}


# --- organisations --------------------------------------------------------------------


def _get_organisation_for_user(request, pk):
    """The organisation if the user may see it; 404 otherwise (a private
    organisation's existence is not revealed)."""
    return get_for_user(request, queries.organisations_visible_to(request.user), pk=pk)


def organisation_detail(request, pk):
    organisation = _get_organisation_for_user(request, pk)
    people = queries.people_of_organisation(request.user, organisation)
    contact = organisation.contact if organisation.contact_id else None
    if contact is not None and not (
        can_see_field(request.user, contact, "display_name") and can_see_field(request.user, contact, "memberships")
    ):
        contact = None  # being an organisation's contact is a link to it, like a membership
    return render(request, "network/organisation_detail.html", {
        "organisation": organisation,
        "people": people,
        "contact": contact,
        "can_change": request.user.has_perm("network.change_organisation", organisation),
        "can_view_people": request.user.has_perm("network.view_person"),
    })


@login_required
def organisation_create(request):
    require(request, "network.add_organisation")
    form = OrganisationForm(request.user, request.POST or None)
    saved = submit(
        request, form,
        lambda: services.create_organisation(request.user, **form.cleaned_data),
        lambda organisation: _("Organisation “%(name)s” registered.") % {"name": organisation.name},
    )
    return saved or render(request, "network/organisation_form.html", {"form": form, "organisation": None})


@login_required
def organisation_edit(request, pk):
    organisation = _get_organisation_for_user(request, pk)
    require(request, "network.change_organisation", organisation)
    form = OrganisationForm(request.user, request.POST or None, organisation=organisation)
    saved = submit(
        request, form,
        lambda: services.update_organisation(request.user, organisation, **form.cleaned_data),
        lambda organisation: _("Changes to “%(name)s” saved.") % {"name": organisation.name},
    )
    return saved or render(request, "network/organisation_form.html", {"form": form, "organisation": organisation})


# --- people -----------------------------------------------------------------------------


def _get_person_for_user(request, pk):
    """The person if the user may see their name; 404 otherwise, so hidden
    people are indistinguishable from people who do not exist."""
    require(request, "network.view_person")
    return get_for_user(request, queries.people_visible_to(request.user), pk=pk)


@login_required
def person_detail(request, pk):
    person = _get_person_for_user(request, pk)
    card = queries.person_card(request.user, person, with_visibility=True)
    visibility_rows = []
    if card.visibility:
        labels = {
            "display_name": _("Display name"), "full_name": _("Full name"), "email": _("Email address"),
            "languages": _("Languages"), "memberships": _("Organisations"),
        }
        visibility_rows = [(labels[name], Visibility(level).label) for name, level in card.visibility.items()]
        shown_as = ShownAs(person.shown_as).label
        if person.shown_as == ShownAs.PSEUDONYM:
            shown_as = f"{shown_as}: {person.pseudonym}"
        visibility_rows.append((_("Shown to those who may not see the display name as"), shown_as))
    return render(request, "network/person_detail.html", {
        "person": person, "card": card, "visibility_rows": visibility_rows,
        "can_handle_data": request.user.has_perm("network.export_person_data", person),
    })


@login_required
def person_create(request):
    require(request, "network.add_person")
    form = PersonForm(request.user, request.POST or None)
    saved = submit(
        request, form,
        lambda: services.create_person(request.user, **form.service_kwargs()),
        lambda person: _("%(name)s added to the registry.") % {"name": person.display_name},
        PERSON_ERROR_FIELDS,
    )
    return saved or render(request, "network/person_form.html", {"form": form, "person": None})


@login_required
def person_edit(request, pk):
    person = _get_person_for_user(request, pk)
    require(request, "network.change_person", person)
    form = PersonForm(request.user, request.POST or None, person=person)
    saved = submit(
        request, form,
        lambda: services.update_person(request.user, person, **form.service_kwargs()),
        lambda _person: _("Changes saved."),
        PERSON_ERROR_FIELDS,
    )
    return saved or render(request, "network/person_form.html", {"form": form, "person": person})


# --- data rights ------------------------------------------------------------------------


@login_required
def my_data(request):
    """The account page links here: the data page of the person behind the account."""
    person = Person.objects.filter(user=request.user).first()
    if person is None:
        raise Http404
    return redirect("network:person_data", person.pk)


def _render_data_page(request, person, form, status=200):
    return render(request, "network/person_data.html", {
        "person": person,
        "is_self": person.user_id is not None and person.user_id == request.user.pk,
        "blockers": services.erasure_blockers(person) if person.erased_at is None else [],
        "form": form,
    }, status=status)


@login_required
def person_data(request, pk):
    """What the platform holds about a person: download it, or erase it (the person, or a coordinator)."""
    person = _get_person_for_user(request, pk)
    require(request, "network.export_person_data", person)
    return _render_data_page(request, person, EraseForm())


@login_required
@require_POST
@recent_second_factor
def person_data_download(request, pk):
    """The JSON file. A POST: the download is recorded in the audit trail, and a GET changes nothing."""
    person = _get_person_for_user(request, pk)
    require(request, "network.export_person_data", person)
    data = services.export_person_data(request.user, person)
    response = HttpResponse(json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2),
                            content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="convoca-personal-data-{person.pk}.json"'
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_POST
@recent_second_factor
def person_erase(request, pk):
    person = _get_person_for_user(request, pk)
    require(request, "network.erase_person", person)
    form = EraseForm(request.POST)
    if not form.is_valid():
        return _render_data_page(request, person, form, status=400)
    is_self = person.user_id is not None and person.user_id == request.user.pk
    try:
        services.erase_person(request.user, person)
    except ServiceError as error:
        apply_service_error(form, error)
        return _render_data_page(request, person, form, status=400)
    if is_self:
        logout(request)
        messages.success(request, _("Your personal data has been erased and your account closed."))
        return redirect("core:home")
    messages.success(request, _("The personal data of this person has been erased."))
    return redirect("network:person_data", person.pk)


# --- national committees -------------------------------------------------------------


def _get_committee_for_user(request, code):
    require(request, "network.view_committee")
    code = (code or "").upper()
    if len(code) != 2:
        raise Http404
    return get_for_user(request, NationalCommittee, country=code)


@login_required
def committee_list(request):
    require(request, "network.view_committee")
    committees = sorted(queries.committees_with_counts(), key=lambda c: str(c.country.name))
    return render(request, "network/committee_list.html", {
        "committees": committees,
        "can_add": request.user.has_perm("network.add_committee"),
    })


def _render_committee(request, committee, form=None, status=200):
    can_change = request.user.has_perm("network.change_committee", committee)
    if form is None and can_change:
        form = CommitteeMemberForm()
    return render(request, "network/committee_detail.html", {
        "committee": committee,
        "members": queries.committee_members_visible_to(request.user, committee),
        "can_change": can_change,
        "form": form,
    }, status=status)


@login_required
def committee_detail(request, code):
    return _render_committee(request, _get_committee_for_user(request, code))


@login_required
@recent_second_factor
def committee_create(request):
    require(request, "network.add_committee")
    form = CommitteeForm(request.POST or None)
    saved = submit(
        request, form,
        lambda: services.create_committee(request.user, form.cleaned_data["country"]),
        lambda committee: _("National committee of %(country)s created.") % {"country": committee.country.name},
    )
    return saved or render(request, "network/committee_form.html", {"form": form})


@login_required
@require_POST
@recent_second_factor
def committee_member_add(request, code):
    committee = _get_committee_for_user(request, code)
    require(request, "network.change_committee", committee)
    form = CommitteeMemberForm(request.POST)
    saved = submit(
        request, form,
        lambda: services.add_committee_member(request.user, committee, form.cleaned_data["person"]),
        lambda committee: _("%(name)s added to the committee.") % {"name": form.cleaned_data["person"].display_name},
    )
    return saved or _render_committee(request, committee, form)


@login_required
@require_POST
def committee_member_remove(request, code, person_pk):
    committee = _get_committee_for_user(request, code)
    require(request, "network.change_committee", committee)
    person = get_for_user(request, Person, pk=person_pk)
    return perform(
        request,
        lambda: services.remove_committee_member(request.user, committee, person),
        _("%(name)s removed from the committee.") % {"name": person.display_name},
        committee,
    )


# --- joining an organisation, deciding requests, unsubscribing ------------------------------------


@login_required
def join(request):
    """Ask to represent an organisation, or propose a new one; see one's own requests."""
    join_form = JoinForm(request.user, request.POST if request.POST.get("action") == "join" else None)
    propose_form = ProposeForm(request.POST if request.POST.get("action") == "propose" else None)
    if request.method == "POST":
        if request.POST.get("action") == "join":
            done = submit(
                request, join_form,
                lambda: services.request_to_join(request.user, join_form.cleaned_data["organisation"]),
                _("Your request was sent. You will be told by email."), redirect_to="network:join",
            )
        else:
            done = submit(
                request, propose_form,
                lambda: services.propose_organisation(request.user, **propose_form.cleaned_data),
                _("Your proposal was sent to the national committee. You will be told by email."),
                redirect_to="network:join",
            )
        if done:
            return done
    return render(request, "network/join.html", {
        "join_form": join_form, "propose_form": propose_form, "mine": queries.own_join_requests(request.user),
        "can_decide": queries.join_requests_to_decide(request.user).exists(),
    })


@login_required
def join_requests(request):
    require(request, "network.list_join_requests")
    rows = list(queries.join_requests_to_decide(request.user)[:200])
    for row in rows:
        row.person_name = row.person.display_name  # disclosed to those who decide (the join page says so)
    return render(request, "network/join_requests.html", {"rows": rows})


@login_required
@require_POST
def join_request_decide(request, pk):
    join_request = get_for_user(request, queries.join_requests_to_decide(request.user), pk=pk)
    accept = request.POST.get("decision") == "accept"
    if request.POST.get("decision") not in ("accept", "decline"):
        messages.error(request, _("Choose to accept or to decline."))
        return redirect("network:join_requests")
    return perform(
        request, lambda: services.decide_join_request(request.user, join_request, accept=accept),
        _("Accepted.") if accept else _("Declined."), "network:join_requests",
    )


def unsubscribe(request, token):
    """A GET only shows the question (mail scanners open links); the POST unsubscribes."""
    error = None
    if request.method == "POST":
        try:
            services.unsubscribe_from_messages(token)
        except ServiceError as refusal:
            error = refusal.message
        else:
            return render(request, "network/unsubscribe.html", {"done": True})
    elif mail.read_unsubscribe_token(token) is None:
        error = _("This unsubscribe link is not valid. Copy the whole link from the email, or log in and change what "
                  "you receive on your account page.")
    return render(request, "network/unsubscribe.html", {"error": error}, status=400 if error else 200)
