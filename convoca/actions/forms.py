"""Plain forms of days of action; each works without JavaScript and hands its values to a service, which
checks them again."""

import zoneinfo
from functools import cache

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_countries import countries
from django_countries.fields import LazyTypedChoiceField

from convoca.proposals.models import Proposal
from convoca.texts import languages

from .models import ActionType, Visibility


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%dT%H:%M")


@cache
def zone_choices():
    """The IANA zones of the Americas and the Atlantic islands, by name."""
    names = sorted(name for name in zoneinfo.available_timezones()
                   if name.startswith(("America/", "Atlantic/", "Pacific/Galapagos", "Pacific/Easter")))
    return [("", "")] + [(name, name.replace("_", " ")) for name in names]


class ActionForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    kind = forms.ChoiceField(label=_("Type of action"))
    organisation = forms.TypedChoiceField(label=_("Hosted by"), coerce=int, required=False, empty_value=None)
    starts_at = forms.DateTimeField(label=_("Starts (local time)"), widget=DateTimeInput)
    ends_at = forms.DateTimeField(label=_("Ends (local time)"), widget=DateTimeInput)
    timezone = forms.ChoiceField(label=_("Time zone of the place"), choices=zone_choices,
                                 help_text=_("People see the time in their own zone too."))
    city = forms.CharField(label=_("City"), max_length=120)
    country = LazyTypedChoiceField(label=_("Country"), choices=countries)
    address = forms.CharField(label=_("Exact address"), max_length=300, required=False,
                              help_text=_("Optional. Who sees it is your choice below."))
    address_visibility = forms.ChoiceField(label=_("Who sees the exact address"), choices=Visibility.choices,
                                           initial=Visibility.NOBODY, widget=forms.RadioSelect)
    latitude = forms.DecimalField(label=_("Latitude of the city"), required=False, max_digits=8, decimal_places=5,
                                  help_text=_("Optional, for the map. Rounded to about 10 km: the map shows the "
                                              "city, never the place."))
    longitude = forms.DecimalField(label=_("Longitude of the city"), required=False, max_digits=8,
                                   decimal_places=5)
    description = forms.CharField(label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 4}),
                                  max_length=5000)
    accessibility = forms.CharField(label=_("Accessibility"), required=False, max_length=1000,
                                    widget=forms.Textarea(attrs={"rows": 2}),
                                    help_text=_("Step-free access, sign language, toilets, shade..."))
    capacity = forms.IntegerField(label=_("Capacity"), required=False, min_value=1, max_value=1_000_000,
                                  help_text=_("Leave empty for no limit."))
    online_url = forms.URLField(label=_("Online link"), required=False, assume_scheme="https",
                                help_text=_("For online actions."))

    def __init__(self, *args, campaign, organisations=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = campaign.type_choices()
        self.fields["organisation"].choices = [("", _("Myself"))] + [(o.pk, o.name) for o in organisations]
        self.organisations = {o.pk: o for o in organisations}

    def service_data(self):
        """The values as the service takes them: start and end as typed (wall time at the place)."""
        data = dict(self.cleaned_data)
        for name in ("starts_at", "ends_at"):
            data[name] = timezone.make_naive(data[name])
        data.pop("organisation", None)
        return data

    def chosen_organisation(self):
        return self.organisations.get(self.cleaned_data.get("organisation"))


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


class ProposalChoice(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        number = f"{obj.number} · " if obj.number else ""
        return f"{number}{obj.title} ({obj.gathering.title})"


class CampaignForm(forms.Form):
    """A day of action: on creation its gathering and short name too; the service checks every value again."""

    gathering = forms.TypedChoiceField(label=_("Gathering"), coerce=int,
                                       help_text=_("The gathering whose adopted proposals this day of action "
                                                   "carries out."))
    slug = forms.SlugField(label=_("Short name"), max_length=80,
                           help_text=_("The address of its page: letters without accents, numbers and hyphens, "
                                       "such as dia-continental. It cannot be changed later."))
    title = forms.CharField(label=_("Title"), max_length=200)
    starts_on = forms.DateField(label=_("First day"), widget=DateInput, help_text=_("For example 2026-10-12"))
    ends_on = forms.DateField(label=_("Last day"), widget=DateInput,
                              help_text=_("The same day for a one-day mobilisation"))
    action_types = forms.MultipleChoiceField(
        label=_("Types of action hosts may register"), choices=ActionType.choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one type of action from the list.")})
    description = forms.CharField(label=_("Description"), required=False, max_length=5000,
                                  widget=forms.Textarea(attrs={"rows": 5}))
    proposals = ProposalChoice(label=_("Adopted proposals it carries out"), required=False, queryset=None,
                               widget=forms.CheckboxSelectMultiple)
    original_language = forms.ChoiceField(label=_("Language of the title and description"), required=False,
                                          help_text=_("Translators will translate them into the other "
                                                      "languages."))

    def __init__(self, *args, gatherings=(), campaign=None, **kwargs):
        self.campaign = campaign
        if campaign is not None and "initial" not in kwargs:
            kwargs["initial"] = {"gathering": campaign.gathering_id, "slug": campaign.slug, "title": campaign.title,
                                 "starts_on": campaign.starts_on, "ends_on": campaign.ends_on,
                                 "action_types": campaign.action_types, "description": campaign.description,
                                 "proposals": list(campaign.proposals.values_list("pk", flat=True))}
        super().__init__(*args, **kwargs)
        adopted = Proposal.objects.filter(state=Proposal.State.ADOPTED).select_related("gathering") \
            .order_by("gathering__starts_on", "prefix", "seq", "pk")
        if campaign is not None:
            for name in ("gathering", "slug", "original_language"):
                del self.fields[name]
            adopted = adopted.filter(gathering_id=campaign.gathering_id)
        else:
            self.fields["gathering"].choices = [(g.pk, g.title) for g in gatherings]
            self.fields["original_language"].choices = languages.reader_choices()
            self.fields["original_language"].initial = languages.current_language()
        self.fields["proposals"].queryset = adopted
        if not adopted.exists():
            del self.fields["proposals"]

    def service_values(self):
        data = dict(self.cleaned_data)
        data.pop("gathering", None)
        data["proposals"] = list(data.get("proposals") or ())
        return data


class RsvpForm(forms.Form):
    name = forms.CharField(label=_("Name or pseudonym"), max_length=80,
                           help_text=_("Any name you like: it need not be your real one."))
    email = forms.EmailField(label=_("Email"), max_length=254,
                             help_text=_("Only to confirm your place and remind you the day before."))
    share_name = forms.BooleanField(label=_("The host may see this name"), required=False)
    share_email = forms.BooleanField(label=_("The host may see my email, to contact me about this action"),
                                     required=False)


class RejectForm(forms.Form):
    reason = forms.CharField(label=_("Why (the host reads this)"), max_length=500,
                             widget=forms.Textarea(attrs={"rows": 2}))


class ReportForm(forms.Form):
    attendance = forms.IntegerField(label=_("How many people came"), min_value=0, max_value=10_000_000)
    report = forms.CharField(label=_("What happened (a few lines)"), required=False, max_length=2000,
                             widget=forms.Textarea(attrs={"rows": 4}))


class FilterForm(forms.Form):
    country = forms.ChoiceField(label=_("Country"), required=False)
    city = forms.CharField(label=_("City"), required=False, max_length=120)
    kind = forms.ChoiceField(label=_("Type"), required=False)
    day = forms.DateField(label=_("Day"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, campaign, country_codes=(), **kwargs):
        super().__init__(*args, **kwargs)
        names = dict(countries)
        self.fields["country"].choices = [("", _("All countries"))] + sorted(
            ((code, names.get(code, code)) for code in country_codes), key=lambda pair: str(pair[1]))
        self.fields["kind"].choices = [("", _("All types"))] + campaign.type_choices()

    def filters(self):
        if not self.is_valid():
            return {}
        return {name: value for name, value in self.cleaned_data.items() if value}


