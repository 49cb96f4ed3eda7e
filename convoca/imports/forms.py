from django import forms
from django.utils.translation import gettext_lazy as _

from convoca.gatherings.models import Gathering

from .models import ImportBatch


class RadioSelect(forms.RadioSelect):
    """Radios in a fieldset (see imports/start.html); the error summary links to the first one."""

    def id_for_label(self, id_, index="0"):
        return super().id_for_label(id_, index)


class ImportForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("What does the file contain?"), choices=ImportBatch.Kind.choices, widget=RadioSelect,
    )
    gathering = forms.ModelChoiceField(
        label=_("Gathering"), queryset=Gathering.objects.order_by("-starts_on", "title"), to_field_name="slug",
        required=False, empty_label=_("— none: the file has a gathering column —"),
        help_text=_("For registrations only: the gathering for rows that do not name one."),
    )
    file = forms.FileField(
        label=_("Spreadsheet file"),
        help_text=_("An Excel or LibreOffice workbook (.xlsx, .xls, .ods) or a CSV file. A row must name the "
                    "columns; title rows above it are skipped."),
        widget=forms.ClearableFileInput(attrs={
            "accept": ".xlsx,.xlsm,.xls,.ods,.csv,.txt,text/csv,text/plain,"
                      "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet,"
                      "application/vnd.ms-excel,application/vnd.oasis.opendocument.spreadsheet"}),
    )
