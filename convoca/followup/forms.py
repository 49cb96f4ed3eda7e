from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from convoca.network.models import Organisation
from convoca.network.queries import sorted_country_choices
from convoca.proposals.models import Theme

from .models import Status, WorkingGroup


class GroupForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    theme = forms.ModelChoiceField(label=_("Theme"), queryset=Theme.objects.none(), required=False)
    country = forms.ChoiceField(label=_("Country"), required=False)
    coordinator = forms.ModelChoiceField(label=_("Coordinator"), queryset=get_user_model().objects.none(),
                                         required=False)

    def __init__(self, *args, gathering, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["theme"].queryset = Theme.objects.filter(gathering=gathering)
        self.fields["country"].choices = [("", _("All countries"))] + sorted_country_choices()
        self.fields["coordinator"].queryset = get_user_model().objects.filter(is_active=True, person__isnull=False).select_related("person").order_by("person__display_name")


class MemberForm(forms.Form):
    user = forms.ModelChoiceField(label=_("Person"), queryset=get_user_model().objects.none())
    organisation = forms.ModelChoiceField(label=_("Organisation"), queryset=Organisation.objects.none(),
                                          required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = get_user_model().objects.filter(is_active=True, person__isnull=False).select_related("person").order_by("person__display_name")
        self.fields["organisation"].queryset = Organisation.objects.order_by("name_key")


class NotesForm(forms.Form):
    notes = forms.CharField(label=_("Shared notes"), widget=forms.Textarea(attrs={"rows": 12}), required=False,
                            max_length=50_000)
    base_version = forms.IntegerField(widget=forms.HiddenInput)


class AssignForm(forms.Form):
    group = forms.ModelChoiceField(label=_("Responsible working group"), queryset=WorkingGroup.objects.none(),
                                   required=False)

    def __init__(self, *args, gathering, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["group"].queryset = WorkingGroup.objects.filter(gathering=gathering)


class ProgressForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=Status.choices)
    text = forms.CharField(label=_("What happened"), widget=forms.Textarea(attrs={"rows": 4}), max_length=5_000)
    link = forms.CharField(label=_("Link to an action or a document"), required=False, max_length=500,
                           help_text=_("Optional: the address of a day of action, a local action or a report."))
    on = forms.DateField(label=_("Date"), required=False, help_text=_("Today if left empty."),
                         widget=forms.DateInput(attrs={"type": "date"}))


class MeetingForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    starts_at = forms.DateTimeField(label=_("Starts at"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))
    agenda = forms.CharField(label=_("Agenda"), widget=forms.Textarea(attrs={"rows": 4}), required=False)
