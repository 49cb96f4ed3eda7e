"""Every write of language versions.

- ``record_original(obj)`` / ``record_original_change(obj, changed)``: the
  owning app's services call them, inside their transaction, after creating
  or changing a translatable object: the revision moves on (so every
  translation of the earlier text becomes outdated) and the text is kept as a
  snapshot of that revision. They check no permission: the owning service has.
- ``save_translation(user, obj, language, fields, base_revision)``: a
  translator's or coordinator's version in one language, with optimistic
  versioning: never a silent overwrite of a newer or concurrent version.

Refusals raise ``ServiceError`` (400), ``PermissionDenied`` (403),
``NotFound`` (404) or ``TranslationConflict`` (409), with a translated message.
"""

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from convoca.core.errors import PermissionDenied, ServiceError

from . import languages, registry
from .models import Snapshot, Translation


class TranslationConflict(ServiceError):
    """Someone saved this language version meanwhile (``current``): compare, then save again."""

    status = 409

    def __init__(self, message, current=None):
        super().__init__(message, code="conflict")
        self.current = current


# --- the original -------------------------------------------------------------------------------


def clean_original_language(value, field="original_language"):
    """One of the four language codes for the language an original is written
    in; the author's (the request's) language when none is given."""
    if value in (None, ""):
        return languages.current_language()
    code = languages.normalize(value) if isinstance(value, str) else None
    if code is None or code != value.strip().lower():
        raise ServiceError(
            _("Choose one of the languages: %(choices)s.") % {"choices": ", ".join(languages.codes())}, field=field,
        )
    return code


def _require_translatable(obj):
    if not registry.is_translatable(obj) or obj.pk is None:
        raise ServiceError(_("This text cannot be translated."), code="not_translatable")


def _snapshot(obj, revision, values, language):
    Snapshot.objects.get_or_create(
        target=registry.label_of(obj), object_id=obj.pk, revision=revision,
        defaults={"fields": values, "language": language},
    )


def record_original(obj):
    """A translatable object was just created: keep its text as the snapshot of its first revision."""
    _require_translatable(obj)
    with transaction.atomic():
        _snapshot(obj, obj.text_revision, obj.original_values(), obj.original_language)
    return obj


def record_original_change(obj, changed_fields, previous=None):
    """``obj`` was just saved with ``changed_fields`` changed. When one of them
    is translatable (or the original's language), the text gets a new revision
    (every translation of the earlier one is now outdated) and its snapshot.

    ``previous``: the translatable fields' values before the change, kept as
    the earlier revision's snapshot when none was recorded (a row created
    before translations existed, or loaded in bulk), so the translators' diff
    still works. Returns True when a new revision was made."""
    _require_translatable(obj)
    watched = set(obj.TRANSLATABLE_FIELDS) | {"original_language"}
    if not watched & set(changed_fields):
        return False
    model = type(obj)
    with transaction.atomic():
        if previous is not None:
            before = {name: previous.get(name, getattr(obj, name)) or "" for name in obj.TRANSLATABLE_FIELDS}
            language = previous.get("original_language", obj.original_language)
            _snapshot(obj, obj.text_revision, before, language)
        model._default_manager.filter(pk=obj.pk).update(text_revision=F("text_revision") + 1)
        obj.text_revision = model._default_manager.filter(pk=obj.pk).values_list("text_revision", flat=True).get()
        _snapshot(obj, obj.text_revision, obj.original_values(), obj.original_language)
    return True


# --- language versions -------------------------------------------------------------------------


def _clean_text(value, long):
    if value is None:
        return ""
    if not isinstance(value, str):
        return None
    value = value.replace("\r\n", "\n").replace("\r", "\n")
    return value.strip() if long else " ".join(value.split())


def translation_problems(obj, language, fields):
    """(clean language, clean {field: text}, [ServiceError]) for a proposed
    language version of ``obj``. Forms show every problem at once; the service raises the first."""
    problems = []
    model = type(obj)
    code = languages.normalize(language) if isinstance(language, str) else None
    if code is None or code != language.strip().lower():
        problems.append(ServiceError(
            _("Choose one of the languages: %(choices)s.") % {"choices": ", ".join(languages.codes())},
            field="language", code="unknown_language",
        ))
    elif code == obj.original_language:
        problems.append(ServiceError(
            _("This text was written in %(language)s: choose another language to translate it into.")
            % {"language": languages.name_of(code)}, field="language", code="original_language",
        ))
    if not isinstance(fields, dict):
        problems.append(ServiceError(_("Send the translated fields."), field="fields"))
        return code, {}, problems
    unknown = sorted(str(name) for name in set(fields) - set(obj.TRANSLATABLE_FIELDS))
    if unknown:
        problems.append(ServiceError(
            _("This text has no field called %(name)s.") % {"name": unknown[0]}, field="fields", code="unknown_field",
        ))
    clean = {}
    original = obj.original_values()
    for name in obj.TRANSLATABLE_FIELDS:
        label = registry.field_label(model, name)
        text = _clean_text(fields.get(name), registry.is_long(model, name))
        limit = registry.field_limit(model, name)
        if text is None:
            problems.append(ServiceError(_("Enter text."), field=name))
        elif "\x00" in text:
            problems.append(ServiceError(
                _("The %(field)s contains a character that cannot be stored.") % {"field": label}, field=name,
            ))
        elif not original[name]:
            if text:
                problems.append(ServiceError(
                    _("The original has no %(field)s to translate.") % {"field": label}, field=name,
                ))
            clean[name] = ""
        elif not text:
            problems.append(ServiceError(
                _("Enter the translation of the %(field)s.") % {"field": label}, field=name, code="required",
            ))
        elif len(text) > limit:
            problems.append(ServiceError(
                _("The translation of the %(field)s is too long (%(max)d characters at most).")
                % {"field": label, "max": limit}, field=name, code="too_long",
            ))
        else:
            clean[name] = text
    return code, clean, problems


def _whole_number(value, field, lowest):
    if isinstance(value, bool) or not isinstance(value, int) or not lowest <= value < 2**31:
        raise ServiceError(_("This version of the original does not exist. Reload the page and try again."),
                           field=field, code="unknown_revision")
    return value


def save_translation(user, obj, language, fields, base_revision, *, expected_version=None):
    """Save ``user``'s version of ``obj`` in ``language``: ``fields`` ({field:
    text}) translate the original as it was at ``base_revision``.

    Optimistic versioning: ``expected_version`` is the version of this
    language's translation the editor started from (0: there was none). A
    save refers to it and to ``base_revision``; when the stored translation
    is newer (it translates a later revision, or someone saved since), the
    save is refused with ``TranslationConflict`` carrying the stored one:
    nobody's work is ever silently overwritten. Saving the same text twice
    changes nothing. A save against an earlier revision than the original's
    current one is kept, and is outdated at once."""
    _require_translatable(obj)
    if user is None or not user.has_perm("texts.translate", obj):
        raise PermissionDenied(_("Only translators and coordinators can translate texts."))
    code, clean, problems = translation_problems(obj, language, fields)
    if problems:
        raise problems[0]
    base_revision = _whole_number(base_revision, "base_revision", 1)
    if expected_version is not None:
        expected_version = _whole_number(expected_version, "expected_version", 0)
    model = type(obj)
    label = registry.label_of(obj)
    now = timezone.now()
    with transaction.atomic():
        current = model._default_manager.filter(pk=obj.pk).values(*obj.TRANSLATABLE_FIELDS, "text_revision",
                                                                   "original_language").first()
        if current is None:
            raise ServiceError(_("This text no longer exists."), code="not_found")
        if base_revision > current["text_revision"]:
            raise ServiceError(_("This version of the original does not exist. Reload the page and try again."),
                               field="base_revision", code="unknown_revision")
        if base_revision == current["text_revision"]:  # the text translated is now recorded, whatever came before
            values = {name: current[name] or "" for name in obj.TRANSLATABLE_FIELDS}
            _snapshot(obj, base_revision, values, current["original_language"])
        stored = Translation.objects.filter(target=label, object_id=obj.pk, language=code).first()
        if stored is not None and stored.revision == base_revision and stored.fields == clean and (
            expected_version is None or expected_version in (stored.version, stored.version - 1)
        ):
            return stored  # the same text again (a retry): nothing changes
        if stored is not None and stored.revision > base_revision:
            raise TranslationConflict(
                _("A translation of a newer version of the original was saved meanwhile. "
                  "Compare it with yours, then save again."), current=stored,
            )
        if expected_version is not None and (stored.version if stored is not None else 0) != expected_version:
            raise TranslationConflict(
                _("Someone else saved this translation meanwhile. Compare it with yours, then save again."),
                current=stored,
            )
        values = {"fields": clean, "revision": base_revision, "translated_by": user, "translated_at": now}
        if stored is None:
            try:
                with transaction.atomic():
                    created = Translation.objects.create(target=label, object_id=obj.pk, language=code, **values)
            except IntegrityError:  # another editor created it a moment ago
                raise TranslationConflict(
                    _("Someone else saved this translation meanwhile. Compare it with yours, then save again."),
                    current=Translation.objects.filter(target=label, object_id=obj.pk, language=code).first(),
                ) from None
            obj.translation_saved(created)
            return created
        claimed = Translation.objects.filter(
            pk=stored.pk, version=stored.version, revision__lte=base_revision
        ).update(version=stored.version + 1, **values)
        if not claimed:
            raise TranslationConflict(
                _("Someone else saved this translation meanwhile. Compare it with yours, then save again."),
                current=Translation.objects.filter(pk=stored.pk).first(),
            )
        for name, value in values.items():
            setattr(stored, name, value)
        stored.version += 1
        obj.translation_saved(stored)
        return stored
