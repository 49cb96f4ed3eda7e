"""Thin views: an access helper returns the object or raises 404/403, a form,
one service call, then render or redirect. htmx requests (``HX-Request``) get
a partial instead of a redirect; every form also works without JavaScript."""

from functools import partial

import segno
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from convoca.accounts.second_factor import recent_second_factor
from convoca.core.errors import ServiceError
from convoca.core.web import (
    apply_service_error,
    get_for_user,
    perform,
    require,
    service_message,
    submit,
)
from convoca.network.models import Person
from convoca.texts.queries import localize

from . import queries, services
from .forms import CheckInForm, GatheringForm, MandateForm, RefuseForm, RegistrationForm
from .models import Gathering
from .rules import can_manage, can_see_online_room

PAGE_SIZE = 100


def _is_htmx(request):
    return request.headers.get("HX-Request") == "true"


def _get_registration(request, slug, pk, perm):
    """A registration of the gathering ``slug`` (404 for one of another gathering), if ``perm`` allows.
    One the user may not even see answers 404 too: an id must not tell whether someone registered."""
    gathering = get_for_user(request, Gathering, slug=slug)
    registration = queries.get_registration(gathering, pk)
    if registration is not None and not request.user.has_perm("gatherings.view_registration", registration):
        registration = None
    return get_for_user(request, registration, perm)


def _next_url(request, default):
    target = request.POST.get("next") or request.GET.get("next")
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return target
    return default


# --- gatherings -----------------------------------------------------------------


def gathering_list(request):
    """Upcoming and past gatherings, in the reader's language (one query for every translation shown)."""
    upcoming, past = list(queries.upcoming_gatherings()), list(queries.past_gatherings()[:50])
    localize(upcoming + past)
    return render(
        request,
        "gatherings/list.html",
        {"upcoming": upcoming, "past": past, "can_create": request.user.has_perm("gatherings.add_gathering")},
    )


def gathering_detail(request, slug):
    """In the reader's language, or the original with ``?original=1``."""
    gathering = get_for_user(request, Gathering, slug=slug)
    localize([gathering], original=bool(request.GET.get("original")))
    mine = queries.registration_of(request.user, gathering)
    manages = can_manage(request.user, gathering)
    return render(
        request,
        "gatherings/detail.html",
        {
            "gathering": gathering,
            "shown": gathering.localized,
            "can_translate": request.user.has_perm("texts.translate", gathering),
            "mine": mine,
            "manages": manages,
            "registration_open": services.registration_is_open(gathering),
            "show_online_room": bool(gathering.online_url) and can_see_online_room(request.user, gathering, mine),
        },
    )


def _gathering_form(request, gathering, save, done):
    """Create (``gathering`` None) or edit: the form, then ``save(user, **values)``."""
    scope = gathering is None or request.user.has_perm("gatherings.change_gathering_scope")
    form = GatheringForm(request.POST or None, gathering=gathering, can_change_scope=scope)

    def write():
        values = form.service_values()
        if not scope:
            for name in services.SCOPE_FIELDS:
                values.pop(name)
        return save(request.user, **values)

    saved = submit(request, form, write, done)
    return saved or render(request, "gatherings/form.html", {"form": form, "gathering": gathering})


@login_required
@recent_second_factor
def gathering_create(request):
    require(request, "gatherings.add_gathering")
    return _gathering_form(request, None, services.create_gathering, _("The gathering has been created."))


@login_required
@recent_second_factor
def gathering_edit(request, slug):
    gathering = get_for_user(request, Gathering, "gatherings.change_gathering", slug=slug)
    return _gathering_form(
        request, gathering, partial(services.update_gathering, gathering=gathering), _("The gathering has been saved.")
    )


# --- registration -----------------------------------------------------------------


@login_required
def register(request, slug):
    gathering = get_for_user(request, Gathering, "gatherings.register", slug=slug)
    mine = queries.registration_of(request.user, gathering)
    if mine is not None:
        messages.info(request, _("You are already registered for this gathering."))
        return redirect(mine)
    person = Person.objects.filter(user=request.user).first()
    form = RegistrationForm(request.POST or None, person=person)
    saved = person is not None and submit(  # without a registry record there is nothing to register
        request, form,
        lambda: services.register(
            request.user, gathering, role=form.cleaned_data["role"], organisation=form.cleaned_data["organisation"]
        ),
        _("You are registered. The organisers will review your registration."),
    )
    localize([gathering])
    return saved or render(
        request,
        "gatherings/register.html",
        {
            "gathering": gathering,
            "form": form,
            "person": person,
            "registration_open": services.registration_is_open(gathering),
        },
    )


@never_cache
@login_required
def registration_detail(request, slug, pk):
    registration = _get_registration(request, slug, pk, "gatherings.view_registration")
    localize([registration.gathering])
    return render(
        request,
        "gatherings/registration.html",
        {"registration": registration, "gathering": registration.gathering, "refuse_form": RefuseForm()},
    )


def _after_decision(request, registration, message=None, error=None):
    """htmx: the refreshed table row, which replaces the row of the button pressed (the list's buttons share one
    form: the answer names its row). Otherwise: a message and back where we came from."""
    if _is_htmx(request):
        response = render(
            request,
            "gatherings/_registration_row.html",
            {"registration": registration, "row_error": error, "row_message": message},
        )
        response["HX-Retarget"] = f"#registration-{registration.pk}"
        response["HX-Reswap"] = "outerHTML"
        return response
    if error:
        messages.error(request, error)
    elif message:
        messages.success(request, message)
    return redirect(_next_url(request, registration.get_absolute_url()))


@login_required
@require_POST
@recent_second_factor
def accredit(request, slug, pk):
    registration = _get_registration(request, slug, pk, "gatherings.accredit")
    try:
        services.accredit(request.user, registration)
    except ServiceError as error:
        return _after_decision(request, registration, error=service_message(error))
    return _after_decision(request, registration, message=_("Accredited."))


@login_required
@recent_second_factor
def refuse(request, slug, pk):
    registration = _get_registration(request, slug, pk, "gatherings.accredit")
    form = RefuseForm(request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            try:
                services.refuse(request.user, registration, form.cleaned_data["reason"])
            except ServiceError as error:
                apply_service_error(form, error)
            else:
                return _after_decision(request, registration, message=_("Refused."))
        if _is_htmx(request):
            errors = [message for messages_ in form.errors.values() for message in messages_]
            return _after_decision(request, registration, error=" ".join(errors))
    localize([registration.gathering])
    return render(
        request,
        "gatherings/refuse.html",
        {"registration": registration, "gathering": registration.gathering, "form": form,
         "next": _next_url(request, "")},
    )


@login_required
@require_POST
@recent_second_factor
def decide_mandate(request, slug, pk):
    registration = _get_registration(request, slug, pk, "gatherings.confirm_mandate")
    form = MandateForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose whether to confirm or reject the mandate."))
        return redirect(_next_url(request, registration.get_absolute_url()))
    confirm = form.cleaned_data["decision"] == "confirm"
    decide = services.confirm_mandate if confirm else services.reject_mandate
    return perform(
        request, lambda: decide(request.user, registration),
        _("Mandate confirmed.") if confirm else _("Mandate rejected."),
        _next_url(request, registration.get_absolute_url()),
    )


@never_cache
@login_required
def mandate_list(request):
    require(request, "gatherings.list_mandates")
    pending = list(queries.mandates_to_decide(request.user)[:PAGE_SIZE])
    localize([registration.gathering for registration in pending])
    return render(request, "gatherings/mandates.html", {"pending": pending})


# --- badges and check-in -------------------------------------------------------------


def qr_svg(text, title):
    """The QR code as inline SVG: no ``style`` attribute, sized by CSS."""
    return segno.make(text, error="m").svg_inline(omitsize=True, svgclass="qr", lineclass=None, title=title, light="#fff")


@never_cache
@login_required
def badge(request, slug, pk):
    registration = _get_registration(request, slug, pk, "gatherings.view_badge")
    token = svg = None
    if registration.badge_is_valid:
        token = services.badge_token(registration)
        svg = qr_svg(token, _("QR code of the badge"))
    localize([registration.gathering])
    return render(
        request,
        "gatherings/badge.html",
        {"registration": registration, "gathering": registration.gathering, "token": token, "svg": svg},
    )


@login_required
@require_POST
@recent_second_factor
def revoke_badge(request, slug, pk):
    registration = _get_registration(request, slug, pk, "gatherings.manage_badge")
    return perform(
        request, lambda: services.revoke_badge(request.user, registration),
        _("The badge has been revoked. It no longer admits anyone."), registration,
    )


@login_required
@require_POST
@recent_second_factor
def reissue_badge(request, slug, pk):
    registration = _get_registration(request, slug, pk, "gatherings.manage_badge")
    return perform(
        request, lambda: services.reissue_badge(request.user, registration),
        _("A new badge has been issued. Earlier badges no longer admit."), registration,
    )


@never_cache
@login_required
def checkin(request, slug):
    gathering = get_for_user(request, Gathering, "gatherings.check_in", slug=slug)
    result = refusal = None
    if request.method == "POST":
        scanned = CheckInForm(request.POST)
        if scanned.is_valid():
            try:
                result = services.check_in(request.user, gathering, scanned.cleaned_data["token"])
            except ServiceError as error:
                refusal = service_message(error)
        else:
            refusal = " ".join(scanned.errors.get("token", []))
    context = {
        "gathering": gathering, "result": result, "refusal": refusal,
        "form": CheckInForm(),  # always an empty field, ready for the next badge
        "present": queries.present_count(gathering),
    }
    if _is_htmx(request):
        return render(request, "gatherings/_checkin.html", context)
    localize([gathering])
    response = render(request, "gatherings/checkin.html", context)
    # The one page that may ask for the camera (js/checkin-camera.js reads badges with it); every
    # other page keeps the middleware's camera=().
    response["Permissions-Policy"] = "camera=(self), microphone=(), geolocation=(), interest-cohort=()"
    return response
