"""Thin views: an access helper returns the object or raises 404/403, a form, one service call, then render
or redirect (``core.web``). Every form posts and redirects: no page needs JavaScript."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from convoca.accounts.second_factor import recent_second_factor
from convoca.core.errors import ServiceError
from convoca.core.web import apply_service_error, get_for_user, paginate, perform, query_without_page, require, submit
from convoca.gatherings.models import Gathering

from . import consolidation as cons
from . import export, forms, queries, services
from .models import Amendment, Conflict, Proposal

PAGE_SIZE = 50
ACTION_PERMS = {
    "submit": "proposals.submit_proposal", "withdraw": "proposals.withdraw_proposal",
}


def _posted(request):
    """The form data of a POST (even an empty one: a button without fields), None for a GET."""
    return request.POST if request.method == "POST" else None


def _gathering(request, slug, perm=None):
    return get_for_user(request, Gathering, perm, slug=slug)


def _proposal(request, slug, pk, perm=None):
    """A proposal of the gathering ``slug`` that the user may see (404 otherwise), if ``perm`` allows."""
    gathering = _gathering(request, slug)
    return get_for_user(request, queries.get_proposal(request.user, gathering, pk), perm)


def _amendment(proposal, number):
    found = Amendment.objects.filter(proposal=proposal, number=number).select_related("poll").first()
    if found is None:
        raise Http404
    found.proposal = proposal
    return found


# --- list, export, settings -----------------------------------------------------------------------


def proposal_list(request, slug):
    gathering = _gathering(request, slug, "proposals.view_proposals")
    filters = forms.FilterForm(request.GET or None, gathering=gathering)
    theme = state = search = None
    if filters.is_valid():
        theme, state = filters.cleaned_data["theme"], filters.cleaned_data["state"] or None
        search = filters.cleaned_data["q"].strip() or None
    if search:  # full text, best first (queries.search)
        results = queries.search(gathering, search, queries.reader_language(), user=request.user, theme=theme,
                                 state=state)
        page = paginate(request, results.ids, PAGE_SIZE)
        rows = results.rows(page.object_list)
    else:
        page = paginate(request, queries.proposal_list(request.user, gathering, theme=theme, state=state), PAGE_SIZE)
        rows = page.object_list
    rows = queries.localize(queries.with_sponsors(request.user, rows, gathering))
    return render(request, "proposals/list.html", {
        "gathering": gathering, "filters": filters, "page": page, "rows": rows, "search": search,
        "query": query_without_page(request),
        "declaration": queries.declaration_of(gathering),
        "can_submit": request.user.has_perm("proposals.add_proposal", gathering),
        "manages": request.user.has_perm("proposals.manage_proposals", gathering),
    })


@login_required
def export_proposals(request, slug):
    gathering = _gathering(request, slug, "proposals.export_proposals")
    fmt = request.GET.get("format", "csv")
    if fmt not in export.FORMATS:
        raise Http404
    content, content_type = export.render(gathering, fmt)
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{export.filename(gathering, fmt)}"'
    return response


@login_required
@recent_second_factor
def proposal_settings(request, slug):
    gathering = _gathering(request, slug, "proposals.manage_proposals")
    form = forms.SettingsForm.for_settings(_posted(request), queries.settings_for(gathering))
    saved = submit(
        request, form, lambda: services.configure(request.user, gathering, **form.cleaned_data),
        _("The settings have been saved."), redirect_to=reverse("proposals:list", args=[slug]),
    )
    return saved or render(request, "proposals/settings.html", {"gathering": gathering, "form": form})


@login_required
def theme_list(request, slug):
    gathering = _gathering(request, slug, "proposals.manage_proposals")
    return render(request, "proposals/themes.html", {
        "gathering": gathering, "themes": queries.themes_for(gathering), "config": queries.settings_for(gathering),
    })


@login_required
def theme_form(request, slug, pk=None):
    gathering = _gathering(request, slug, "proposals.manage_proposals")
    theme = None
    if pk is not None:
        theme = get_for_user(request, queries.themes_for(gathering), pk=pk)
    initial = {"name": theme.name, "prefix": theme.prefix, "position": theme.position} if theme else None
    form = forms.ThemeForm(_posted(request), initial=initial)

    def write():
        if theme is None:
            return services.add_theme(request.user, gathering, **form.cleaned_data)
        return services.change_theme(request.user, theme, **form.cleaned_data)

    saved = submit(request, form, write, _("The theme has been saved."),
                   redirect_to=reverse("proposals:themes", args=[slug]))
    return saved or render(request, "proposals/theme_form.html", {"gathering": gathering, "form": form, "theme": theme})


# --- writing proposals -------------------------------------------------------------------------------


@login_required
def proposal_create(request, slug):
    gathering = _gathering(request, slug, "proposals.add_proposal")
    form = forms.ProposalForm(_posted(request), gathering=gathering, language=queries.reader_language())
    saved = submit(
        request, form,
        lambda: services.create_proposal(
            request.user, gathering, title=form.cleaned_data["title"], text=form.cleaned_data["text"],
            theme=form.cleaned_data.get("theme"), original_language=form.cleaned_data["original_language"],
        ),
        _("Your draft has been saved. Only you can see it until you submit it."),
    )
    return saved or render(request, "proposals/form.html", {
        "gathering": gathering, "form": form, "config": queries.settings_for(gathering),
    })


@never_cache
@login_required
def proposal_edit(request, slug, pk):
    proposal = _proposal(request, slug, pk, "proposals.change_proposal")
    form = forms.EditForm(_posted(request), initial={
        "title": proposal.title, "text": proposal.text, "base_version": proposal.version,
    })
    theirs = None
    if request.method == "POST" and form.is_valid():
        try:
            services.edit_proposal(request.user, proposal, **form.cleaned_data)
        except services.EditConflict as conflict:
            apply_service_error(form, conflict)
            theirs = conflict.current
            data = request.POST.copy()
            data["base_version"] = theirs.version  # save again on top of theirs once compared
            form = forms.EditForm(data)
            form.is_valid()
            form.add_error(None, conflict.message)
        except ServiceError as error:
            apply_service_error(form, error)
        else:
            messages.success(request, _("A new version of the text has been saved."))
            return redirect(proposal)
    return render(request, "proposals/edit.html", {
        "gathering": proposal.gathering, "proposal": proposal, "form": form, "theirs": theirs,
        "theirs_diff": cons.word_diff(theirs.text, request.POST.get("text", "")) if theirs else None,
    })


# --- the proposal page ------------------------------------------------------------------------------


@never_cache
def proposal_detail(request, slug, pk):
    proposal = _proposal(request, slug, pk)
    config = queries.settings_for(proposal.gathering)
    context = queries.proposal_page(request.user, proposal, original=bool(request.GET.get("original")))
    actions = services.allowed_actions(request.user, proposal, config)
    manages = request.user.has_perm("proposals.manage_proposals", proposal)
    for view in context["amendment_views"]:
        amendment = view.amendment
        view.delegate_name = queries.delegate_name(request.user, amendment.delegate)
        view.organisation_name = queries.organisation_name(request.user, amendment.organisation)
        view.can_withdraw = amendment.is_pending and (manages or amendment.created_by_id == request.user.pk)
        view.can_decide = manages and amendment.state == Amendment.State.DEBATE and proposal.state == Proposal.State.DEBATE
    registration = queries.my_registration(request.user, proposal.gathering)
    context.update({
        "gathering": proposal.gathering, "proposal": proposal, "actions": actions, "manages": manages,
        "config": config, "poll_form": forms.PollForm(),
        "my_organisation_sponsors": bool(registration and registration.organisation_id in context["sponsor_orgs"]),
        "amendable": "amend" in actions,
        "now": timezone.now(),
    })
    return render(request, "proposals/detail.html", context)


@never_cache
def proposal_history(request, slug, pk):
    proposal = _proposal(request, slug, pk)
    versions = queries.versions_of(proposal)
    numbers = [v.number for v in versions]
    form = forms.HistoryForm(request.GET or None, numbers=numbers, initial={
        "older": numbers[-2] if len(numbers) > 1 else numbers[0], "newer": numbers[-1],
    })
    diff = None
    if form.is_valid():
        diff = queries.version_diff(proposal, form.cleaned_data["older"], form.cleaned_data["newer"])
    elif len(numbers) > 1 and not request.GET:
        diff = queries.version_diff(proposal, numbers[-2], numbers[-1])
    return render(request, "proposals/history.html", {
        "gathering": proposal.gathering, "proposal": proposal, "versions": versions, "form": form, "diff": diff,
    })


TRANSITION_FORMS = {
    "submit": (forms.ConfirmForm, lambda u, p, d: services.submit_proposal(u, p)),
    "admit": (forms.AdmitForm, lambda u, p, d: services.admit_proposal(u, p, theme=d.get("theme"))),
    "open": (forms.DeadlineForm, lambda u, p, d: services.open_amendments(u, p, d.get("deadline"))),
    "debate": (forms.ConfirmForm, lambda u, p, d: services.start_debate(u, p)),
    "adopt": (forms.ConfirmForm, lambda u, p, d: services.adopt_proposal(u, p)),
    "reject": (forms.ReasonForm, lambda u, p, d: services.reject_proposal(u, p, reason=d.get("reason", ""))),
    "withdraw": (forms.ReasonForm, lambda u, p, d: services.withdraw_proposal(u, p, reason=d.get("reason", ""))),
    "refer": (forms.ReferForm, lambda u, p, d: services.refer_proposal(u, p, d.get("working_group"))),
}


@never_cache
@login_required
@recent_second_factor
def proposal_transition(request, slug, pk, action):
    if action not in TRANSITION_FORMS:
        raise Http404
    proposal = _proposal(request, slug, pk, ACTION_PERMS.get(action, "proposals.manage_proposals"))
    form_class, write = TRANSITION_FORMS[action]
    kwargs = {}
    if form_class is forms.AdmitForm:
        kwargs["gathering"] = proposal.gathering
    elif form_class is forms.DeadlineForm:
        kwargs["zone"] = timezone.get_current_timezone_name()
    if action == "reject" and proposal.state == Proposal.State.SUBMITTED:
        form_class = forms.RequiredReasonForm
    initial = {}
    if action == "open":
        initial["deadline"] = timezone.localtime(services.default_deadline(proposal.gathering)).replace(tzinfo=None)
    elif action == "admit":
        initial["theme"] = proposal.theme_id
    form = form_class(_posted(request), initial=initial, **kwargs)
    saved = submit(
        request, form, lambda: write(request.user, proposal, form.cleaned_data),
        _("Done: the proposal is now “%(state)s”.") % {"state": Proposal.State(TRANSITIONS_TO[action]).label},
        redirect_to=proposal.get_absolute_url(),
    )
    return saved or render(request, "proposals/transition.html", {
        "gathering": proposal.gathering, "proposal": proposal, "form": form, "action": action,
    })


TRANSITIONS_TO = {action: to for action, (_from, to, _message) in services.TRANSITIONS.items()}


@login_required
@require_POST
def support(request, slug, pk):
    proposal = _proposal(request, slug, pk, "proposals.sponsor_proposal")
    if request.POST.get("support") == "withdraw":
        return perform(request, lambda: services.withdraw_support(request.user, proposal),
                       _("Your organisation no longer co-sponsors this proposal."), proposal.get_absolute_url())
    return perform(request, lambda: services.sponsor(request.user, proposal),
                   _("Your organisation co-sponsors this proposal."), proposal.get_absolute_url())


@never_cache
@login_required
@recent_second_factor
def forward(request, slug, pk):
    proposal = _proposal(request, slug, pk, "proposals.forward_proposal")
    form = forms.ForwardForm(_posted(request), conferences=queries.conference_choices())
    saved = submit(
        request, form, lambda: services.forward_proposal(request.user, proposal, form.cleaned_data["conference"]),
        _("The proposal has been forwarded. The conference's organisers will admit it."),
        redirect_to=proposal.get_absolute_url(),
    )
    return saved or render(request, "proposals/forward.html", {
        "gathering": proposal.gathering, "proposal": proposal, "form": form,
    })


@login_required
@require_POST
def proposal_poll(request, slug, pk):
    proposal = _proposal(request, slug, pk, "proposals.manage_proposals")
    form = forms.PollForm(request.POST)
    secrecy = form.cleaned_data["secrecy"] if form.is_valid() else None
    return perform(
        request, lambda: services.create_proposal_poll(request.user, proposal, secrecy=secrecy),
        lambda poll: _("The poll has been created. Open it from its page when the debate ends."),
        proposal.get_absolute_url(),
    )


# --- amendments -----------------------------------------------------------------------------------------


@never_cache
@login_required
def amend(request, slug, pk):
    proposal = _proposal(request, slug, pk, "proposals.amend_proposal")
    try:
        services.check_amendable(proposal)
    except ServiceError as error:
        messages.error(request, str(error.message))
        return redirect(proposal)
    base = proposal.versions.filter(number=proposal.base_version).first() if proposal.base_version else None
    base_text = base.text if base is not None else proposal.text
    target = forms.AmendmentTargetForm(request.GET if "kind" in request.GET else None, text=base_text)
    if request.method != "POST" and not target.is_valid():
        return render(request, "proposals/amend_target.html", {
            "gathering": proposal.gathering, "proposal": proposal, "form": target,
        })
    blocks = cons.paragraphs(base_text)
    initial = {"base_version": proposal.base_version or proposal.version}
    if target.is_bound and target.is_valid():
        kind, first, last = target.cleaned_data["kind"], target.cleaned_data["first"], target.cleaned_data["last"]
        last = first if last is None or kind == Amendment.Kind.INSERT else last
        initial.update(kind=kind, first=first, last=last)
        if kind == Amendment.Kind.REPLACE:
            initial["text"] = cons.join(blocks[max(first - 1, 0):last])
    form = forms.AmendmentForm(_posted(request), initial=initial, language=proposal.original_language)
    saved = submit(
        request, form,
        lambda: services.propose_amendment(
            request.user, proposal, kind=form.cleaned_data["kind"], first=form.cleaned_data["first"],
            last=form.cleaned_data.get("last"), text=form.cleaned_data.get("text", ""),
            reason=form.cleaned_data["reason"], base_version=form.cleaned_data["base_version"],
            original_language=form.cleaned_data["original_language"],
        ),
        lambda amendment: _("Your amendment %(amendment)s has been filed.") % {"amendment": amendment.label},
    )
    values = form.data if form.is_bound else initial
    kind = values.get("kind")
    try:
        first, last = int(values.get("first") or 0), int(values.get("last") or values.get("first") or 0)
    except ValueError:
        first = last = 0
    return saved or render(request, "proposals/amend.html", {
        "gathering": proposal.gathering, "proposal": proposal, "form": form, "kind": kind,
        "kind_label": dict(Amendment.Kind.choices).get(kind, ""),
        "concerned": blocks[max(first - 1, 0):last] if kind != Amendment.Kind.INSERT else blocks[max(first - 1, 0):first],
        "first": first, "last": last,
    })


AMENDMENT_ACTIONS = {
    "withdraw": ("proposals.withdraw_amendment", services.withdraw_amendment, _("The amendment has been withdrawn.")),
    "adopt": ("proposals.manage_proposals", services.adopt_amendment, _("The amendment has been adopted.")),
    "reject": ("proposals.manage_proposals", services.reject_amendment, _("The amendment has been rejected.")),
}


@login_required
@require_POST
def amendment_action(request, slug, pk, number, action):
    if action not in (*AMENDMENT_ACTIONS, "poll"):
        raise Http404
    proposal = _proposal(request, slug, pk)
    amendment = _amendment(proposal, number)
    here = f"{proposal.get_absolute_url()}#amendment-{amendment.number}"
    if action == "poll":
        require(request, "proposals.manage_proposals", proposal)
        form = forms.PollForm(request.POST)
        secrecy = form.cleaned_data["secrecy"] if form.is_valid() else None
        return perform(request, lambda: services.create_amendment_poll(request.user, amendment, secrecy=secrecy),
                       _("The poll has been created. Open it from its page when the debate ends."), here)
    perm, write, done = AMENDMENT_ACTIONS[action]
    require(request, perm, amendment)
    return perform(request, lambda: write(request.user, amendment), str(done), here)


@never_cache
@login_required
def alternatives(request, slug, pk):
    proposal = _proposal(request, slug, pk, "proposals.manage_proposals")
    form = forms.AlternativesForm(_posted(request), proposal=proposal)
    saved = submit(
        request, form,
        lambda: services.create_alternatives_poll(
            request.user, proposal, list(form.cleaned_data["amendments"]), secrecy=form.cleaned_data["secrecy"]),
        _("The poll has been created. Open it from its page when the debate ends."),
        redirect_to=proposal.get_absolute_url(),
    )
    return saved or render(request, "proposals/alternatives.html", {
        "gathering": proposal.gathering, "proposal": proposal, "form": form,
    })


@never_cache
@login_required
def resolve(request, slug, pk, conflict_pk):
    proposal = _proposal(request, slug, pk, "proposals.manage_proposals")
    conflict = get_for_user(
        request, Conflict.objects.filter(proposal=proposal).select_related("amendment"), pk=conflict_pk
    )
    conflict.proposal = proposal
    start, end, current = services.resolution_start(conflict)
    base = proposal.versions.filter(number=proposal.base_version).values_list("text", flat=True).first() or ""
    original = cons.join(cons.paragraphs(base)[start:end])
    amendment = conflict.amendment
    text = queries.amendment_texts([amendment], proposal.original_language)[amendment.pk]
    proposed = None if text is None else cons.range_text(
        cons.consolidate(base, [cons.Change(amendment.pk, amendment.kind, amendment.first, amendment.last, text)]),
        start, end)
    form = forms.ResolveForm(_posted(request), initial={"text": current, "base_version": proposal.version})
    saved = conflict.is_open and submit(
        request, form,
        lambda: services.resolve_conflict(request.user, conflict, text=form.cleaned_data["text"],
                                          base_version=form.cleaned_data["base_version"]),
        _("The conflict has been resolved: the text has a new version."), redirect_to=proposal.get_absolute_url(),
    )
    others = Amendment.objects.filter(proposal=proposal, pk__in=[k for k in conflict.others if isinstance(k, int)])
    return saved or render(request, "proposals/resolve.html", {
        "gathering": proposal.gathering, "proposal": proposal, "conflict": conflict, "form": form,
        "original": original, "current": current, "proposed": proposed, "others": others,
        "current_diff": cons.word_diff(original, current),
        "proposed_diff": cons.word_diff(original, proposed) if proposed is not None else None,
        "first": start + 1, "last": end,
    })


# --- merging --------------------------------------------------------------------------------------------


@never_cache
@login_required
@recent_second_factor
def merge(request, slug):
    gathering = _gathering(request, slug, "proposals.manage_proposals")
    candidates = queries.mergeable(gathering)
    if request.method != "POST":
        choose = forms.MergeChooseForm(request.GET if "proposals" in request.GET else None, queryset=candidates)
        if not choose.is_valid() or len(choose.cleaned_data["proposals"]) < 2:
            if choose.is_bound and choose.is_valid():
                choose.add_error("proposals", _("Choose at least two proposals to merge."))
            return render(request, "proposals/merge_choose.html", {"gathering": gathering, "form": choose})
        chosen = list(queries.localize(choose.cleaned_data["proposals"]))
        initial = {
            "proposals": [p.pk for p in chosen], "title": chosen[0].title,
            "text": cons.join(p.text for p in chosen), "theme": chosen[0].theme_id,
        }
    else:
        initial, chosen = None, None
    form = forms.MergeForm(_posted(request), initial=initial, queryset=candidates, gathering=gathering,
                           language=queries.reader_language())
    saved = submit(
        request, form,
        lambda: services.merge_proposals(
            request.user, gathering, list(form.cleaned_data["proposals"]), title=form.cleaned_data["title"],
            text=form.cleaned_data["text"], theme=form.cleaned_data["theme"],
            original_language=form.cleaned_data["original_language"],
        ),
        _("The composite proposal has been created; the proposals merged into it link to it."),
    )
    if chosen is None and form.is_bound:
        chosen = list(form.cleaned_data.get("proposals") or []) if hasattr(form, "cleaned_data") else []
    return saved or render(request, "proposals/merge.html", {"gathering": gathering, "form": form, "chosen": chosen})
