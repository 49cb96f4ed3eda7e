from django import forms
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from convoca.core.errors import ServiceError
from convoca.network.models import AddressForm, NationalCommittee, Person, Visibility
from convoca.network.services import clean_languages

from . import services
from .models import ApiToken, Invitation
from .tasks import send_password_reset

# Languages people can tick on their profile, each in its own name. Other
# codes (qu, gn, ht...) go into the free-text field.
PROFILE_LANGUAGES = [("es", "Español"), ("pt", "Português"), ("en", "English"), ("fr", "Français")]

# Who sees a field at each visibility level, said as a sentence (shown next to the field).
AUDIENCE = {
    Visibility.PUBLIC: _("Anyone can see this, including people who are not logged in."),
    Visibility.MEMBERS: _("Coalition members who are logged in can see this."),
    Visibility.COORDINATORS: _("Only coordinators can see this."),
}


class LoginForm(AuthenticationForm):
    """Email and password. Too many wrong passwords for an email (whether an
    account has it or not) or from one address, and even the right password is
    refused for a while, with the same message either way."""

    def __init__(self, request=None, *args, **kwargs):
        super().__init__(request, *args, **kwargs)
        username = self.fields["username"]
        username.label = _("Email")
        username.widget = forms.EmailInput(
            attrs={"autocomplete": "username", "spellcheck": "false", "maxlength": username.max_length or 254}
        )
        self.fields["password"].label = _("Password")

    def clean(self):
        username = self.cleaned_data.get("username")
        if username is None or not self.cleaned_data.get("password"):
            return self.cleaned_data
        try:
            services.check_login_allowed(self.request, username)
        except ServiceError as error:
            raise forms.ValidationError(error.message, code=error.code) from None
        try:
            return super().clean()
        except forms.ValidationError:
            services.count_login_failure(self.request, username)
            raise


class CodeForm(forms.Form):
    """A code from the authenticator app, or a recovery code."""

    code = forms.CharField(
        label=_("Code"), max_length=40, strip=True,
        help_text=_("The 6 digits your authenticator app shows now, or one of your recovery codes."),
        widget=forms.TextInput(attrs={
            "autocomplete": "one-time-code", "inputmode": "text", "spellcheck": "false", "autocapitalize": "off",
        }),
    )


class SetupForm(forms.Form):
    """Confirms a new authenticator app with the code it shows (the key travels
    signed in the page's ``setup`` field, read by ``services.enable_totp``)."""

    code = forms.CharField(
        label=_("Code shown by the app"), max_length=20, strip=True,
        help_text=_("6 digits. A new one appears every 30 seconds."),
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "spellcheck": "false"}),
    )


class EmailPasswordResetForm(PasswordResetForm):
    """Django's reset form, with the link built from SITE_URL (never from the request's Host header) and signed
    by the background task that sends the email (the task's row holds the account's id, not the link)."""

    def send_mail(self, subject_template_name, email_template_name, context, from_email, to_email,
                  html_email_template_name=None):
        if not services.may_send_password_reset(to_email):
            return  # the page says the same either way; the mailbox is not flooded
        send_password_reset.enqueue(context["user"].pk, get_language() or settings.LANGUAGE_CODE,
                                    subject_template_name, email_template_name)


class InvitationForm(forms.Form):
    email = forms.EmailField(
        label=_("Email"), max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
        help_text=_("The invitation link is sent to this address. It works once."),
    )
    role = forms.ChoiceField(
        label=_("Role"), choices=Invitation.Role.choices, initial=Invitation.Role.MEMBER, widget=forms.RadioSelect
    )
    committee = forms.ModelChoiceField(
        label=_("National committee"), queryset=NationalCommittee.objects.none(), required=False,
        help_text=_("Only for the role “National committee member”."),
    )
    language = forms.ChoiceField(label=_("Language of the email"), choices=settings.LANGUAGES)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["committee"].queryset = NationalCommittee.objects.all()
        self.fields["language"].initial = get_language()

    def clean(self):
        data = super().clean()
        if data.get("role") == Invitation.Role.COMMITTEE and not data.get("committee"):
            self.add_error("committee", _("Choose the national committee."))
        return data


class AcceptInvitationForm(forms.Form):
    display_name = forms.CharField(
        label=_("Display name"), max_length=120,
        help_text=_("How others in the coalition will know you. It does not have to be your legal name. "
                    "At first only coordinators see it; you can change that later."),
        widget=forms.TextInput(attrs={"autocomplete": "nickname"}),
    )
    password = forms.CharField(
        label=_("Password"), strip=False,
        help_text=_("At least 10 characters. A few unrelated words are easy to remember and hard to guess."),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    password_confirm = forms.CharField(
        label=_("Password again"), strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )

    def clean(self):
        data = super().clean()
        if data.get("password") and data.get("password_confirm") and data["password"] != data["password_confirm"]:
            self.add_error("password_confirm", _("The two passwords are not the same."))
        return data


def _visibility_field(label):
    return forms.ChoiceField(label=label, choices=Visibility.choices, widget=forms.RadioSelect)


class ProfileForm(forms.Form):
    """The person's own details, each with who may see it."""

    display_name = forms.CharField(label=_("Display name"), max_length=120)
    display_name_visibility = _visibility_field(_("Who can see your display name?"))
    full_name = forms.CharField(
        label=_("Full name"), max_length=200, required=False,
        help_text=_("Leave it empty if the coalition does not need it."),
    )
    full_name_visibility = _visibility_field(_("Who can see your full name?"))
    email_visibility = _visibility_field(_("Who can see your email?"))
    languages = forms.MultipleChoiceField(
        label=_("Languages you speak"), choices=PROFILE_LANGUAGES, required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    other_languages = forms.CharField(
        label=_("Other languages"), max_length=100, required=False,
        help_text=_("Language codes separated by commas, for example qu, gn."),
    )
    languages_visibility = _visibility_field(_("Who can see your languages?"))
    memberships_visibility = _visibility_field(_("Who can see the organisations you belong to?"))
    address_form = forms.ChoiceField(
        label=_("How should your badge and the pages address you?"), choices=AddressForm.choices, required=False,
        widget=forms.RadioSelect,
        help_text=_("For example “Delegada”, “Delegado” or “Delegade” on your badge. Only used for those words."),
    )
    receive_messages = forms.BooleanField(
        label=_("Receive the messages organisers send to participants"), required=False,
        help_text=_("Emails about your own registrations, mandates, votes and account always come."),
    )

    VISIBILITY_FIELDS = [f"{name}_visibility" for name in Person.VISIBLE_FIELDS]

    @classmethod
    def initial_for(cls, person):
        if person is None:
            return {**dict.fromkeys(cls.VISIBILITY_FIELDS, Visibility.COORDINATORS), "receive_messages": True}
        known = {code for code, _name in PROFILE_LANGUAGES}
        codes = person.language_list
        initial = {
            "display_name": person.display_name,
            "full_name": person.full_name,
            "languages": [c for c in codes if c in known],
            "other_languages": ", ".join(c for c in codes if c not in known),
            "address_form": person.address_form,
            "receive_messages": person.messages_opt_out_at is None,
        }
        for name in cls.VISIBILITY_FIELDS:
            initial[name] = getattr(person, name)
        return initial

    def clean_other_languages(self):
        # Checked here too so that the error shows next to this box rather than the ticks.
        try:
            return clean_languages(self.cleaned_data["other_languages"])
        except ServiceError as error:
            raise forms.ValidationError(error.message) from None

    @property
    def audiences(self):
        """For each visibility field, the sentence saying who sees it now (as saved)."""
        return {
            name: AUDIENCE.get(self.initial.get(name), AUDIENCE[Visibility.COORDINATORS])
            for name in self.VISIBILITY_FIELDS
        }

    def service_fields(self):
        data = self.cleaned_data
        other = [c for c in (data.get("other_languages") or "").split(",") if c.strip()]
        fields = {
            "display_name": data["display_name"],
            "full_name": data["full_name"],
            "languages": list(data["languages"]) + other,
            "address_form": data.get("address_form") or "",
            "receive_messages": bool(data.get("receive_messages")),
        }
        for name in self.VISIBILITY_FIELDS:
            fields[name] = data[name]
        return fields


class TokenForm(forms.Form):
    name = forms.CharField(
        label=_("Token name"), max_length=ApiToken._meta.get_field("name").max_length,
        help_text=_("What will use it, for example “Sync with our spreadsheet”."),
    )
