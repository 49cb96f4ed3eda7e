"""Plain forms of the plenary's pages: each works without JavaScript and hands its values to a service, which
checks them again (the forms only pick from what belongs to the gathering)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from convoca.gatherings.models import Registration
from convoca.proposals.models import Proposal
from convoca.voting.models import Poll

from .models import AgendaItem, Session, Speaker


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%dT%H:%M")


class Radios(forms.RadioSelect):
    """Radios whose label and error-summary link point at the first choice."""

    def id_for_label(self, id_, index="0"):
        return super().id_for_label(id_, index)


class VersionForm(forms.Form):
    """The version of the list a chair's button was drawn from (a stale one is refused by the service)."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=0)


class SessionForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200, help_text=_("For example: Tuesday morning"))
    starts_at = forms.DateTimeField(label=_("Starts at"), widget=DateTimeInput)
    ends_at = forms.DateTimeField(label=_("Ends at"), widget=DateTimeInput)
    room = forms.CharField(label=_("Room"), max_length=200, required=False)
    video_url = forms.URLField(
        label=_("Video room"), required=False, assume_scheme="https",
        help_text=_("Leave it empty to get a video room of its own for this session. Shown only to the chairs and "
                    "accredited participants."),
    )

    def __init__(self, *args, session=None, **kwargs):
        if session is not None and "initial" not in kwargs:
            kwargs["initial"] = {name: getattr(session, name) for name in ("title", "starts_at", "ends_at", "room",
                                                                             "video_url")}
        super().__init__(*args, **kwargs)


class ItemForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=300)
    session = forms.ModelChoiceField(label=_("Session"), queryset=Session.objects.none(), required=False)
    position = forms.IntegerField(label=_("Place on the agenda"), min_value=1, required=False,
                                  help_text=_("Leave it empty to add the item at the end."))
    duration_minutes = forms.IntegerField(label=_("Duration (minutes)"), min_value=1, max_value=1440, initial=30)
    proposal = forms.ModelChoiceField(label=_("Proposal debated"), queryset=Proposal.objects.none(), required=False)
    poll = forms.ModelChoiceField(label=_("Poll of this item"), queryset=Poll.objects.none(), required=False,
                                  help_text=_("Its turnout and its result are shown on the screens and live pages."))
    speaking_seconds = forms.IntegerField(label=_("Speaking time per speaker (seconds)"), min_value=0,
                                          max_value=86400, initial=180, help_text=_("0: no limit"))
    total_seconds = forms.IntegerField(label=_("Speaking time for the whole item (seconds)"), min_value=0,
                                       max_value=86400, initial=0,
                                       help_text=_("0: no limit. When it is spent, the list of speakers closes."))

    def __init__(self, *args, gathering, item=None, **kwargs):
        if item is not None and "initial" not in kwargs:
            kwargs["initial"] = {name: getattr(item, name) for name in (
                "title", "session", "position", "duration_minutes", "proposal", "poll", "speaking_seconds",
                "total_seconds")}
        super().__init__(*args, **kwargs)
        self.fields["session"].queryset = Session.objects.filter(gathering=gathering)
        self.fields["proposal"].queryset = Proposal.objects.filter(gathering=gathering).order_by("prefix", "seq", "pk")
        self.fields["poll"].queryset = Poll.objects.filter(gathering=gathering).order_by("-created_at", "-pk")


class AskForm(forms.Form):
    kind = forms.ChoiceField(label=_("How do you want to speak?"), choices=Speaker.Kind.choices,
                             initial=Speaker.Kind.CONTRIBUTION, widget=Radios)
    gender = forms.ChoiceField(
        label=_("Your gender"), choices=Speaker.Gender.choices, required=False, widget=Radios,
        help_text=_("Optional. Only the chairs see it, and only to alternate genders when they switch that rule on. "
                    "Your place on the list may then show that you were moved up for it."),
    )
    remote = forms.BooleanField(label=_("I speak remotely, by video"), required=False)


class AddSpeakerForm(VersionForm):
    registration = forms.ModelChoiceField(label=_("Participant"), queryset=Registration.objects.none())
    kind = forms.ChoiceField(label=_("Kind"), choices=Speaker.Kind.choices, initial=Speaker.Kind.CONTRIBUTION)

    def __init__(self, *args, gathering, labels=None, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["registration"]
        field.queryset = Registration.objects.filter(
            gathering=gathering, status=Registration.Status.ACCREDITED).select_related("person", "organisation")
        labels = labels or {}
        field.label_from_instance = lambda registration: labels.get(registration.pk, registration.person.display_name)


class MoveForm(VersionForm):
    place = forms.IntegerField(label=_("New place"), min_value=1)


class RulesForm(VersionForm):
    first_time = forms.BooleanField(label=_("First-time speakers on this item first"), required=False)
    gender = forms.BooleanField(label=_("Alternate genders (as speakers declared them)"), required=False)
    country = forms.BooleanField(label=_("Alternate countries"), required=False)


class CurrentForm(VersionForm):
    item = forms.ModelChoiceField(label=_("Current item"), queryset=AgendaItem.objects.none(), required=False,
                                  empty_label=_("None (a break)"))

    def __init__(self, *args, gathering, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["item"].queryset = AgendaItem.objects.filter(gathering=gathering).order_by("position", "pk")


class MessageForm(forms.Form):
    message = forms.CharField(label=_("Message to the hall"), max_length=300, required=False,
                              help_text=_("Shown on every screen and live page. Leave it empty to remove it."))


class RemoteForm(forms.Form):
    registration = forms.ModelChoiceField(label=_("Participant taking part by video"), queryset=Registration.objects.none())

    def __init__(self, *args, gathering, labels=None, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["registration"]
        field.queryset = Registration.objects.filter(
            gathering=gathering, status=Registration.Status.ACCREDITED).select_related("person", "organisation")
        labels = labels or {}
        field.label_from_instance = lambda registration: labels.get(registration.pk, registration.person.display_name)


class ProjectorForm(forms.Form):
    name = forms.CharField(label=_("Name of the screen"), max_length=80, help_text=_("For example: Main hall, left"))
