"""Forms only shape and check what the browser sends; the rules and the real
validation live in ``services`` (the API and CLI do not use these forms)."""

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from convoca.core.roles import is_coordinator
from convoca.network.rules import committee_countries

from . import queries
from .models import NationalCommittee, Organisation, Person, Sector, ShownAs, Visibility

SITE_LANGUAGE_CHOICES = list(queries.LANGUAGE_NAMES.items())
SITE_LANGUAGE_CODES = [code for code, _label in SITE_LANGUAGE_CHOICES]


class Radios(forms.RadioSelect):
    """Radio buttons whose label target is the first option, so the error
    summary can link to the group."""

    def id_for_label(self, id_, index="0"):
        return forms.widgets.ChoiceWidget.id_for_label(self, id_, index)


class Checkboxes(forms.CheckboxSelectMultiple):
    def id_for_label(self, id_, index="0"):
        return forms.widgets.ChoiceWidget.id_for_label(self, id_, index)


class PersonRefField(forms.CharField):
    """A person given by email address or registry number (scales to a
    registry of 100,000 people, unlike a drop-down). Coordinators only."""

    default_error_messages = {
        "unknown": _("No one in the registry has this email address or number."),
    }

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 254)
        kwargs.setdefault(
            "help_text", _("The person’s email address or their number in the registry, for example 123.")
        )
        super().__init__(**kwargs)

    def clean(self, value):
        text = super().clean(value).strip().lstrip("#")
        if not text:
            return None
        people = Person.objects.all()
        if text.isdigit():
            person = people.filter(pk=int(text)).first()
        else:
            person = people.filter(email__iexact=text).first() if "@" in text else None
        if person is None:
            raise forms.ValidationError(self.error_messages["unknown"], code="unknown")
        return person


def person_ref(person):
    if person is None:
        return ""
    return person.email or str(person.pk)


# --- organisations -----------------------------------------------------------------


class OrganisationFilterForm(forms.Form):
    """GET filters of the organisation list; works without JavaScript."""

    country = forms.ChoiceField(label=_("Country"), required=False)
    sector = forms.ChoiceField(label=_("Sector"), required=False)

    def __init__(self, data=None, *, country_codes=()):
        super().__init__(data)
        self.fields["country"].choices = [("", _("All countries"))] + queries.sorted_country_choices(country_codes)
        self.fields["sector"].choices = [("", _("All sectors"))] + list(Sector.choices)

    def filters(self):
        """The valid filters (an invalid one is reported and ignored)."""
        self.is_valid()
        cleaned = getattr(self, "cleaned_data", {})
        return {key: cleaned[key] for key in ("country", "sector") if cleaned.get(key)}


class OrganisationForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    country = forms.ChoiceField(label=_("Country"))
    sector = forms.ChoiceField(label=_("Sector"), choices=Sector.choices)
    website = forms.URLField(
        label=_("Website"), required=False, max_length=200, assume_scheme="https",
        help_text=_("For example https://sindicato.org"),
    )
    is_public = forms.BooleanField(
        label=_("List this organisation publicly"), required=False,
        help_text=_("If not ticked, only coalition members see this organisation."),
    )
    contact = PersonRefField(label=_("Contact person"), required=False)

    def __init__(self, user, data=None, *, organisation=None):
        initial = {}
        if organisation is not None:
            initial = {
                "name": organisation.name,
                "country": organisation.country.code,
                "sector": organisation.sector,
                "website": organisation.website,
                "is_public": organisation.is_public,
                "contact": person_ref(organisation.contact),
            }
        super().__init__(data, initial=initial)
        if is_coordinator(user):
            self.fields["country"].choices = [("", _("Choose a country"))] + queries.sorted_country_choices()
        else:
            # A national committee registers organisations of its own country only.
            codes = set(committee_countries(user))
            if organisation is not None:
                codes.add(organisation.country.code)
            self.fields["country"].choices = queries.sorted_country_choices(codes)
            del self.fields["contact"]



# --- people ----------------------------------------------------------------------------


VISIBILITY_QUESTIONS = {
    "display_name": _("Who can see the display name?"),
    "full_name": _("Who can see the full name?"),
    "email": _("Who can see the email address?"),
    "languages": _("Who can see the languages?"),
    "memberships": _("Who can see which organisations this person belongs to?"),
}
VISIBILITY_HINT = _("Coordinators and the person themselves always can.")


def visibility_field(name):
    return forms.ChoiceField(
        label=VISIBILITY_QUESTIONS[name],
        choices=Visibility.choices,
        initial=Visibility.COORDINATORS,
        widget=Radios,
        help_text=VISIBILITY_HINT,
    )


# Each way to be shown, with whom it shows to (UI.md: "Safety visible").
SHOWN_AS_CHOICES = [
    (ShownAs.PARTICIPANT, _("“A participant”: nothing more about you. The most private choice.")),
    (ShownAs.PSEUDONYM, _("A pseudonym of your choice: seen by everyone who may not see your display name, "
                          "including the public.")),
    (ShownAs.ORGANISATION, _("“Delegate of <organisation>”: the organisation you represent at a gathering, seen by "
                             "everyone who may see that organisation.")),
    (ShownAs.NAME, _("Your display name, to those the setting above allows; everyone else sees “a participant”.")),
]
SHOWN_AS_HINT = _("In gatherings, votes and texts, to the public and to other participants. Coordinators, "
                  "the organisers who accredit you and you yourself always see your display name.")


class PersonForm(forms.Form):
    """Each personal field is followed by who may see it; every default is
    "coordinators only"."""

    display_name = forms.CharField(
        label=_("Display name"), max_length=120, help_text=_("The name shown to those allowed to see it.")
    )
    display_name_visibility = visibility_field("display_name")
    full_name = forms.CharField(label=_("Full name"), max_length=200, required=False)
    full_name_visibility = visibility_field("full_name")
    email = forms.EmailField(label=_("Email address"), required=False)
    email_visibility = visibility_field("email")
    languages = forms.MultipleChoiceField(
        label=_("Languages"), required=False, choices=SITE_LANGUAGE_CHOICES, widget=Checkboxes
    )
    other_languages = forms.CharField(
        label=_("Other languages"), required=False, max_length=100,
        help_text=_("Language codes separated by commas, for example qu, gn, ht."),
    )
    languages_visibility = visibility_field("languages")
    organisations = forms.ModelMultipleChoiceField(
        label=_("Organisations"), required=False, queryset=Organisation.objects.none(),
    )
    memberships_visibility = visibility_field("memberships")
    shown_as = forms.ChoiceField(
        label=_("How are you shown to those who may not see your display name?"), choices=SHOWN_AS_CHOICES,
        initial=ShownAs.PARTICIPANT, widget=Radios, help_text=SHOWN_AS_HINT, required=False,
    )
    pseudonym = forms.CharField(
        label=_("Pseudonym"), required=False, max_length=Person._meta.get_field("pseudonym").max_length,
        help_text=_("Only if you chose a pseudonym. Choose one that does not lead back to you."),
    )

    # Which field carries the "who will see it" hint for each visibility.
    HINT_TARGETS = {
        "display_name": "display_name",
        "full_name": "full_name",
        "email": "email",
        "languages": "languages",
        "memberships": "organisations",
    }

    def __init__(self, user, data=None, *, person=None):
        initial = {}
        if person is not None:
            codes = person.language_list
            initial = {
                "display_name": person.display_name,
                "full_name": person.full_name,
                "email": person.email,
                "languages": [code for code in codes if code in SITE_LANGUAGE_CODES],
                "other_languages": ", ".join(code for code in codes if code not in SITE_LANGUAGE_CODES),
                "organisations": [m.organisation_id for m in person.memberships.all()],
            }
            for name in Person.VISIBLE_FIELDS:
                initial[f"{name}_visibility"] = getattr(person, f"{name}_visibility")
            initial["shown_as"], initial["pseudonym"] = person.shown_as, person.pseudonym
        super().__init__(data, initial=initial)
        if user.has_perm("network.manage_memberships"):
            field = self.fields["organisations"]
            field.queryset = Organisation.objects.order_by("name_key")
            field.label_from_instance = lambda org: f"{org.name} ({org.country.name})"
            field.widget.attrs["size"] = 8
        else:
            del self.fields["organisations"]
        if person is not None and not user.has_perm("network.change_person_email", person):
            del self.fields["email"]
        for name, target in self.HINT_TARGETS.items():
            if target in self.fields:
                self.fields[target].help_text = self._audience_hint(name, self.fields[target].help_text)

    def _audience_hint(self, name, existing):
        level = self[f"{name}_visibility"].value()
        if level not in Visibility.values:
            level = Visibility.COORDINATORS
        hint = gettext("Visible to: %(audience)s.") % {"audience": Visibility(level).label}
        return f"{existing} {hint}" if existing else hint

    def service_kwargs(self):
        data = dict(self.cleaned_data)
        chosen = list(data.pop("languages", []))
        data["languages"] = ", ".join([*chosen, data.pop("other_languages", "")])
        if "organisations" in data:
            data["organisations"] = list(data["organisations"])
        if not data.get("shown_as"):  # not sent: left as it is (or the default for someone new)
            data.pop("shown_as", None)
            if not data.get("pseudonym"):
                data.pop("pseudonym", None)
        return data


# --- national committees ------------------------------------------------------------


class CommitteeForm(forms.Form):
    country = forms.ChoiceField(label=_("Country"))

    def __init__(self, data=None):
        super().__init__(data)
        taken = set(NationalCommittee.objects.values_list("country", flat=True))
        free = [(code, name) for code, name in queries.sorted_country_choices() if code not in taken]
        self.fields["country"].choices = [("", _("Choose a country"))] + free


class CommitteeMemberForm(forms.Form):
    person = PersonRefField(label=_("Person to add"))


# --- data rights ----------------------------------------------------------------------------


class EraseForm(forms.Form):
    confirm = forms.BooleanField(
        label=_("I understand that this cannot be undone"),
        help_text=_("Names, email address, languages, pseudonym, memberships, committee seats, logins and API tokens "
                    "are removed, and the account can no longer log in. Registrations and votes stay in the "
                    "coalition's records as those of an erased person."),
        error_messages={"required": _("Tick the box to confirm the erasure.")},
    )


class JoinForm(forms.Form):
    """Ask to represent an organisation already in the registry."""

    organisation = forms.ModelChoiceField(
        label=_("Organisation"), queryset=Organisation.objects.none(), empty_label=_("Choose an organisation"),
        help_text=_("Its contact person or the national committee of its country will see your display name, "
                    "to decide."),
    )

    def __init__(self, user, data=None):
        super().__init__(data)
        self.fields["organisation"].queryset = queries.organisations_visible_to(user).exclude(
            memberships__person__user=user).order_by("name_key", "pk")


class ProposeForm(forms.Form):
    """Propose an organisation that is not in the registry yet."""

    name = forms.CharField(label=_("Name of the organisation"), max_length=200)
    country = forms.ChoiceField(label=_("Country"))
    sector = forms.ChoiceField(label=_("Sector"), choices=Sector.choices)

    def __init__(self, data=None):
        super().__init__(data, prefix="new")
        self.fields["country"].choices = [("", _("Choose a country"))] + queries.sorted_country_choices()
