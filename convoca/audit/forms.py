from django import forms
from django.utils.translation import gettext_lazy as _

from . import queries


class DateInput(forms.DateInput):
    input_type = "date"


class TrailFilterForm(forms.Form):
    """GET filters of the audit trail; works without JavaScript. Each list offers
    only what the trail mentions, by name (nobody types an internal id)."""

    gathering = forms.ChoiceField(label=_("Gathering"), required=False)
    action = forms.ChoiceField(label=_("Action"), required=False)
    actor = forms.ChoiceField(label=_("Who"), required=False)
    since = forms.DateField(label=_("From"), required=False, widget=DateInput)
    until = forms.DateField(label=_("Until"), required=False, widget=DateInput)

    def __init__(self, viewer, data=None):
        super().__init__(data)
        self.fields["gathering"].choices = [("", _("All gatherings"))] + queries.gathering_choices(viewer)
        self.fields["action"].choices = [("", _("All actions"))] + queries.action_choices()
        self.fields["actor"].choices = [("", _("Everyone"))] + queries.actor_choices(viewer)

    def clean(self):
        cleaned = super().clean()
        since, until = cleaned.get("since"), cleaned.get("until")
        if since and until and until < since:
            self.add_error("until", _("The end date must be on or after the start date."))
        return cleaned

    def filters(self):
        """The valid filters (an invalid one is reported and ignored)."""
        self.is_valid()
        cleaned = getattr(self, "cleaned_data", {})
        return {name: cleaned[name] for name in ("gathering", "action", "actor", "since", "until") if cleaned.get(name)}
