"""Request handling shared by every app's views: one answer to a refused
write, one access check, one submit-then-redirect, one paginator.

A service refuses with ``convoca.core.errors.ServiceError``. On a page:

- ``PermissionDenied`` is the 403 page and ``NotFound`` the 404 page, wherever
  they come from (the helpers below raise Django's own exceptions, and
  ``core.middleware.ServiceErrorMiddleware`` answers one that escapes a view);
- any other ``ServiceError`` is shown next to its form field, at the top of the
  form, or as a flashed message when there is no form.

The API answers the same errors as JSON (handler in ``convoca/api/urls.py``).
This module imports no domain app.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied as Forbidden
from django.core.paginator import Paginator
from django.db.models import Manager, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect

from . import errors


def service_message(error):
    """The message of ``error`` to show the user. A refusal raises the 403
    page and a missing object the 404 page instead: no form or flash shows them."""
    if isinstance(error, errors.PermissionDenied):
        raise Forbidden(str(error.message)) from error
    if isinstance(error, errors.NotFound):
        raise Http404(str(error.message)) from error
    return str(error.message)


def apply_service_error(form, error, field_map=None):
    """Show ``error`` next to its field, or at the top of the form when the
    form has no such field. ``field_map`` renames a service's field to the
    form's (``{None: "file"}`` puts errors without a field on ``file``)."""
    message = service_message(error)
    field = (field_map or {}).get(error.field, error.field)
    form.add_error(field if field in form.fields else None, message)


def require(request, perm, obj=None):
    """The 403 page unless the user has ``perm`` (on ``obj``)."""
    if not request.user.has_perm(perm, obj):
        raise Forbidden


def get_for_user(request, source, perm=None, **lookup):
    """The object this request is about: the 404 page if it does not exist,
    then the 403 page unless the user has ``perm`` on it.

    ``source`` is a model, manager or queryset searched with ``lookup``, or an
    object already fetched (None: it does not exist). To hide that something
    exists, pass a queryset of what the user may see: the rest is a 404."""
    if isinstance(source, type | QuerySet | Manager):
        obj = get_object_or_404(source, **lookup)
    elif source is None:
        raise Http404
    else:
        obj = source
    if perm is not None:
        require(request, perm, obj)
    return obj


def _flash_success(request, success, obj):
    messages.success(request, success(obj) if callable(success) else success)


def submit(request, form, write, success, field_map=None, redirect_to=None):
    """For a valid POST: ``write()`` through a service, flash ``success(obj)``
    (or the string ``success``) and redirect to ``redirect_to`` or else to the
    object written. A service error goes onto the form (see
    ``apply_service_error``). Returns None for a GET, an invalid form or a
    refused write, so the caller renders the form again."""
    if request.method != "POST" or not form.is_valid():
        return None
    try:
        obj = write()
    except errors.ServiceError as error:
        apply_service_error(form, error, field_map)
        return None
    _flash_success(request, success, obj)
    return redirect(obj if redirect_to is None else redirect_to)


def perform(request, write, success, redirect_to):
    """A button without a form: ``write()``, flash ``success(obj)`` (or the
    string) or the service's refusal, and redirect to ``redirect_to`` either way."""
    try:
        obj = write()
    except errors.ServiceError as error:
        messages.error(request, service_message(error))
    else:
        _flash_success(request, success, obj)
    return redirect(redirect_to)


def paginate(request, queryset, per_page):
    """The page named by ``?page=`` (the first or the last one when it is not a valid number)."""
    return Paginator(queryset, per_page).get_page(request.GET.get("page"))


def query_without_page(request):
    """The query string without ``page``, for the links to other pages."""
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()
