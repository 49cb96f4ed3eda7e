"""The declaration's pages, under /gatherings/<slug>/proposals/declaration/ (the proposals' own pages are in
``views.py``): the page everyone reads once it is published, its history, and the organisers' pages to compose
and publish it. Thin views, as in ``views.py``: an access helper, a form, one service call (``core.web``)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from convoca.accounts.second_factor import recent_second_factor
from convoca.core.errors import ServiceError
from convoca.core.hooks import app_modules
from convoca.core.web import apply_service_error, get_for_user, perform, require, submit
from convoca.gatherings.models import Gathering

from . import consolidation as cons
from . import forms, queries, services
from .models import Section


def _posted(request):
    return request.POST if request.method == "POST" else None


def _declaration(request, slug, perm="proposals.view_declaration"):
    """The gathering's declaration: a 404 when there is none or the user may not read it (a draft is not
    public), then the 403 page unless the user has ``perm``."""
    gathering = get_for_user(request, Gathering, slug=slug)
    declaration = queries.declaration_of(gathering)
    if declaration is None or not request.user.has_perm("proposals.view_declaration", declaration):
        raise Http404
    require(request, perm, declaration)
    return declaration


def _section(request, slug, pk):
    declaration = _declaration(request, slug, "proposals.manage_declaration")
    section = get_for_user(request, Section.objects.filter(declaration=declaration), pk=pk)
    section.declaration = declaration
    return section


def _compose_url(declaration, section=None):
    url = reverse("proposals:declaration_compose", args=[declaration.gathering.slug])
    return f"{url}#section-{section.pk}" if section is not None else url


@never_cache
def declaration(request, slug):
    gathering = get_for_user(request, Gathering, slug=slug)
    found = queries.declaration_of(gathering)
    if found is None and request.user.has_perm("proposals.manage_declaration", gathering):
        return redirect("proposals:declaration_compose", slug)
    found = _declaration(request, slug)
    context = queries.declaration_page(found, original=bool(request.GET.get("original")))
    context.update({
        "gathering": found.gathering, "declaration": found,
        "manages": request.user.has_perm("proposals.manage_declaration", found),
        "panels": _panels(found),
    })
    return render(request, "proposals/declaration.html", context)


def _panels(declaration):
    """What the apps built on the declaration show on its page (the call to endorse it, with the count), asked
    of each by the ``declaration_panel`` hook: this app does not know them (they import it)."""
    found = []
    for _config, module in app_modules("declaration_panel", "panel"):
        panel = module.panel(declaration)
        if panel is not None:
            found.append(panel)
    return found


@never_cache
def declaration_history(request, slug):
    found = _declaration(request, slug)
    versions = queries.declaration_versions(found)
    numbers = [v.number for v in versions]
    form = forms.HistoryForm(request.GET or None, numbers=numbers, initial={
        "older": numbers[-2] if len(numbers) > 1 else numbers[0], "newer": numbers[-1],
    })
    diff = None
    if form.is_valid():
        diff = queries.declaration_diff(found, form.cleaned_data["older"], form.cleaned_data["newer"])
    elif len(numbers) > 1 and not request.GET:
        diff = queries.declaration_diff(found, numbers[-2], numbers[-1])
    return render(request, "proposals/declaration_history.html", {
        "gathering": found.gathering, "declaration": found, "versions": versions, "form": form, "diff": diff,
    })


@never_cache
@login_required
def declaration_compose(request, slug):
    gathering = get_for_user(request, Gathering, "proposals.manage_declaration", slug=slug)
    found = queries.declaration_of(gathering)
    if found is None:
        form = forms.DeclarationStartForm(_posted(request), language=queries.reader_language())
        saved = submit(
            request, form,
            lambda: services.start_declaration(request.user, gathering, title=form.cleaned_data["title"],
                                               original_language=form.cleaned_data["original_language"]),
            _("The declaration has been started. Add its sections from the adopted proposals."),
            redirect_to=reverse("proposals:declaration_compose", args=[slug]),
        )
        return saved or render(request, "proposals/declaration_compose.html", {
            "gathering": gathering, "declaration": None, "start_form": form,
        })
    form = forms.DeclarationTitleForm(_posted(request), initial={"title": found.title, "base_version": found.version})
    saved = submit(
        request, form,
        lambda: services.change_declaration_title(request.user, found, title=form.cleaned_data["title"],
                                                  base_version=form.cleaned_data["base_version"]),
        _("The title has been saved."), redirect_to=_compose_url(found),
    )
    if saved:
        return saved
    context = queries.compose_page(found)
    context.update({
        "gathering": gathering, "declaration": found, "title_form": form,
        "add_form": forms.AddSectionForm(queryset=context["adoptable"]),
    })
    return render(request, "proposals/declaration_compose.html", context)


@login_required
@require_POST
def declaration_add(request, slug):
    found = _declaration(request, slug, "proposals.manage_declaration")
    form = forms.AddSectionForm(request.POST, queryset=queries.adopted_proposals(found.gathering))
    if not form.is_valid():
        messages.error(request, _("Choose an adopted proposal of this gathering."))
        return redirect(_compose_url(found))
    return perform(
        request, lambda: services.add_section(request.user, found, form.cleaned_data["proposal"]),
        _("The section has been added at the end of the declaration."), _compose_url(found),
    )


@never_cache
@login_required
def declaration_section(request, slug, pk):
    section = _section(request, slug, pk)
    found = section.declaration
    adopted = queries.adopted_proposals(found.gathering)
    form = forms.SectionForm(_posted(request), queryset=adopted, initial={
        "heading": section.heading, "text": section.text, "base_version": section.version,
        "sources": list(section.sources.values_list("pk", flat=True)),
    })
    theirs = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.edit_section(request.user, section, heading=data["heading"], text=data["text"],
                                  base_version=data["base_version"], sources=list(data["sources"]))
        except services.EditConflict as conflict:
            theirs = conflict.current
            bound = request.POST.copy()
            bound["base_version"] = theirs.version  # save again on top of theirs once compared
            form = forms.SectionForm(bound, queryset=adopted)
            form.is_valid()
            form.add_error(None, conflict.message)
        except ServiceError as error:
            apply_service_error(form, error)
        else:
            messages.success(request, _("A new version of the declaration has been saved."))
            return redirect(_compose_url(found, section))
    return render(request, "proposals/declaration_section.html", {
        "gathering": found.gathering, "declaration": found, "section": section, "form": form, "theirs": theirs,
        "theirs_diff": cons.word_diff(theirs.text, request.POST.get("text", "")) if theirs else None,
    })


@login_required
@require_POST
def declaration_move(request, slug, pk):
    section = _section(request, slug, pk)
    form = forms.MoveSectionForm(request.POST)
    position = form.cleaned_data["position"] if form.is_valid() else request.POST.get("position")
    return perform(request, lambda: services.move_section(request.user, section, position),
                   _("The sections have been reordered."), _compose_url(section.declaration, section))


@login_required
@require_POST
def declaration_remove(request, slug, pk):
    section = _section(request, slug, pk)
    return perform(request, lambda: services.remove_section(request.user, section),
                   _("The section has been removed. Its text stays in the earlier versions."),
                   _compose_url(section.declaration))


@never_cache
@login_required
@recent_second_factor
def declaration_publish(request, slug):
    found = _declaration(request, slug, "proposals.manage_declaration")
    form = forms.ConfirmForm(_posted(request))
    saved = submit(
        request, form, lambda: services.publish_declaration(request.user, found),
        _("The declaration is published: everyone can read it now."), redirect_to=found.get_absolute_url(),
    )
    return saved or render(request, "proposals/declaration_publish.html", {
        "gathering": found.gathering, "declaration": found, "form": form,
        "sections": queries.sections_of(found),
    })
