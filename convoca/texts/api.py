"""Language versions over JSON, for translators' scripts: the queue, an
object's versions, and saving one, through the same services and rules as the
editor. Objects are named by their model label (``gatherings.gathering``) and
id (``id`` in the owning app's API)."""

import datetime as dt
from typing import Any

from django.utils.translation import get_language
from django.utils.translation import gettext as _
from ninja import Router, Schema

from convoca.core.api_auth import token_or_session
from convoca.core.errors import NotFound, PermissionDenied, ServiceError

from . import languages, queries, registry, services
from .queries import STATES

router = Router(tags=["translations"])


class ErrorOut(Schema):
    detail: str
    code: str
    field: str | None = None


class VersionOut(Schema):
    language: str
    revision: int
    version: int
    outdated: bool
    fields: dict[str, str]
    translated_at: dt.datetime


class TextVersionsOut(Schema):
    target: str
    id: int
    original_language: str
    revision: int
    original: dict[str, str]
    translations: list[VersionOut]
    missing: list[str]


class TranslationIn(Schema):
    fields: Any = None
    base_revision: Any = None
    expected_version: Any = None


class QueueItemOut(Schema):
    target: str
    id: int
    language: str
    state: str
    gathering_id: int
    translated_revision: int | None
    revision: int
    title: str


class QueuePage(Schema):
    count: int
    limit: int
    offset: int
    items: list[QueueItemOut]


ERRORS = {400: ErrorOut, 401: Any, 403: ErrorOut, 404: ErrorOut}


def _require_translator(request):
    if not request.user.has_perm("texts.view_queue"):
        raise PermissionDenied(_("Only translators and coordinators can translate texts."))


def _original(request, target, object_id):
    model = registry.model_for(target)
    obj = None
    if model is not None and 0 < object_id < 2**63:
        obj = model.translation_queue().filter(pk=object_id).first()
    if obj is None:
        raise NotFound(_("There is no such text to translate."))
    if not request.user.has_perm("texts.translate", obj):
        raise PermissionDenied(_("Only translators and coordinators can translate texts."))
    return obj


def _version_out(obj, translation):
    return {
        "language": translation.language, "revision": translation.revision, "version": translation.version,
        "outdated": translation.revision < obj.text_revision, "fields": translation.fields,
        "translated_at": translation.translated_at,
    }


def _versions_out(obj):
    found = queries.translations_of(obj)
    return {
        "target": registry.label_of(obj), "id": obj.pk, "original_language": obj.original_language,
        "revision": obj.text_revision, "original": obj.original_values(),
        "translations": [_version_out(obj, found[code]) for code in languages.codes() if code in found],
        "missing": [code for code in languages.codes() if code != obj.original_language and code not in found],
    }


def _number(value, default, field, lo, hi):
    if value in (None, ""):
        return default
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise ServiceError(_("Enter a whole number."), field=field) from None
    if not lo <= number <= hi:
        raise ServiceError(_("Enter a whole number from %(min)s to %(max)s.") % {"min": lo, "max": hi}, field=field)
    return number


def _choice(value, choices, field):
    if value in (None, ""):
        return None
    if value not in choices:
        raise ServiceError(_("Choose one of: %(choices)s.") % {"choices": ", ".join(choices)}, field=field)
    return value


@router.get(
    "/translations", response={200: QueuePage, **ERRORS}, auth=token_or_session, summary="Translations to do",
)
def translation_queue(
    request, gathering_id: str = None, language: str = None, state: str = None, limit: str = None, offset: str = None,
):
    """Missing and outdated language versions, by gathering, text and language
    (translators and coordinators). Filter by ``gathering_id``, ``language``
    and ``state`` (missing, outdated); page with ``limit`` (at most 500) and ``offset``."""
    _require_translator(request)
    gathering_id = _number(gathering_id, None, "gathering_id", 1, 2**63 - 1)
    language = _choice(language, languages.codes(), "language")
    state = _choice(state, list(STATES), "state")
    limit = _number(limit, 100, "limit", 1, 500)
    offset = _number(offset, 0, "offset", 0, 10**9)
    items = queries.queue(gathering_id, language, state, reader_language=get_language())
    return {
        "count": items.count(), "limit": limit, "offset": offset,
        "items": [
            {"target": item.target, "id": item.object_id, "language": item.language, "state": item.state,
             "gathering_id": item.gathering_id, "translated_revision": item.translated_revision,
             "revision": item.revision, "title": item.title}
            for item in items[offset : offset + limit]
        ],
    }


@router.get(
    "/translations/{target}/{object_id}", response={200: TextVersionsOut, **ERRORS}, auth=token_or_session,
    summary="The language versions of a text",
)
def text_versions(request, target: str, object_id: int):
    """The original (its language, revision and fields) and each language's version: the
    revision it translates, its own version (send it back as ``expected_version``) and
    whether it is outdated. Translators and coordinators."""
    _require_translator(request)
    return _versions_out(_original(request, target, object_id))


@router.put(
    "/translations/{target}/{object_id}/{language}", response={200: VersionOut, 409: ErrorOut, **ERRORS},
    auth=token_or_session, summary="Save a language version of a text",
)
def save_translation(request, target: str, object_id: int, language: str, payload: TranslationIn):
    """``fields``: {field: translated text}; ``base_revision``: the original's revision
    you translated; ``expected_version``: the version you started from (0 when there
    was none; leave it out to refuse only translations of a newer original). A newer
    stored version is a 409 conflict: fetch it, compare, send again."""
    _require_translator(request)
    obj = _original(request, target, object_id)
    translation = services.save_translation(
        request.user, obj, language, payload.fields, payload.base_revision, expected_version=payload.expected_version,
    )
    return _version_out(obj, translation)
