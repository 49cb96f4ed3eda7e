from django import forms
from django.utils.translation import gettext_lazy as _

from convoca.network.models import Sector
from convoca.network.queries import sorted_country_choices

from .models import Endorsement


class EndorseForm(forms.Form):
    kind = forms.ChoiceField(label=_("Who endorses"), choices=Endorsement.Kind.choices,
                             initial=Endorsement.Kind.ORGANISATION, widget=forms.RadioSelect)
    organisation = forms.CharField(label=_("Organisation"), max_length=200, required=False)
    country = forms.ChoiceField(label=_("Country"))
    sector = forms.ChoiceField(label=_("Sector"), choices=[("", "—")] + list(Sector.choices), required=False)
    signatory = forms.CharField(label=_("Name of the person signing"), max_length=120)
    role = forms.CharField(label=_("Role in the organisation"), max_length=120, required=False)
    email = forms.EmailField(label=_("Contact email"), max_length=254,
                             help_text=_("We send the confirmation link here. Never shown publicly."))
    show_signatory = forms.BooleanField(label=_("Show my name publicly next to the endorsement"), required=False,
                                        help_text=_("If you leave this unticked, only the organisation is shown."))

    def __init__(self, *args, individuals_allowed=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["country"].choices = [("", _("Choose a country"))] + sorted_country_choices()
        if not individuals_allowed:
            self.fields["kind"].widget = forms.HiddenInput()
            self.fields["kind"].choices = [(Endorsement.Kind.ORGANISATION, Endorsement.Kind.ORGANISATION.label)]


class SettingsForm(forms.Form):
    individuals_allowed = forms.BooleanField(label=_("individuals may endorse too"), required=False)
    committee_approval = forms.BooleanField(
        label=_("a national committee approves each endorsement before it is public"), required=False,
    )


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(choices=[("approve", "approve"), ("reject", "reject")])
