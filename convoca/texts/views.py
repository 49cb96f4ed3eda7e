"""The translators' queue and the side-by-side editor (translators and
coordinators). Both work without JavaScript: a GET form filters the queue,
the editor is a plain form that posts and redirects."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from convoca.core.errors import ServiceError
from convoca.core.web import apply_service_error, get_for_user, paginate, query_without_page, require

from . import languages, queries, registry, services
from .forms import QueueFilterForm, TranslationForm

PAGE_SIZE = 50


def _next_url(request, default):
    target = request.POST.get("next") or request.GET.get("next")
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return target
    return default


def _get_original(request, target, pk, language):
    """The original to translate into ``language`` (404 for an unknown text or
    language, or the original's own language), if the user may translate it."""
    model = registry.model_for(target)
    if model is None or not 0 < pk < 2**63 or language not in languages.codes():
        raise Http404
    obj = get_for_user(request, model.translation_queue(), "texts.translate", pk=pk)
    if obj.original_language == language:
        raise Http404
    return obj


@never_cache
@login_required
def queue(request):
    require(request, "texts.view_queue")
    scope = registry.scope_model()
    gatherings = queries.localize(scope.translation_queue()) if scope is not None else []
    filters = QueueFilterForm(request.GET or None, gatherings=gatherings)
    page = paginate(request, queries.queue(**filters.filters(), reader_language=get_language()), PAGE_SIZE)
    return render(
        request, "texts/queue.html",
        {"filters": filters, "page": page, "query": query_without_page(request), "here": request.get_full_path()},
    )


def _saved_message(saved, obj):
    if saved.revision < obj.text_revision:
        return _("The translation has been saved. The original changed while you were translating, "
                 "so it is marked outdated: bring it up to date when you can.")
    return _("The translation has been saved.")


@never_cache
@login_required
def edit(request, target, pk, language):
    obj = _get_original(request, target, pk, language)
    stored = queries.translation_of(obj, language)
    initial = {"base_revision": obj.text_revision, "expected_version": stored.version if stored else 0}
    if stored is not None:
        initial.update(stored.fields)
    form = TranslationForm(request.POST or None, obj=obj, language=language, initial=initial)
    conflict = False
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            saved = services.save_translation(
                request.user, obj, language, data["fields"], data["base_revision"],
                expected_version=data["expected_version"],
            )
        except services.TranslationConflict as error:
            # Keep what this translator wrote beside what was saved meanwhile; saving again replaces it, knowingly.
            conflict, stored = True, error.current
            bound = request.POST.copy()
            bound["base_revision"] = obj.text_revision
            bound["expected_version"] = stored.version if stored is not None else 0
            form = TranslationForm(bound, obj=obj, language=language)
            form.is_valid()
            form.add_error(None, str(error.message))
        except ServiceError as error:
            apply_service_error(form, error)
        else:
            messages.success(request, _saved_message(saved, obj))
            return redirect(_next_url(request, reverse("texts:queue")))
    outdated = stored is not None and stored.revision < obj.text_revision
    model = type(obj)
    return render(
        request, "texts/edit.html",
        {
            "obj": obj, "form": form, "stored": stored, "outdated": outdated, "conflict": conflict,
            "kind": model._meta.verbose_name,
            "language": language, "language_name": languages.name_of(language),
            "original_language_name": languages.name_of(obj.original_language),
            "original": [
                {"label": registry.field_label(model, name), "text": text, "long": registry.is_long(model, name)}
                for name, text in obj.original_values().items() if text
            ],
            "stored_fields": [
                {"label": registry.field_label(model, name), "text": stored.fields.get(name, "")}
                for name in model.TRANSLATABLE_FIELDS if stored is not None and stored.fields.get(name)
            ],
            "changes": queries.changes_since(obj, stored.revision) if outdated else None,
            "next": _next_url(request, ""),
            "view_url": obj.get_absolute_url() if hasattr(obj, "get_absolute_url") else "",
        },
    )
