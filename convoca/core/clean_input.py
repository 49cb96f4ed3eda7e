"""Refuse input that no database can store, before any view sees it.

A NUL character (``\\x00``) cannot be stored in a PostgreSQL text column, and a lone UTF-16 surrogate
(``"\\ud800"`` in JSON) cannot be encoded at all: either one reaching the database is a 500. Rather than
hoping every field of every form, API schema and import checks for them, one middleware answers such a
request with a translated 400 (JSON under ``/api/``, the 400 page elsewhere) and nothing runs.

Checked: the path, the query string, url-encoded form bodies and JSON bodies before anything else; the text
fields of a multipart body once the view is known (Django's CSRF check parses that body before the view in
any case), except for a view that parses its upload itself with its own limits (``csrf_exempt``, as the
import does: its form checks its own fields)."""

import json
import re

from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.http import JsonResponse
from django.http.multipartparser import MultiPartParserError
from django.shortcuts import render
from django.utils.translation import gettext as _

# Cheap first look at a JSON body; only a hit is parsed and walked.
SUSPECT_JSON = re.compile(rb"\x00|\\u0000|\\u[dD][89a-fA-F][0-9a-fA-F]{2}")
JSON_TYPES = ("application/json", "application/merge-patch+json")


def _bad_text(text):
    if "\x00" in text:
        return True
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate
        return True
    return False


def _walk(value):
    if isinstance(value, str):
        return _bad_text(value)
    if isinstance(value, dict):
        return any(_bad_text(k) or _walk(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_walk(v) for v in value)
    return False


def _query_is_bad(querydict):
    return any(_bad_text(key) or any(_bad_text(v) for v in values) for key, values in querydict.lists())


def unsafe_input(request):
    """True if the request carries text that cannot be stored."""
    if _bad_text(request.path_info) or _query_is_bad(request.GET):
        return True
    if request.method in ("GET", "HEAD", "OPTIONS"):
        return False
    content_type = request.content_type or ""
    if content_type == "application/x-www-form-urlencoded":
        return _query_is_bad(request.POST)
    if content_type in JSON_TYPES:
        body = request.body
        if not SUSPECT_JSON.search(body):
            return False
        try:
            return _walk(json.loads(body))
        except (ValueError, UnicodeDecodeError):
            return b"\x00" in body  # not JSON: the API says so itself, unless it would choke first
    return False


def unsafe_multipart(request, view_func):
    """True if the text fields of a multipart form carry text that cannot be stored (see the module's note)."""
    if request.method != "POST" or request.content_type != "multipart/form-data":
        return False
    if getattr(view_func, "csrf_exempt", False):
        return False
    try:
        return _query_is_bad(request.POST)
    except (MultiPartParserError, TooManyFilesSent, TooManyFieldsSent, RequestDataTooBig):
        return False  # Django's own answer follows, as it would without this check


def _refuse(request):
    message = _("The request contains characters that cannot be stored (a NUL character or a broken "
                "character). Remove them and try again.")
    if request.path_info.startswith("/api/"):
        return JsonResponse({"detail": message, "code": "invalid"}, status=400)
    return render(request, "core/400.html", {"message": message}, status=400)


class CleanInputMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if unsafe_input(request):
            return _refuse(request)
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        return _refuse(request) if unsafe_multipart(request, view_func) else None
