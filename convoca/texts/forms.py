from django import forms
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from . import languages, registry
from .queries import MISSING, OUTDATED
from .services import translation_problems


class QueueFilterForm(forms.Form):
    """Filters of the translators' queue (GET): gathering, language, missing/outdated."""

    gathering = forms.TypedChoiceField(label=_("Gathering"), required=False, coerce=int, empty_value=None)
    language = forms.ChoiceField(label=_("Language"), required=False)
    state = forms.ChoiceField(
        label=_("Status"), required=False,
        choices=[("", _("Missing and outdated")), (MISSING, _("Missing")), (OUTDATED, _("Outdated"))],
    )

    def __init__(self, *args, gatherings=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["gathering"].choices = [("", _("All gatherings"))] + [
            (g.pk, str(g.localized["title"]) if hasattr(g, "localized") else str(g)) for g in gatherings
        ]
        self.fields["language"].choices = [("", _("All languages"))] + languages.reader_choices()

    def filters(self):
        """{gathering_id, language, state}: None for each one not chosen (or not valid)."""
        if not self.is_valid():
            return {"gathering_id": None, "language": None, "state": None}
        data = self.cleaned_data
        return {"gathering_id": data["gathering"], "language": data["language"] or None, "state": data["state"] or None}


class TranslationForm(forms.Form):
    """The translated fields of one object in one language, and what the editor
    started from (the original's revision, the translation's version)."""

    base_revision = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    expected_version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)

    def __init__(self, *args, obj, language, **kwargs):
        super().__init__(*args, **kwargs)
        self.obj, self.language = obj, language
        model = type(obj)
        original = obj.original_values()
        self.names = [name for name in model.TRANSLATABLE_FIELDS if original[name]]
        for name in self.names:
            long = registry.is_long(model, name)
            attrs = {"lang": language, "spellcheck": "true"}
            if long:
                attrs["rows"] = 10
            label = registry.field_label(model, name)
            self.fields[name] = forms.CharField(
                label=capfirst(label), strip=False,
                widget=forms.Textarea(attrs=attrs) if long else forms.TextInput(attrs=attrs),
                error_messages={"required": _("Enter the translation of the %(field)s.") % {"field": label}},
            )

    def clean(self):
        cleaned = super().clean()
        fields = {name: cleaned.get(name) or "" for name in self.names}
        _code, clean, problems = translation_problems(self.obj, self.language, fields)
        for problem in problems:  # one message per field: a field the form refused already keeps its own
            target = problem.field if problem.field in self.fields else None
            if target is None or target not in self.errors:
                self.add_error(target, str(problem.message))
        cleaned["fields"] = clean
        return cleaned
