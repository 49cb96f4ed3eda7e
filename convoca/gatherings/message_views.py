"""The page where coordinators and national committees write to the participants of a gathering (issue 11).
The write is ``services.message_participants``; the emails go through django-tasks after commit."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from convoca.accounts.second_factor import recent_second_factor
from convoca.core.errors import ServiceError
from convoca.core.roles import is_coordinator
from convoca.core.web import apply_service_error, get_for_user
from convoca.network.rules import committee_countries
from convoca.texts.queries import localize

from . import services
from .models import Gathering, Registration


class MessageForm(forms.Form):
    statuses = forms.MultipleChoiceField(
        label=_("Status"), required=False, choices=Registration.Status.choices, widget=forms.CheckboxSelectMultiple,
        help_text=_("None ticked: every status."),
    )
    roles = forms.MultipleChoiceField(
        label=_("Role"), required=False, choices=Registration.Role.choices, widget=forms.CheckboxSelectMultiple,
        help_text=_("None ticked: every role."),
    )
    countries = forms.MultipleChoiceField(
        label=_("Country of the organisation"), required=False, widget=forms.CheckboxSelectMultiple,
        help_text=_("None ticked: every country you may write to."),
    )
    subject = forms.CharField(label=_("Subject"), max_length=services.MAX_SUBJECT)
    body = forms.CharField(
        label=_("Message"), max_length=services.MAX_MESSAGE, widget=forms.Textarea(attrs={"rows": 10}),
        help_text=_("Each person receives it by email, with a link to stop receiving messages from organisers."),
    )

    def __init__(self, *args, country_choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["countries"].choices = list(country_choices)


def _country_choices(user, gathering):
    codes = set(
        Registration.objects.filter(gathering=gathering, organisation__isnull=False)
        .values_list("organisation__country", flat=True)
    )
    if not is_coordinator(user):
        codes &= committee_countries(user)
    names = services.countries_by_code()
    return sorted(((code, names.get(code, code)) for code in codes), key=lambda item: str(item[1]))


@login_required
@recent_second_factor
def write_to_participants(request, slug):
    gathering = get_for_user(request, Gathering, "gatherings.message_participants", slug=slug)
    form = MessageForm(request.POST or None, country_choices=_country_choices(request.user, gathering))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            count = services.message_participants(
                request.user, gathering, subject=data["subject"], body=data["body"], statuses=data["statuses"],
                roles=data["roles"], countries=data["countries"],
            )
        except ServiceError as error:
            apply_service_error(form, error)
        else:
            messages.success(request, ngettext(
                "Your message is on its way to %(count)d person.", "Your message is on its way to %(count)d people.",
                count) % {"count": count})
            return redirect("gatherings:detail", gathering.slug)
    localize([gathering])
    return render(request, "gatherings/message.html", {"gathering": gathering, "form": form})
