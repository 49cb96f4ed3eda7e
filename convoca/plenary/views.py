"""Thin views of the plenary: an access helper returns the gathering or item or raises 404/403, one service
call, then render or redirect. Every page works without JavaScript (forms post and redirect; live pages
reload themselves every 20 seconds); each live part of a page is also served alone (``?part=<name>``) for
the live stream's script (``static/js/live.js``, docs/CONTRIBUTING.md "Live pages"): live parts carry
``data-live-refresh`` (the part's address) and ``data-live-kinds`` (the events that change it), and the part's
answer is the whole element, which replaces it."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import AnonymousUser
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from convoca.core.errors import ServiceError
from convoca.core.web import get_for_user, perform, require, service_message, submit
from convoca.gatherings.models import Gathering
from convoca.gatherings.queries import registrations_for
from convoca.texts.queries import localize

from . import calendar, queries, services
from .forms import (
    AddSpeakerForm,
    AskForm,
    CurrentForm,
    ItemForm,
    MessageForm,
    MoveForm,
    ProjectorForm,
    RemoteForm,
    RulesForm,
    SessionForm,
    VersionForm,
)
from .models import Projector, Session, Speaker
from .rules import can_see_video_room

NOSCRIPT_REFRESH_SECONDS = 20  # a whole page reloads this often without JavaScript


def _live(context):
    context.update(noscript_refresh=NOSCRIPT_REFRESH_SECONDS)
    return context


def _gathering(request, slug, perm="plenary.view_programme"):
    """The gathering ``slug``; a programme the user may not see yet is a 404 (it is not published), a chair's
    page the 403 page."""
    gathering = get_for_user(request, Gathering, slug=slug)
    if not request.user.has_perm(perm, gathering):
        if perm == "plenary.view_programme":
            raise Http404
        require(request, perm, gathering)
    return gathering


def _item(request, slug, pk, perm="plenary.view_programme"):
    gathering = _gathering(request, slug, perm)
    item = queries.get_item(gathering, pk)
    if item is None:
        raise Http404
    item.gathering = gathering
    return gathering, item


def _part(request, parts):
    part = request.GET.get("part")
    return parts.get(part) if part else None


def _next_url(request, default):
    target = request.POST.get("next") or request.GET.get("next")
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return target
    return default


def _console_url(gathering):
    return reverse("plenary:console", args=[gathering.slug])


def _version(form):
    return form.cleaned_data.get("version") if form.is_valid() else None


def _flash_form_errors(request, form):
    for errors in form.errors.values():
        for error in errors:
            messages.error(request, error)


# --- the programme --------------------------------------------------------------------------------


def programme(request, slug):
    """The published programme: sessions with their times and rooms, and their items in order."""
    gathering = _gathering(request, slug)
    localize([gathering])
    plenary = queries.plenary_row(gathering)
    context = _live({
        "gathering": gathering, "blocks": queries.programme(gathering), "plenary": plenary,
        "chair": request.user.has_perm("plenary.chair", gathering),
        "show_video": can_see_video_room(request.user, gathering),
    })
    template = _part(request, {"agenda": "plenary/_programme.html"}) or "plenary/programme.html"
    return render(request, template, context)


def calendar_feed(request, slug):
    """The sessions as an iCalendar file (times, rooms, the programme's address; never a video room)."""
    gathering = _gathering(request, slug)
    body = calendar.sessions_ics(gathering, request.build_absolute_uri(reverse("plenary:programme", args=[slug])))
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{gathering.slug}.ics"'
    return response


# --- the live page and the item pages ------------------------------------------------------------------


def _ask_form_for(request, item, mine):
    if item is None or item.list_closed or mine is not None:
        return None
    if not request.user.has_perm("plenary.ask_to_speak", item):
        return None
    return AskForm()


@never_cache
def live(request, slug):
    """What happens now: the current item, who speaks (and the clock), who is next, the item's poll, the
    chair's message; a form to ask to speak for those who may."""
    gathering = _gathering(request, slug)
    localize([gathering])
    now = queries.live(request.user, gathering)
    context = _live({
        "gathering": gathering, "now": now,
        "ask_form": _ask_form_for(request, now.item, now.speakers.mine if now.speakers else None),
    })
    template = _part(request, {"now": "plenary/_now.html", "poll": "plenary/_poll_part.html"}) or "plenary/live.html"
    return render(request, template, context)


@never_cache
def item_detail(request, slug, pk):
    """An item of the agenda and its list of speakers (everyone's place and why)."""
    gathering, item = _item(request, slug, pk)
    localize([gathering, item, *([item.session] if item.session else [])])
    speakers = queries.speakers_list(request.user, item)
    context = _live({
        "gathering": gathering, "item": item, "speakers": speakers,
        "is_current": queries.plenary_row(gathering).current_item_id == item.pk,
        "ask_form": _ask_form_for(request, item, speakers.mine),
    })
    template = _part(request, {"speakers": "plenary/_speakers.html"}) or "plenary/item.html"
    return render(request, template, context)


@login_required
@require_POST
def ask(request, slug, pk):
    gathering, item = _item(request, slug, pk)
    form = AskForm(request.POST)
    back = _next_url(request, item.get_absolute_url())
    if not form.is_valid():
        _flash_form_errors(request, form)
        return redirect(back)
    return perform(
        request,
        lambda: services.ask_to_speak(request.user, item, kind=form.cleaned_data["kind"],
                                      gender=form.cleaned_data["gender"], remote=form.cleaned_data["remote"] or None),
        lambda speaker: _("You are on the list of speakers, number %(number)s.") % {"number": speaker.number},
        back,
    )


@login_required
@require_POST
def withdraw(request, slug, pk):
    gathering, item = _item(request, slug, pk)
    return perform(request, lambda: services.withdraw(request.user, item),
                   _("You have withdrawn your request to speak."), _next_url(request, item.get_absolute_url()))


# --- the chair's console -------------------------------------------------------------------------------


def _registration_labels(viewer, gathering):
    """{registration id: how the chair sees the participant} for the chair's pick lists (one query)."""
    labels = {}
    for registration in registrations_for(gathering, status="accredited"):
        organisation = f" ({registration.organisation.name})" if registration.organisation_id else ""
        labels[registration.pk] = f"{registration.person.display_name}{organisation} · {registration.get_role_display()}"
    return labels


@never_cache
@login_required
def console(request, slug):
    """Every control of the plenary on one page: the current item, the floor and its clock, the list of
    speakers (move, remove, add), its rules, the chair's message, remote participants and the screens."""
    gathering = _gathering(request, slug, "plenary.chair")
    localize([gathering])
    now = queries.live(request.user, gathering)
    plenary = now.plenary
    labels = _registration_labels(request.user, gathering)
    context = _live({
        "gathering": gathering, "now": now, "plenary": plenary,
        "full": queries.speakers_list(request.user, now.item) if now.item else None,
        "current_form": CurrentForm(gathering=gathering, initial={"item": plenary.current_item_id,
                                                                  "version": plenary.version}),
        "message_form": MessageForm(initial={"message": plenary.message}),
        # Adding someone and choosing the rules make sense whatever changed meanwhile: no version to go stale.
        "add_form": AddSpeakerForm(gathering=gathering, labels=labels),
        "rules_form": RulesForm(initial={
            "first_time": now.item.balance_first_time, "gender": now.item.balance_gender,
            "country": now.item.balance_country,
        }) if now.item else None,
        "remote_form": RemoteForm(gathering=gathering, labels=labels),
        "remote_count": len(queries.remote_participants(gathering)),
    })
    template = _part(request, {"floor": "plenary/_console.html"}) or "plenary/console.html"
    return render(request, template, context)


@login_required
@require_POST
def set_current(request, slug):
    gathering = _gathering(request, slug, "plenary.chair")
    form = CurrentForm(request.POST, gathering=gathering)
    if not form.is_valid():
        _flash_form_errors(request, form)
        return redirect(_console_url(gathering))
    return perform(
        request, lambda: services.set_current_item(request.user, gathering, form.cleaned_data["item"],
                                                   expected_version=form.cleaned_data["version"]),
        _("The current item has changed."), _console_url(gathering),
    )


@login_required
@require_POST
def set_message(request, slug):
    gathering = _gathering(request, slug, "plenary.chair")
    form = MessageForm(request.POST)
    if not form.is_valid():
        _flash_form_errors(request, form)
        return redirect(_console_url(gathering))
    return perform(request, lambda: services.set_message(request.user, gathering, form.cleaned_data["message"]),
                   _("The message to the hall has been saved."), _console_url(gathering))


FLOOR_ACTIONS = {
    "next": (services.start_next, gettext_lazy("The floor has passed to the next speaker.")),
    "stop": (services.stop_speaker, gettext_lazy("The speech has ended.")),
    "pause": (services.pause_speaker, gettext_lazy("The clock is stopped.")),
    "resume": (services.resume_speaker, gettext_lazy("The clock runs again.")),
}


@login_required
@require_POST
def floor(request, slug, pk):
    """The floor: next speaker (or one chosen with ``speaker``), end, pause, resume."""
    gathering, item = _item(request, slug, pk, "plenary.chair")
    form = VersionForm(request.POST)
    action = request.POST.get("action")
    if action not in FLOOR_ACTIONS:
        messages.error(request, _("Choose what to do with the floor."))
        return redirect(_console_url(gathering))
    write, done = FLOOR_ACTIONS[action]
    kwargs = {"expected_version": _version(form)}
    if action == "next" and request.POST.get("speaker"):
        kwargs["speaker"] = request.POST["speaker"]
    return perform(request, lambda: write(request.user, item, **kwargs), str(done), _console_url(gathering))


@login_required
@require_POST
def list_state(request, slug, pk):
    """Close the list of speakers, or open it again."""
    gathering, item = _item(request, slug, pk, "plenary.chair")
    closed = request.POST.get("action") == "close"
    return perform(
        request, lambda: services.close_list(request.user, item, closed, expected_version=_version(VersionForm(request.POST))),
        _("The list of speakers is closed.") if closed else _("The list of speakers is open again."),
        _next_url(request, _console_url(gathering)),
    )


@login_required
@require_POST
def balance_rules(request, slug, pk):
    gathering, item = _item(request, slug, pk, "plenary.chair")
    form = RulesForm(request.POST)
    if not form.is_valid():
        _flash_form_errors(request, form)
        return redirect(_console_url(gathering))
    values = form.cleaned_data
    return perform(
        request, lambda: services.set_balance_rules(request.user, item, first_time=values["first_time"],
                                                    gender=values["gender"], country=values["country"],
                                                    expected_version=values["version"]),
        _("The list follows the rules you chose."), _console_url(gathering),
    )


@login_required
@require_POST
def add_speaker(request, slug, pk):
    gathering, item = _item(request, slug, pk, "plenary.chair")
    form = AddSpeakerForm(request.POST, gathering=gathering)
    if not form.is_valid():
        _flash_form_errors(request, form)
        return redirect(_console_url(gathering))
    values = form.cleaned_data
    return perform(
        request, lambda: services.add_speaker(request.user, item, values["registration"], kind=values["kind"],
                                              expected_version=values["version"]),
        _("The participant is on the list of speakers."), _console_url(gathering),
    )


def _speaker(request, slug, pk):
    gathering = _gathering(request, slug, "plenary.chair")
    speaker = Speaker.objects.select_related("item__gathering", "registration").filter(
        pk=pk, item__gathering=gathering).first()
    if speaker is None:
        raise Http404
    return gathering, speaker


@login_required
@require_POST
def move_speaker(request, slug, pk):
    gathering, speaker = _speaker(request, slug, pk)
    form = MoveForm(request.POST)
    if not form.is_valid():
        _flash_form_errors(request, form)
        return redirect(_console_url(gathering))
    return perform(
        request, lambda: services.move_speaker(request.user, speaker, form.cleaned_data["place"],
                                               form.cleaned_data["version"]),
        _("The speaker has been moved."), _console_url(gathering),
    )


@login_required
@require_POST
def remove_speaker(request, slug, pk):
    gathering, speaker = _speaker(request, slug, pk)
    return perform(
        request, lambda: services.remove_speaker(request.user, speaker, _version(VersionForm(request.POST))),
        _("The speaker has been taken off the list."), _console_url(gathering),
    )


@login_required
@require_POST
def admit_remote(request, slug):
    gathering = _gathering(request, slug, "plenary.chair")
    form = RemoteForm(request.POST, gathering=gathering)
    if not form.is_valid():
        _flash_form_errors(request, form)
        return redirect(_console_url(gathering))
    return perform(request, lambda: services.admit_remote(request.user, form.cleaned_data["registration"]),
                   _("The participant takes part remotely and counts as present."), _console_url(gathering))


# --- the agenda (chairs) -----------------------------------------------------------------------------


@never_cache
@login_required
def manage(request, slug):
    """The chairs' agenda: sessions and items with their links to edit, and whether the programme is public."""
    gathering = _gathering(request, slug, "plenary.chair")
    localize([gathering])
    return render(request, "plenary/manage.html", {
        "gathering": gathering, "blocks": queries.programme(gathering), "plenary": queries.plenary_row(gathering),
    })


@login_required
@require_POST
def publish(request, slug):
    gathering = _gathering(request, slug, "plenary.chair")
    published = request.POST.get("action") != "unpublish"
    return perform(
        request, lambda: services.publish_programme(request.user, gathering, published),
        _("The programme is published.") if published else _("The programme is no longer published."),
        reverse("plenary:manage", args=[slug]),
    )


def _session_form(request, gathering, session, save):
    form = SessionForm(request.POST or None, session=session)
    saved = submit(request, form, lambda: save(**form.cleaned_data), _("The session has been saved."),
                   redirect_to=reverse("plenary:manage", args=[gathering.slug]))
    localize([gathering])
    return saved or render(request, "plenary/session_form.html", {"gathering": gathering, "form": form,
                                                                   "session": session})


@login_required
def session_create(request, slug):
    gathering = _gathering(request, slug, "plenary.chair")
    return _session_form(request, gathering, None,
                         lambda **values: services.create_session(request.user, gathering, **values))


@login_required
def session_edit(request, slug, pk):
    gathering = _gathering(request, slug, "plenary.chair")
    session = get_for_user(request, Session.objects.filter(gathering=gathering), pk=pk)
    return _session_form(request, gathering, session,
                         lambda **values: services.update_session(request.user, session, **values))


def _item_form(request, gathering, item, save):
    form = ItemForm(request.POST or None, gathering=gathering, item=item)
    saved = submit(request, form, lambda: save(**form.cleaned_data), _("The agenda item has been saved."),
                   redirect_to=reverse("plenary:manage", args=[gathering.slug]))
    localize([gathering])
    return saved or render(request, "plenary/item_form.html", {"gathering": gathering, "form": form, "item": item})


@login_required
def item_create(request, slug):
    gathering = _gathering(request, slug, "plenary.chair")
    return _item_form(request, gathering, None, lambda **values: services.create_item(request.user, gathering, **values))


@login_required
def item_edit(request, slug, pk):
    gathering, item = _item(request, slug, pk, "plenary.chair")
    return _item_form(request, gathering, item, lambda **values: services.update_item(request.user, item, **values))


# --- screens of the hall -------------------------------------------------------------------------------


@never_cache
@login_required
def projectors(request, slug):
    """The gathering's screens; a new one's secret address is shown once, on the page that answers its creation."""
    gathering = _gathering(request, slug, "plenary.chair")
    form = ProjectorForm(request.POST or None)
    created = token = None
    if request.method == "POST" and form.is_valid():
        try:
            created, token = services.create_projector(request.user, gathering, form.cleaned_data["name"])
        except ServiceError as error:
            form.add_error("name", service_message(error))
        else:
            form = ProjectorForm()
    return _projectors_page(request, gathering, form, created, token)


def _projectors_page(request, gathering, form, shown=None, token=None):
    localize([gathering])
    address = request.build_absolute_uri(reverse("plenary:screen", args=[gathering.slug, token])) if token else None
    return render(request, "plenary/projectors.html", {
        "gathering": gathering, "form": form, "projectors": Projector.objects.filter(gathering=gathering),
        "shown": shown, "address": address,
    })


def _projector(request, slug, pk):
    gathering = _gathering(request, slug, "plenary.chair")
    projector = Projector.objects.filter(gathering=gathering, pk=pk).first()
    if projector is None:
        raise Http404
    return gathering, projector


@never_cache
@login_required
@require_POST
def projector_renew(request, slug, pk):
    gathering, projector = _projector(request, slug, pk)
    projector, token = services.renew_projector(request.user, projector)
    return _projectors_page(request, gathering, ProjectorForm(), projector, token)


@login_required
@require_POST
def projector_delete(request, slug, pk):
    gathering, projector = _projector(request, slug, pk)
    return perform(request, lambda: services.delete_projector(request.user, projector),
                   _("The screen has been removed: its address no longer opens anything."),
                   reverse("plenary:projectors", args=[slug]))


def _screen(request, gathering, part_url, name):
    localize([gathering])
    context = _live({"gathering": gathering, "now": queries.live(AnonymousUser(), gathering, public=True),
                     "part_url": part_url, "screen_name": name})
    template = _part(request, {"screen": "plenary/_screen.html", "poll": "plenary/_poll_part.html"}) or "plenary/screen.html"
    return render(request, template, context)


@never_cache
@login_required
def projector_view(request, slug, pk):
    """A chair's look at a screen, without its secret address."""
    gathering, projector = _projector(request, slug, pk)
    return _screen(request, gathering, request.path, projector.name)


@never_cache
def screen(request, slug, token):
    """A screen of the hall, opened by its secret address: no login, no controls, nobody's own data."""
    projector = queries.projector_for_token(token)
    if projector is None or projector.gathering.slug != slug:
        raise Http404
    return _screen(request, projector.gathering, request.path, projector.name)
