"""Reads of language versions, shared by every app's pages and API.

``localize(objects, language)`` is the one read helper: it decorates a list of
translatable objects (of any models) for a reader's language with ONE query,
so a list page costs the same whatever the number of items.
"""

from dataclasses import dataclass, field

from django.db.models import CharField as CharValue
from django.db.models import F, IntegerField, OuterRef, Q, Subquery, Value
from django.utils.html import format_html

from . import languages, registry
from .diff import has_changes, word_diff
from .models import Snapshot, Translation

MISSING, OUTDATED = "missing", "outdated"
STATES = (MISSING, OUTDATED)


# --- what a reader sees ---------------------------------------------------------------------


class Piece:
    """One field's text as shown, and its language. Renders as its text
    (escaped by the template); ``lang_attr`` is ` lang="…"` when the text is
    not in the page's language, to put on the element that holds it."""

    __slots__ = ("text", "language", "page_language")

    def __init__(self, text, language, page_language):
        self.text, self.language, self.page_language = text or "", language, page_language

    def __str__(self):
        return self.text

    def __bool__(self):
        return bool(self.text)

    def __eq__(self, other):
        return str(self) == str(other)

    __hash__ = None

    @property
    def lang_attr(self):
        if self.language == self.page_language:
            return ""
        return format_html(' lang="{}"', self.language)


class LocalizedText:
    """What ``localize`` attaches to an object as ``obj.localized``.

    ``localized["title"]`` (``{{ obj.localized.title }}`` in a template) is the
    field as shown (a ``Piece``); ``language`` the language shown;
    ``original_language``; ``is_translation``; ``is_outdated`` (the original
    changed since it was translated); ``is_original_requested`` (the reader
    asked for the original); ``has_translation`` (a version exists in the
    reader's language); ``missing`` (none exists: the original is shown)."""

    def __init__(self, obj, translation, language, original=False):
        self.requested = language
        self.original_language = obj.original_language
        self.original_revision = obj.text_revision
        self.has_translation = translation is not None
        self.is_original_requested = bool(original) and obj.original_language != language
        use = translation if translation is not None and not original else None
        self.is_translation = use is not None
        self.language = use.language if use is not None else obj.original_language
        self.revision = use.revision if use is not None else obj.text_revision
        self.is_outdated = use is not None and use.revision < obj.text_revision
        self.translated_at = use.translated_at if use is not None else None
        self.missing = translation is None and obj.original_language != language
        values = obj.original_values()
        self.fields = {}
        for name, text in values.items():
            shown = (use.fields.get(name) or "") if use is not None else ""
            if shown:
                self.fields[name] = Piece(shown, use.language, language)
            else:  # not translated (yet): this field in the original
                self.fields[name] = Piece(text, obj.original_language, language)

    def __getitem__(self, name):
        return self.fields[name]

    def __contains__(self, name):
        return name in self.fields

    @property
    def lang_attr(self):
        """` lang="…"` for an element holding the whole text, when it is not in the page's language."""
        return Piece("", self.language, self.requested).lang_attr

    @property
    def language_name(self):
        return languages.name_of(self.language)

    @property
    def original_language_name(self):
        return languages.name_of(self.original_language)

    @property
    def requested_language_name(self):
        return languages.name_of(self.requested)

    def values(self):
        """{field: text} as shown, for the API."""
        return {name: piece.text for name, piece in self.fields.items()}


def localize(objects, language=None, *, original=False, attr="localized"):
    """Attach ``LocalizedText`` to each translatable object (as ``obj.localized``)
    for ``language`` (the request's when None) and return the objects as a list.

    One query for the whole list, whatever its length, its languages and
    however many models it mixes (none for an empty list). ``original=True``:
    show the originals (``?original=1``), still saying whether a version
    exists in ``language``."""
    objects = list(objects)
    language = languages.normalize(language) or languages.current_language()
    wanted = {}
    for obj in objects:
        wanted.setdefault(registry.label_of(obj), []).append(obj.pk)
    found = {}
    if wanted:
        match = Q()
        for label, ids in wanted.items():
            match |= Q(target=label, object_id__in=ids)
        rows = Translation.objects.filter(match, language=language).only(
            "target", "object_id", "language", "fields", "revision", "translated_at"
        )
        found = {(row.target, row.object_id): row for row in rows}
    for obj in objects:
        # A version in the original's own language (left from before its language changed) is never shown.
        translation = found.get((registry.label_of(obj), obj.pk)) if obj.original_language != language else None
        setattr(obj, attr, LocalizedText(obj, translation, language, original))
    return objects


def localized(obj, language=None, *, original=False):
    """The ``LocalizedText`` of one object (one query at most)."""
    return localize([obj], language, original=original)[0].localized


# --- what a translator sees ---------------------------------------------------------------------


def translations_of(obj):
    """{language: Translation} of one object, in one query."""
    rows = Translation.objects.filter(target=registry.label_of(obj), object_id=obj.pk)
    return {row.language: row for row in rows}


def translation_of(obj, language):
    return Translation.objects.filter(target=registry.label_of(obj), object_id=obj.pk, language=language).first()


def snapshot_of(obj, revision):
    """The original's fields at ``revision`` ({field: text}), or None when that revision was never recorded."""
    row = Snapshot.objects.filter(target=registry.label_of(obj), object_id=obj.pk, revision=revision).first()
    return row.fields if row is not None else None


@dataclass
class FieldChange:
    name: str
    label: str
    segments: list = field(default_factory=list)

    @property
    def changed(self):
        return has_changes(self.segments)


def changes_since(obj, revision):
    """[FieldChange] of the original between ``revision`` and now (word-level),
    or None when that revision's text was never recorded."""
    before = snapshot_of(obj, revision)
    if before is None:
        return None
    model = type(obj)
    return [
        FieldChange(name, registry.field_label(model, name), word_diff(before.get(name, ""), text))
        for name, text in obj.original_values().items()
    ]


# --- the translators' queue ----------------------------------------------------------------------


@dataclass
class QueueItem:
    """One missing or outdated language version."""

    model: type
    object_id: int
    language: str
    gathering_id: int
    translated_revision: int | None  # None: missing
    revision: int
    obj: object = None  # the original, filled for a page
    gathering: object = None  # the gathering, localized for the reader

    @property
    def state(self):
        return MISSING if self.translated_revision is None else OUTDATED

    @property
    def is_missing(self):
        return self.translated_revision is None

    @property
    def target(self):
        return registry.label_of(self.model)

    @property
    def language_name(self):
        return languages.name_of(self.language)

    @property
    def kind(self):
        return self.model._meta.verbose_name

    @property
    def title(self):
        """The first translatable field of the original (its title), as written."""
        if self.obj is None:
            return ""
        return next((text for text in self.obj.original_values().values() if text), "")


def _gathering_filter(model, gathering_id):
    lookup = model.GATHERING_LOOKUP
    return Q(pk=gathering_id) if lookup == registry.SCOPE_LOOKUP else Q(**{lookup: gathering_id})


def _part(index, model, language, gathering_id, state):
    label = registry.label_of(model)
    translated = Translation.objects.filter(target=label, object_id=OuterRef("pk"), language=language)
    gathering_ref = "pk" if model.GATHERING_LOOKUP == registry.SCOPE_LOOKUP else model.GATHERING_LOOKUP
    qs = model.translation_queue().exclude(original_language=language)
    if gathering_id is not None:
        qs = qs.filter(_gathering_filter(model, gathering_id))
    qs = qs.annotate(
        q_gathering=F(gathering_ref),
        q_kind=Value(index, output_field=IntegerField()),
        q_object=F("pk"),
        q_language=Value(language, output_field=CharValue()),
        q_translated=Subquery(translated.values("revision")[:1], output_field=IntegerField()),
        q_revision=F("text_revision"),
    )
    if state == MISSING:
        qs = qs.filter(q_translated__isnull=True)
    elif state == OUTDATED:
        qs = qs.filter(q_translated__lt=F("text_revision"))
    else:
        qs = qs.filter(Q(q_translated__isnull=True) | Q(q_translated__lt=F("text_revision")))
    return qs.order_by().values_list("q_gathering", "q_kind", "q_object", "q_language", "q_translated", "q_revision")


class Queue:
    """Missing and outdated language versions, by gathering, then text, then
    language: a sequence for Django's Paginator. ``count()`` is one query;
    a page is one query, plus one per model on it for the originals and one
    pair for the gatherings' names (localized)."""

    ORDER = ("q_gathering", "q_kind", "q_object", "q_language")

    def __init__(self, gathering_id=None, language=None, state=None, reader_language=None):
        self.models = registry.translatable_models()
        self.reader_language = reader_language
        wanted = [language] if language else languages.codes()
        parts = [
            _part(index, model, code, gathering_id, state)
            for index, model in enumerate(self.models)
            for code in wanted
        ]
        if not parts:
            self.rows = None
        elif len(parts) == 1:
            self.rows = parts[0].order_by(*self.ORDER)
        else:
            self.rows = parts[0].union(*parts[1:], all=True).order_by(*self.ORDER)

    def count(self):
        return self.rows.count() if self.rows is not None else 0

    def __len__(self):
        return self.count()

    def __getitem__(self, index):
        if self.rows is None:
            return []
        rows = self.rows[index]
        if not isinstance(index, slice):
            rows = [rows]
        items = [
            QueueItem(self.models[kind], object_id, language, gathering, translated, revision)
            for gathering, kind, object_id, language, translated, revision in rows
        ]
        self._attach(items)
        return items if isinstance(index, slice) else items[0]

    def _attach(self, items):
        by_model = {}
        for item in items:
            by_model.setdefault(item.model, set()).add(item.object_id)
        objects = {
            (model, obj.pk): obj for model, ids in by_model.items() for obj in model._default_manager.filter(pk__in=ids)
        }
        scope = registry.scope_model()
        gatherings = {}
        if scope is not None and items:
            gathering_ids = {item.gathering_id for item in items}
            found = [objects.get((scope, pk)) for pk in gathering_ids]
            if None in found:  # some gatherings are not on this page as items themselves
                found = list(scope._default_manager.filter(pk__in=gathering_ids))
            gatherings = {g.pk: g for g in localize(found, self.reader_language, attr="queue_localized")}
        for item in items:
            item.obj = objects.get((item.model, item.object_id))
            item.gathering = gatherings.get(item.gathering_id)


def queue(gathering_id=None, language=None, state=None, reader_language=None):
    """The translators' queue (see ``Queue``), optionally for one gathering,
    one language and one state (``"missing"`` or ``"outdated"``)."""
    return Queue(gathering_id, language, state, reader_language)
