"""Forms of the proposals pages. They read and show; the services check every value again."""

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from convoca.texts import languages
from convoca.voting.models import Poll

from . import consolidation as cons
from .models import Amendment, Proposal, ProposalSettings, Theme


def language_field(initial=None):
    return forms.ChoiceField(
        label=_("Language you write in"), choices=languages.reader_choices, initial=initial,
        help_text=_("Translators start from this version."),
    )


class ProposalForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    text = forms.CharField(
        label=_("Text"), widget=forms.Textarea(attrs={"rows": 16}), max_length=60_000,
        help_text=_("Separate paragraphs with a blank line: amendments are made paragraph by paragraph. "
                    "You can use Markdown: **bold**, *italics*, lists with -, links [text](https://…)."),
    )
    theme = forms.ModelChoiceField(label=_("Theme"), queryset=Theme.objects.none(), required=False)
    original_language = language_field()

    def __init__(self, *args, gathering, language=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["theme"].queryset = Theme.objects.filter(gathering=gathering).order_by("position", "name")
        if not self.fields["theme"].queryset.exists():
            del self.fields["theme"]
        self.fields["original_language"].initial = language


class EditForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    text = forms.CharField(
        label=_("Text"), widget=forms.Textarea(attrs={"rows": 18}), max_length=60_000,
        help_text=_("Separate paragraphs with a blank line."),
    )
    base_version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class FilterForm(forms.Form):
    q = forms.CharField(
        label=_("Search proposals and amendments"), required=False, max_length=100,
        widget=forms.TextInput(attrs={"type": "search"}),
        help_text=_("In any of the four languages; accents and capitals do not matter. A number such as MIG-3 "
                    "finds that proposal."),
    )
    theme = forms.ModelChoiceField(label=_("Theme"), queryset=Theme.objects.none(), required=False,
                                   empty_label=_("All themes"))
    state = forms.ChoiceField(label=_("State"), required=False)

    def __init__(self, *args, gathering, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["theme"].queryset = Theme.objects.filter(gathering=gathering).order_by("position", "name")
        self.fields["state"].choices = [("", _("All states")), *Proposal.State.choices]


class SettingsForm(forms.Form):
    submissions_open = forms.BooleanField(label=_("Delegates may submit proposals now"), required=False)
    amendment_stage = forms.BooleanField(
        label=_("Open proposals for amendments before the debate"), required=False,
        help_text=_("Without this stage, admitted proposals go straight to debate."),
    )
    amendment_days = forms.IntegerField(label=_("Days to amend, by default"), min_value=1, max_value=365)
    prefix = forms.CharField(
        label=_("Numbering prefix for proposals without a theme"), max_length=10,
        help_text=_("Letters and digits, such as P or RES."),
    )

    @classmethod
    def for_settings(cls, data, found):
        initial = {name: getattr(found, name) for name in ProposalSettings.DEFAULTS}
        return cls(data, initial=initial)


class ThemeForm(forms.Form):
    name = forms.CharField(label=_("Name of the theme"), max_length=120)
    prefix = forms.CharField(
        label=_("Numbering prefix"), max_length=10,
        help_text=_("Letters and digits: proposals of this theme are numbered MIG-1, MIG-2… for MIG."),
    )
    position = forms.IntegerField(label=_("Position in lists"), min_value=0, max_value=1000, initial=0)


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"), widget=forms.Textarea(attrs={"rows": 4}), max_length=2000, required=False,
        help_text=_("Everyone who can read the proposal reads it."),
    )


class RequiredReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Why is it not admitted?"), widget=forms.Textarea(attrs={"rows": 4}), max_length=2000,
        help_text=_("Its author reads it."),
    )


class AdmitForm(forms.Form):
    theme = forms.ModelChoiceField(label=_("Theme"), queryset=Theme.objects.none(), required=False,
                                   empty_label=_("No theme"), help_text=_("The theme gives the number."))

    def __init__(self, *args, gathering, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["theme"].queryset = Theme.objects.filter(gathering=gathering).order_by("position", "name")


class DeadlineForm(forms.Form):
    deadline = forms.DateTimeField(
        label=_("Amendments until"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"],
        help_text=_("In your time zone (%(zone)s)."),
    )

    def __init__(self, *args, zone="", **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["deadline"].help_text = self.fields["deadline"].help_text % {"zone": zone}


class ReferForm(forms.Form):
    working_group = forms.CharField(label=_("Working group"), max_length=200)


class ConfirmForm(forms.Form):
    """An action without anything to fill in: the button is the confirmation."""


class PollForm(forms.Form):
    secrecy = forms.ChoiceField(label=_("Secrecy"), choices=Poll.Secrecy.choices, initial=Poll.Secrecy.SECRET)


class ForwardForm(forms.Form):
    conference = forms.ModelChoiceField(label=_("Conference"), queryset=None, empty_label=None)

    def __init__(self, *args, conferences, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["conference"].queryset = conferences


def paragraph_choices(text, with_start=False):
    choices = [(0, _("At the very beginning"))] if with_start else []
    for number, paragraph in enumerate(cons.paragraphs(text), start=1):
        words = " ".join(paragraph.split()[:8])
        choices.append((number, f"§{number}: {words}…" if len(paragraph.split()) > 8 else f"§{number}: {words}"))
    return choices


class AmendmentTargetForm(forms.Form):
    """Step 1 (a GET form): what the amendment does and to which paragraphs."""

    kind = forms.ChoiceField(label=_("What does the amendment do?"), choices=Amendment.Kind.choices,
                             widget=forms.RadioSelect)
    first = forms.TypedChoiceField(label=_("Paragraph"), coerce=int,
                                   help_text=_("For a new paragraph: the one it comes after."))
    last = forms.TypedChoiceField(label=_("Up to paragraph"), coerce=int, required=False, empty_value=None,
                                  help_text=_("To replace or delete several paragraphs in a row."))

    def __init__(self, *args, text, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["first"].choices = paragraph_choices(text, with_start=True)
        self.fields["last"].choices = [("", _("Only that paragraph")), *paragraph_choices(text)]


class AmendmentForm(forms.Form):
    """Step 2: the new text (prefilled with the paragraphs it replaces), the explanation and the language."""

    kind = forms.ChoiceField(choices=Amendment.Kind.choices, widget=forms.HiddenInput)
    first = forms.IntegerField(widget=forms.HiddenInput, min_value=0)
    last = forms.IntegerField(widget=forms.HiddenInput, min_value=0, required=False)
    base_version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    text = forms.CharField(
        label=pgettext_lazy("amendment", "New text"), widget=forms.Textarea(attrs={"rows": 8}), max_length=20_000,
        required=False, help_text=_("Change the words you want changed; readers see each change word by word."),
    )
    reason = forms.CharField(label=_("Explanation"), widget=forms.Textarea(attrs={"rows": 4}), max_length=2000,
                             required=False)
    original_language = language_field()

    def __init__(self, *args, language=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["original_language"].initial = language
        self.fields["original_language"].help_text = _(
            "Write it in the language of the text if you can: an amendment in another language needs its "
            "translation before it is decided.")
        if (self.initial.get("kind") or (self.data.get("kind") if self.data else None)) == Amendment.Kind.DELETE:
            del self.fields["text"]
        else:
            self.fields["text"].required = True


class AlternativesForm(forms.Form):
    amendments = forms.ModelMultipleChoiceField(
        label=_("Competing amendments"), queryset=Amendment.objects.none(), widget=forms.CheckboxSelectMultiple,
        help_text=_("They become the options of one poll, with “keep the text as it is” as the last one."),
    )
    secrecy = forms.ChoiceField(label=_("Secrecy"), choices=Poll.Secrecy.choices, initial=Poll.Secrecy.SECRET)

    def __init__(self, *args, proposal, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["amendments"]
        field.queryset = Amendment.objects.filter(proposal=proposal, state=Amendment.State.DEBATE).order_by("number")
        field.label_from_instance = lambda a: f"{a.label} ({a.get_kind_display()}, §{a.first})"


class MergeChooseForm(forms.Form):
    proposals = forms.ModelMultipleChoiceField(
        label=_("Proposals to merge"), queryset=Proposal.objects.none(), widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, queryset, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["proposals"].queryset = queryset
        self.fields["proposals"].label_from_instance = lambda p: f"{p.number or '—'} {p.title}"


class MergeForm(MergeChooseForm):
    title = forms.CharField(label=_("Title of the composite proposal"), max_length=200)
    text = forms.CharField(label=_("Text of the composite proposal"), widget=forms.Textarea(attrs={"rows": 16}),
                           max_length=60_000)
    theme = forms.ModelChoiceField(label=_("Theme"), queryset=Theme.objects.none(), required=False,
                                   empty_label=_("No theme"))
    original_language = language_field()

    def __init__(self, *args, queryset, gathering, language=None, **kwargs):
        super().__init__(*args, queryset=queryset, **kwargs)
        self.fields["proposals"].widget = forms.MultipleHiddenInput()
        self.fields["theme"].queryset = Theme.objects.filter(gathering=gathering).order_by("position", "name")
        self.fields["original_language"].initial = language


class ResolveForm(forms.Form):
    text = forms.CharField(
        label=_("Text of these paragraphs"), widget=forms.Textarea(attrs={"rows": 10}), max_length=60_000,
        required=False, help_text=_("It replaces these paragraphs in the text. Leave it empty to drop them."),
    )
    base_version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class HistoryForm(forms.Form):
    older = forms.TypedChoiceField(label=_("From version"), coerce=int)
    newer = forms.TypedChoiceField(label=_("To version"), coerce=int)

    def __init__(self, *args, numbers, **kwargs):
        super().__init__(*args, **kwargs)
        choices = [(n, str(n)) for n in numbers]
        self.fields["older"].choices = choices
        self.fields["newer"].choices = choices


# --- the declaration ------------------------------------------------------------------------------------


def _proposal_label(proposal):
    return f"{proposal.number} {proposal.title}" if proposal.number else proposal.title


class DeclarationStartForm(forms.Form):
    title = forms.CharField(label=_("Title of the declaration"), max_length=200)
    original_language = language_field()

    def __init__(self, *args, language=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["original_language"].initial = language


class DeclarationTitleForm(forms.Form):
    title = forms.CharField(label=_("Title of the declaration"), max_length=200)
    base_version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class AddSectionForm(forms.Form):
    proposal = forms.ModelChoiceField(
        label=_("Adopted proposal"), queryset=Proposal.objects.none(),
        help_text=_("The section starts with its text as adopted, amendments included, and its title as heading. "
                    "You can edit both afterwards."),
    )

    def __init__(self, *args, queryset, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["proposal"].queryset = queryset
        self.fields["proposal"].label_from_instance = _proposal_label


class SectionForm(forms.Form):
    heading = forms.CharField(label=_("Heading"), max_length=200, required=False)
    text = forms.CharField(
        label=_("Text"), widget=forms.Textarea(attrs={"rows": 16}), max_length=60_000,
        help_text=_("Separate paragraphs with a blank line. You can use Markdown: **bold**, *italics*, lists with -."),
    )
    sources = forms.ModelMultipleChoiceField(
        label=_("Source proposals"), queryset=Proposal.objects.none(), widget=forms.CheckboxSelectMultiple,
        help_text=_("The adopted proposals this section comes from: readers follow the links to them."),
    )
    base_version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    def __init__(self, *args, queryset, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["sources"].queryset = queryset
        self.fields["sources"].label_from_instance = _proposal_label


class MoveSectionForm(forms.Form):
    position = forms.IntegerField(min_value=1, max_value=10_000)
