"""Upload -> preview -> confirm -> done. Coordinators only; a staged import
is visible to the coordinator who uploaded it and nobody else."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_POST

from convoca.core.errors import ServiceError
from convoca.core.second_factor import recent_second_factor
from convoca.core.web import apply_service_error, get_for_user, paginate, query_without_page, require, service_message

from . import services, skipped_files
from .forms import ImportForm
from .models import ImportBatch
from .parsing import too_big_error
from .uploads import SizeLimitUploadHandler

PROBLEMS_SHOWN = 200
ROWS_PER_PAGE = 50


def _get_batch_for_user(request, batch_id):
    """A staged import of the coordinator who uploaded it; 404 for anyone else's."""
    require(request, "imports.run")
    return get_for_user(request, ImportBatch, pk=batch_id, created_by=request.user)


@csrf_exempt  # CSRF is checked by _start, once our upload handler is in place
@login_required
def start(request):
    require(request, "imports.run")
    handler = None
    if request.method == "POST":
        handler = SizeLimitUploadHandler(request)
        request.upload_handlers.insert(0, handler)
    return _start(request, handler)


@csrf_protect
def _start(request, handler):
    preview = None
    if request.method != "POST":
        form = ImportForm(initial={"kind": request.GET.get("kind", "")})
    else:
        form = ImportForm(request.POST, request.FILES)
        if handler is not None and handler.too_big:
            form.is_valid()
            form.errors.pop("file", None)  # not "required": it was too big to keep
            form.add_error("file", too_big_error().message)
        elif form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                preview, batch = services.stage_import(
                    request.user, form.cleaned_data["kind"], upload, form.cleaned_data["gathering"],
                    filename=upload.name,
                )
            except ServiceError as exc:
                apply_service_error(form, exc, {None: "file"})
            else:
                if batch is not None:
                    return redirect("imports:preview", batch.pk)
    context = {"form": form, "preview": preview, "problems_shown": PROBLEMS_SHOWN}
    return render(request, "imports/start.html", context)


@login_required
def preview(request, batch_id):
    batch = _get_batch_for_user(request, batch_id)
    if batch.is_confirmed:
        return redirect("imports:done", batch.pk)
    result = services.batch_preview(request.user, batch)
    only_problems = request.GET.get("show") == "problems"
    numbers = list(result.problem_rows) if only_problems else [number for number, _values in result.parsed.rows]
    page = paginate(request, [number for number in numbers if number], ROWS_PER_PAGE)
    context = {"batch": batch, "preview": result, "problems_shown": PROBLEMS_SHOWN, "page": page,
               "rows": result.table(page.object_list), "only_problems": only_problems,
               "query": query_without_page(request)}
    return render(request, "imports/preview.html", context)


@login_required
@require_POST
def sheet(request, batch_id):
    """Read another sheet of the workbook (a plain form: no JavaScript needed)."""
    batch = _get_batch_for_user(request, batch_id)
    try:
        services.choose_sheet(request.user, batch, request.POST.get("sheet", ""))
    except ServiceError as exc:
        messages.error(request, service_message(exc))
    return redirect("imports:preview", batch.pk)


@login_required
def skipped(request, batch_id):
    """The rows not imported, with their problems, as a spreadsheet to correct and import again."""
    batch = _get_batch_for_user(request, batch_id)
    rows = services.skipped_rows(request.user, batch)
    return skipped_files.response(rows, request.GET.get("format", "xlsx"))


@login_required
@require_POST
@recent_second_factor
def confirm(request, batch_id):
    batch = _get_batch_for_user(request, batch_id)
    try:
        services.confirm_import(request.user, batch)
    except ServiceError as exc:
        messages.error(request, service_message(exc))
        return redirect("imports:preview", batch.pk)
    return redirect("imports:done", batch.pk)


@login_required
@require_POST
@recent_second_factor
def discard(request, batch_id):
    batch = _get_batch_for_user(request, batch_id)
    if batch.is_confirmed:
        return redirect("imports:done", batch.pk)
    services.discard_import(request.user, batch)
    messages.success(request, _("The file was discarded. Nothing was imported."))
    return redirect("imports:start")


@login_required
def done(request, batch_id):
    batch = _get_batch_for_user(request, batch_id)
    if not batch.is_confirmed:
        return redirect("imports:preview", batch.pk)
    result = services.ImportResult.from_json(batch.result, batch.kind)
    return render(request, "imports/done.html", {"batch": batch, "result": result})
