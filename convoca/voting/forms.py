from decimal import Decimal, InvalidOperation

from django import forms
from django.forms.utils import ErrorDict
from django.utils.translation import gettext_lazy as _

from convoca.gatherings.models import Registration
from convoca.network.models import match_key
from convoca.network.queries import visibility_q
from convoca.network.rules import can_see_field
from convoca.network.search import matching, words

from .models import Poll, Proxy


class Radios(forms.RadioSelect):
    """Radios whose label and error-summary link point at the first choice."""

    def id_for_label(self, id_, index="0"):
        return super().id_for_label(id_, index)


class Checkboxes(forms.CheckboxSelectMultiple):
    def id_for_label(self, id_, index="0"):
        return super().id_for_label(id_, index)


class BlocWeights(forms.Widget):
    """One number box per organisation (``<name>_org_<id>``), listed by name: bloc weights are picked from
    the organisations of the gathering, never typed as internal ids. Drawn by voting/_picker.html."""

    def __init__(self, attrs=None):
        super().__init__(attrs)
        self.organisations = []  # (id, label), set by the form

    def value_from_datadict(self, data, files, name):
        return {org_id: (data.get(f"{name}_org_{org_id}") or "").strip() for org_id, _label in self.organisations}

    def value_omitted_from_data(self, data, files, name):
        return not any(f"{name}_org_{org_id}" in data for org_id, _label in self.organisations)

    def id_for_label(self, id_):
        return id_  # the fieldset around the boxes


class BlocWeightsField(forms.Field):
    widget = BlocWeights

    def clean(self, value):
        """{"org:ID": "weight"} for the boxes filled in; a box that is not a positive number is named."""
        labels = dict(self.widget.organisations)
        weights = {}
        for org_id, raw in (value or {}).items():
            if not raw:
                continue
            try:
                number = Decimal(raw.replace(",", "."))
            except InvalidOperation:
                number = None
            if number is None or not number.is_finite() or number <= 0 or number > 1_000_000:
                raise forms.ValidationError(
                    _("Weight for %(organisation)s: write a positive number, for example 2 or 1.5.")
                    % {"organisation": labels.get(org_id, "")}
                )
            weights[f"org:{org_id}"] = format(number.normalize(), "f")
        return weights


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%dT%H:%M")


class PollForm(forms.Form):
    """The create-poll form. Its two pickers (the chosen delegates, the bloc weights) show the choices already
    made and the first ``PICKER_ROWS`` that match a search (``<picker>_q``), never the whole list: a conference
    of 2,000 delegates in 300 organisations stays a light page. ``searching=True`` shows the form again as
    typed, to search a picker (the Search button posts the form back without JavaScript; htmx asks for the
    rows alone): nothing is judged and nothing may be written."""

    PICKERS = ("chosen_voters", "custom_weights")
    PICKER_ROWS = 20

    title = forms.CharField(label=_("Question"), max_length=300,
                            help_text=_("For example: Do we adopt the declaration on migrant workers' rights?"))
    description = forms.CharField(label=_("Explanation"), required=False, widget=forms.Textarea(attrs={"rows": 4}))
    kind = forms.ChoiceField(label=_("Kind of poll"), choices=Poll.Kind.choices, widget=Radios, initial=Poll.Kind.YES_NO)
    options = forms.CharField(
        label=_("Options or candidates"), required=False, widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("One per line. Not needed for yes / no / abstain and consensus polls."),
    )
    secrecy = forms.ChoiceField(label=_("Secrecy"), choices=Poll.Secrecy.choices, widget=Radios, initial=Poll.Secrecy.SECRET)
    tellers = forms.CharField(
        label=_("Tellers"), required=False, widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Secret polls only: the email addresses of the members who will unlock the count, one per "
                    "line. Each sets a teller passphrase before the poll opens. Leave empty to be the only teller."),
    )
    tellers_needed = forms.IntegerField(
        label=_("Tellers needed to count"), required=False, min_value=1,
        help_text=_("How many of the tellers must give their passphrases together to count. Default: a majority."),
    )
    electorate = forms.ChoiceField(label=_("Who votes"), choices=Poll.Electorate.choices, widget=Radios,
                                   initial=Poll.Electorate.PRESENT)
    weighting = forms.ChoiceField(label=_("Weights"), choices=Poll.Weighting.choices, widget=Radios,
                                  initial=Poll.Weighting.DELEGATE)
    chosen_voters = forms.ModelMultipleChoiceField(
        label=_("The chosen delegates"), queryset=Registration.objects.none(), required=False, widget=Checkboxes,
        help_text=_("Only when a chosen group votes."),
    )
    custom_weights = BlocWeightsField(
        label=_("Bloc weights"), required=False,
        help_text=_("Optional: how many votes an organisation's bloc carries (leave empty for the usual weight). "
                    "With one vote per organisation, it is shared among its delegates."),
    )
    min_choices = forms.IntegerField(label=_("Fewest choices a voter must make"), required=False, min_value=0)
    max_choices = forms.IntegerField(label=_("Most choices a voter may make"), required=False, min_value=1)
    seats = forms.IntegerField(label=_("Seats to fill"), required=False, min_value=1, initial=1)
    quorum_percent = forms.DecimalField(label=_("Quorum: percentage of the eligible votes that must take part"), required=False,
                                        min_value=0, max_value=100, decimal_places=2, initial=0)
    majority = forms.ChoiceField(label=_("Majority needed"), choices=Poll.Majority.choices, initial=Poll.Majority.SIMPLE)
    majority_percent = forms.DecimalField(label=_("Custom share (%)"), required=False, decimal_places=2,
                                          help_text=_("Only for a custom majority, e.g. 60."))
    base = forms.ChoiceField(label=_("What counts as 100%"), choices=Poll.Base.choices, initial=Poll.Base.VALID)
    block_threshold = forms.IntegerField(label=_("Blocks that stop a consensus (in votes)"), required=False,
                                         min_value=0, initial=1)
    tie_break = forms.ChoiceField(label=_("Ties"), choices=Poll.TieBreak.choices, widget=Radios,
                                  initial=Poll.TieBreak.NONE)
    allow_change = forms.BooleanField(label=_("Voters may change their vote while the poll is open"), required=False,
                                      help_text=_("Not possible in a secret poll."))
    results_while_open = forms.BooleanField(label=_("Show results while the poll is open"), required=False,
                                            help_text=_("Not possible in a secret poll."))
    opens_at = forms.DateTimeField(label=_("Opens at"), required=False, widget=DateTimeInput,
                                   help_text=_("Optional: the poll opens by itself at this time."))
    closes_at = forms.DateTimeField(label=_("Closes at"), required=False, widget=DateTimeInput,
                                    help_text=_("Optional: the poll closes by itself at this time."))


    def __init__(self, *args, gathering=None, viewer=None, searching=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.viewer = viewer
        self.searching = searching and self.is_bound
        self._pickers = {}
        qs = Registration.objects.none()
        organisations = []
        if gathering is not None:
            qs = (
                Registration.objects.filter(gathering=gathering, role=Registration.Role.DELEGATE,
                                            status=Registration.Status.ACCREDITED)
                .select_related("person", "organisation").order_by("person__display_name", "pk")
            )
            organisations = list(
                qs.exclude(organisation=None).order_by("organisation__name")
                .values_list("organisation_id", "organisation__name").distinct()
            )
            # Who votes, by default: those present once check-in has begun; before that, every accredited delegate.
            checked_in = Registration.objects.filter(gathering=gathering, checked_in_at__isnull=False).exists()
            self.fields["electorate"].initial = Poll.Electorate.PRESENT if checked_in else Poll.Electorate.ACCREDITED
        self.fields["chosen_voters"].queryset = qs
        self.fields["chosen_voters"].label_from_instance = lambda reg: delegate_label(viewer, reg)
        self.fields["custom_weights"].widget.organisations = organisations

    def full_clean(self):
        if self.searching:  # only a search: the form comes back as typed, without errors
            self._errors, self.cleaned_data = ErrorDict(), {}
            return
        super().full_clean()

    def is_valid(self):
        return not self.searching and super().is_valid()

    def query(self, name):
        """The search typed in picker ``name``, as typed (empty: no search; ``words`` folds it)."""
        if not self.is_bound:
            return ""
        typed = str(self.data.get(f"{name}_q") or "")[:400]
        # A control character is a space (core.clean_input has already refused a NUL).
        return " ".join("".join(ch if ch.isprintable() else " " for ch in typed).split())[:200]

    def picker(self, name):
        """What picker ``name`` shows (voting/_picker_rows.html): ``rows`` (the choices already made first,
        then up to ``PICKER_ROWS`` others that match the search), ``found`` (how many others match),
        ``shown`` (how many of those are shown), ``more`` (some are not), ``query``. The same queries whatever the number of delegates."""
        if name not in self._pickers:
            rows_of = self._weight_rows if name == "custom_weights" else self._voter_rows
            query = self.query(name)
            rows, found = rows_of(query)
            shown = len([row for row in rows if not row["kept"]])
            self._pickers[name] = {"name": name, "rows": rows, "found": found, "query": query, "shown": shown,
                                   "more": found > shown}
        return self._pickers[name]

    def _voter_rows(self, query):
        """Checkboxes: the ticked delegates, then the first others matching ``query`` in what the viewer may
        see of them (a hidden name or membership finds nobody)."""
        field = self["chosen_voters"]
        qs = self.fields["chosen_voters"].queryset
        ticked = self._ticked() if self.is_bound else []
        kept = list(qs.filter(pk__in=ticked)) if ticked else []
        others = matching(qs.exclude(pk__in=ticked), [
            ("person__display_name", visibility_q(self.viewer, "display_name", "person__")),
            ("organisation__name_key", visibility_q(self.viewer, "memberships", "person__")),
        ], query)
        shown = list(others[:self.PICKER_ROWS])
        found = others.count()
        rows = [{"value": reg.pk, "label": delegate_label(self.viewer, reg), "kept": i < len(kept)}
                for i, reg in enumerate(kept + shown)]
        for i, row in enumerate(rows):
            row["id"] = f"{field.auto_id}_{i}"
        return rows, found

    def _ticked(self):
        getlist = getattr(self.data, "getlist", None)
        values = getlist("chosen_voters") if getlist else self.data.get("chosen_voters") or []
        return sorted({int(v) for v in map(str, values) if v.isascii() and v.isdigit() and len(v) < 12})[:1000]

    def _weight_rows(self, query):
        """Number boxes: the organisations with a weight written (kept as typed), then the first others
        whose name holds every word of ``query``."""
        field = self["custom_weights"]
        values = (field.value() or {}) if self.is_bound else {}
        kept, others, found = [], [], 0
        wanted = words(query)
        for org_id, name in self.fields["custom_weights"].widget.organisations:
            row = {"name": f"{field.html_name}_org_{org_id}", "id": f"{field.auto_id}_org_{org_id}",
                   "label": name, "value": values.get(org_id, ""), "kept": bool(values.get(org_id))}
            if row["kept"]:
                kept.append(row)
            elif all(word in match_key(name) for word in wanted):
                found += 1
                if len(others) < self.PICKER_ROWS:
                    others.append(row)
        return kept + others, found

    def picker_open(self, name):
        """A picker starts unfolded when it holds a choice or an error, or when a chosen group votes."""
        if not self.is_bound:
            return False
        if self.searching and (self.data.get("picker") == name or self.query(name)):
            return True
        if self[name].errors or (name == "chosen_voters" and self.data.get("electorate") == Poll.Electorate.CHOSEN):
            return True
        value = self[name].value()
        return any(value.values()) if isinstance(value, dict) else bool(value)

    @property
    def chosen_open(self):
        return self.picker_open("chosen_voters")

    @property
    def weights_open(self):
        return self.picker_open("custom_weights")

    @property
    def chosen_picker(self):
        return self.picker("chosen_voters")

    @property
    def weights_picker(self):
        return self.picker("custom_weights")

    def clean_chosen_voters(self):
        return [reg.pk for reg in self.cleaned_data.get("chosen_voters") or []]


class AnnulForm(forms.Form):
    reason = forms.CharField(label=_("Why is the poll annulled?"), max_length=2000,
                             widget=forms.Textarea(attrs={"rows": 4}),
                             help_text=_("Everyone who can see the poll will read this."))


def delegate_label(viewer, registration):
    """A delegate named as far as the person's visibility choices allow: their name, and their organisation
    only where their memberships may be seen."""
    person = registration.person
    org = registration.organisation.name if registration.organisation_id else ""
    if not can_see_field(viewer, person, "memberships"):
        org = ""
    if can_see_field(viewer, person, "display_name"):
        return f"{person.display_name} ({org})" if org else person.display_name
    if org:
        return str(_("A delegate of %(organisation)s (no. %(id)s)") % {"organisation": org, "id": registration.pk})
    return str(_("Delegate no. %(id)s") % {"id": registration.pk})


class ProxyForm(forms.Form):
    holder = forms.ModelChoiceField(
        label=_("Delegate who will vote for you"), queryset=Registration.objects.none(),
        help_text=_("They cast your vote in every poll opened from now on, until you revoke the proxy."),
    )

    def __init__(self, *args, gathering, viewer, **kwargs):
        super().__init__(*args, **kwargs)
        # Only those who could hold it: accredited delegates of this gathering with an account, who have not
        # given their own proxy away.
        qs = (
            Registration.objects.filter(gathering=gathering, role=Registration.Role.DELEGATE,
                                        status=Registration.Status.ACCREDITED, person__user__isnull=False)
            .exclude(person__user=viewer)
            .exclude(pk__in=Proxy.objects.filter(gathering=gathering, revoked_at__isnull=True).values("giver_id"))
            .select_related("person", "organisation").order_by("pk")
        )
        self.fields["holder"].queryset = qs
        self.fields["holder"].label_from_instance = lambda reg: delegate_label(viewer, reg)


class BallotForm(forms.Form):
    """A ballot for one poll: radios, checkboxes or one rank per candidate.
    Proxy holders of a radio ballot may vote differently for each delegate
    they represent."""

    idempotency_key = forms.CharField(widget=forms.HiddenInput, max_length=100)

    def __init__(self, *args, poll, options, represented=(), viewer=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.poll = poll
        self.options = options
        self.represented = list(represented)
        choices = [(str(o.pk), o.display) for o in options]
        self.radio = poll.kind in (Poll.Kind.YES_NO, Poll.Kind.SINGLE, Poll.Kind.CONSENSUS)
        if self.radio:
            self.fields["choice"] = forms.ChoiceField(label=poll.title, choices=choices, widget=Radios)
            for reg in self.represented:
                self.fields[f"proxy_{reg.pk}"] = forms.ChoiceField(
                    label=_("Vote for %(delegate)s") % {"delegate": delegate_label(viewer, reg)},
                    choices=[("", _("The same as my vote"))] + choices, required=False, widget=Radios,
                )
        elif poll.kind == Poll.Kind.RANKED:
            ranks = [("", _("Not ranked"))] + [(str(i), str(i)) for i in range(1, len(options) + 1)]
            for o in options:
                self.fields[f"rank_{o.pk}"] = forms.ChoiceField(
                    label=_("Rank for %(candidate)s") % {"candidate": o.display}, choices=ranks, required=False
                )
        else:
            self.fields["choices"] = forms.MultipleChoiceField(
                label=poll.title, choices=choices, widget=Checkboxes, required=False,
                help_text=_("Choose between %(min)s and %(max)s.") % {"min": poll.min_choices, "max": poll.max_choices},
            )

    def clean(self):
        data = super().clean()
        if self.poll.kind == Poll.Kind.RANKED:
            ranked = []
            for o in self.options:
                value = data.get(f"rank_{o.pk}")
                if value:
                    ranked.append((int(value), o.pk))
            positions = [r for r, _ in ranked]
            if len(set(positions)) != len(positions):
                raise forms.ValidationError(_("Give each rank to one candidate only."))
            if positions and sorted(positions) != list(range(1, len(positions) + 1)):
                raise forms.ValidationError(_("Number your choices 1, 2, 3… without gaps."))
            data["ballot"] = [pk for _, pk in sorted(ranked)]
        elif self.radio:
            data["ballot"] = [int(data["choice"])] if data.get("choice") else []
            split = {}
            for reg in self.represented:
                value = data.get(f"proxy_{reg.pk}")
                if value:
                    split[reg.pk] = [int(value)]
            data["proxy_split"] = split
        else:
            data["ballot"] = [int(v) for v in data.get("choices") or []]
        return data

    @property
    def proxy_fields(self):
        return [self[name] for name in self.fields if name.startswith("proxy_")]

    @property
    def ballot_fields(self):
        return [self[name] for name in self.fields if name not in ("idempotency_key",) and not name.startswith("proxy_")]


class TellerPassphraseForm(forms.Form):
    passphrase = forms.CharField(
        label=_("Teller passphrase"), strip=False, max_length=1024,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("At least 12 characters. Use it for this poll only: you will need it to count. Nobody can "
                    "recover it for you."),
    )
    confirm = forms.CharField(label=_("The same passphrase again"), strip=False, max_length=1024,
                              widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))

    def clean(self):
        data = super().clean()
        if data.get("passphrase") and data.get("confirm") is not None and data["passphrase"] != data["confirm"]:
            self.add_error("confirm", _("The two passphrases are different."))
        return data


class CountForm(forms.Form):
    """One row per teller needed: which teller, and their passphrase. The tellers type them on the same
    page, together: nothing is stored between two of them."""

    def __init__(self, *args, tellers, needed, **kwargs):
        super().__init__(*args, **kwargs)
        choices = [("", _("Choose a teller"))] + [(str(t["user_id"]), t["label"]) for t in tellers]
        self.rows = []
        for row in range(1, needed + 1):
            self.fields[f"teller_{row}"] = forms.ChoiceField(
                label=_("Teller (%(row)s of %(n)s)") % {"row": row, "n": needed}, choices=choices,
            )
            self.fields[f"passphrase_{row}"] = forms.CharField(
                label=_("Their teller passphrase"), strip=False, max_length=1024,
                widget=forms.PasswordInput(attrs={"autocomplete": "off"}),
            )
            self.rows.append(row)

    def unlocks(self):
        return [(self.cleaned_data[f"teller_{row}"], self.cleaned_data[f"passphrase_{row}"]) for row in self.rows]
