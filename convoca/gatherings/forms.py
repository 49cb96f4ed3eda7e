from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django_countries import countries

from convoca.network.models import Organisation, Sector
from convoca.texts import languages

from .models import Gathering, Registration
from .services import GATHERING_FIELDS, gathering_problems


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


class Radios(forms.RadioSelect):
    """Radios whose label and error-summary link point at the first choice
    (Django's default points nowhere)."""

    def id_for_label(self, id_, index="0"):
        return super().id_for_label(id_, index)


class GatheringForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=Gathering.Kind.choices, widget=Radios)
    title = forms.CharField(label=_("Title"), max_length=200)
    slug = forms.SlugField(
        label=_("Short name"), max_length=80,
        help_text=_("Used in the address of the page, e.g. prep-brasil. Letters, numbers and hyphens only."),
    )
    country = forms.ChoiceField(
        label=_("Country"), required=False,
        help_text=_("Required for a national preparatory meeting. Its national committee can then edit it and accredit."),
    )
    starts_on = forms.DateField(label=_("Starts on"), widget=DateInput, help_text=_("For example 2026-03-27"))
    ends_on = forms.DateField(label=_("Ends on"), widget=DateInput, help_text=_("The same day for a one-day meeting"))
    place = forms.CharField(
        label=_("Place"), max_length=200, required=False, help_text=_("City and venue. Shown to everyone.")
    )
    online_url = forms.URLField(
        label=_("Online room"), required=False, assume_scheme="https",
        help_text=_("Link to the video room. Shown only to organisers and accredited participants."),
    )
    description = forms.CharField(label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 5}))
    original_language = forms.ChoiceField(
        label=_("Language of the title and description"), required=False,
        help_text=_("Translators will translate them into the other languages."),
    )
    registration_open = forms.BooleanField(label=_("Registration is open"), required=False, initial=True)

    def __init__(self, *args, gathering=None, can_change_scope=True, **kwargs):
        self.gathering = gathering
        if gathering is not None and "initial" not in kwargs:
            initial = {name: getattr(gathering, name) for name in GATHERING_FIELDS}
            initial["country"] = gathering.country.code or ""
            kwargs["initial"] = initial
        super().__init__(*args, **kwargs)
        self.fields["country"].choices = [("", _("None (continental)"))] + list(countries)
        self.fields["original_language"].choices = languages.reader_choices()
        if gathering is None:
            self.fields["original_language"].initial = languages.current_language()
        if not can_change_scope:
            for name in ("kind", "country"):
                self.fields[name].disabled = True
                self.fields[name].help_text = _("Only coordinators can change this.")

    def clean(self):
        cleaned = super().clean()
        values = {name: cleaned.get(name) for name in GATHERING_FIELDS}
        values["slug"] = (values["slug"] or "").lower()
        for problem in gathering_problems(values, instance=self.gathering):
            if problem.field in self.fields and problem.field not in self.errors:
                self.add_error(problem.field, str(problem.message))
        return cleaned

    def service_values(self):
        return {name: self.cleaned_data[name] for name in GATHERING_FIELDS}


class RegistrationForm(forms.Form):
    role = forms.ChoiceField(
        label=_("How do you take part?"), choices=Registration.Role.choices, widget=Radios,
        help_text=_(
            "The organisers of this gathering see your display name (not your email or full name). "
            "For a delegate, so do the contact person and the national committee of your organisation, "
            "who confirm your mandate."
        ),
    )
    organisation = forms.ModelChoiceField(
        label=_("Organisation you represent"), queryset=Organisation.objects.none(), required=False,
        empty_label=_("None"), help_text=_("Required for delegates. Only organisations you are a member of."),
    )

    def __init__(self, *args, person=None, **kwargs):
        super().__init__(*args, **kwargs)
        if person is not None:
            self.fields["organisation"].queryset = Organisation.objects.filter(memberships__person=person).order_by(
                "name_key"
            )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("role") == Registration.Role.DELEGATE and not cleaned.get("organisation"):
            if "organisation" not in self.errors:
                self.add_error("organisation", _("Choose the organisation you represent as a delegate."))
        return cleaned


class RefuseForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for the refusal"), max_length=1000, widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("The person will read it."),
        error_messages={"required": _("Give the reason for the refusal. The person will see it.")},
    )


class MandateForm(forms.Form):
    decision = forms.ChoiceField(choices=[("confirm", _("Confirm")), ("reject", _("Reject"))])


class CheckInForm(forms.Form):
    token = forms.CharField(
        label=_("Badge code"), max_length=500,
        help_text=_("Scan the QR code with the scanner, or paste the code printed under it."),
        error_messages={
            "required": _("Scan a badge or paste its code."),
            "max_length": _("This is not a valid badge: the code is damaged or forged."),
        },
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "autocapitalize": "off", "spellcheck": "false", "autofocus": True}
        ),
    )


class RegistrationFilterForm(forms.Form):
    """GET filters of the registrations list. A value that does not validate is left out and the
    others still apply (``values``), so a bad link shows a wider list, never an error page."""

    q = forms.CharField(
        label=_("Search"), required=False, max_length=100,
        help_text=_("A name or an organisation. Accents and capitals do not matter."),
    )
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("All"))] + list(Registration.Status.choices),
    )
    role = forms.ChoiceField(
        label=_("Role"), required=False, choices=[("", _("All"))] + list(Registration.Role.choices),
    )
    mandate = forms.ChoiceField(
        label=_("Mandate"), required=False, choices=[("", _("All"))] + list(Registration.Mandate.choices),
    )
    country = forms.ChoiceField(label=_("Country"), required=False)
    organisation = forms.CharField(label=_("Organisation"), required=False, max_length=100)
    sector = forms.ChoiceField(label=_("Sector"), required=False, choices=[("", _("All"))] + list(Sector.choices))
    checked_in = forms.ChoiceField(
        label=_("Checked in"), required=False,
        choices=[("", _("All")), ("yes", _("Checked in")), ("no", _("Not checked in"))],
    )

    def __init__(self, *args, countries=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["country"].choices = [("", _("All"))] + list(countries)

    def values(self):
        """The filters that validated, as keyword arguments of ``queries.registrations_for``."""
        if not self.is_bound:
            return {}
        self.is_valid()
        data = {name: value for name, value in self.cleaned_data.items() if value}
        if "q" in data:
            data["search"] = data.pop("q")
        return data


class BulkActionForm(forms.Form):
    """A bulk action over the rows ticked (``registration``) or over every row matching the
    filters posted with it (``all_matching``)."""

    ACTIONS = [
        ("accredit", _("Accredit")),
        ("confirm_mandate", _("Confirm the mandate")),
        ("refuse", pgettext_lazy("verb", "Refuse")),
        ("invite", _("Invite to create an account")),
    ]
    action = forms.ChoiceField(
        label=_("Action"), choices=ACTIONS, error_messages={"required": _("Choose what to do with the rows.")},
    )
    reason = forms.CharField(
        label=_("Reason for the refusal"), required=False, max_length=1000,
        help_text=_("Only for a refusal. Each person will read it."),
    )
    registration = forms.TypedMultipleChoiceField(coerce=int, required=False, choices=())
    all_matching = forms.BooleanField(required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Any number is accepted here; rows of another gathering are refused by the view, row by row.
        self.fields["registration"].valid_value = lambda value: str(value).isdigit() and len(str(value)) < 12

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("all_matching") and not cleaned.get("registration") and "registration" not in self.errors:
            self.add_error(None, _("Tick the registrations to act on, or all that match the filter."))
        if cleaned.get("action") == "refuse" and not (cleaned.get("reason") or "").strip():
            self.add_error("reason", _("Give the reason for the refusal. The person will see it."))
        return cleaned
