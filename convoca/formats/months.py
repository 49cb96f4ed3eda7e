"""The month names of the "E" date format (context "alt. month", as Django
marks them) in our catalogue, so that a language whose formats use "E"
(convoca/formats/pt_BR) shows them as that language writes them. Never
imported: the marks are for makemessages and the catalogue coverage test."""

from django.utils.translation import pgettext_lazy

MONTHS = [
    pgettext_lazy("alt. month", "January"),
    pgettext_lazy("alt. month", "February"),
    pgettext_lazy("alt. month", "March"),
    pgettext_lazy("alt. month", "April"),
    pgettext_lazy("alt. month", "May"),
    pgettext_lazy("alt. month", "June"),
    pgettext_lazy("alt. month", "July"),
    pgettext_lazy("alt. month", "August"),
    pgettext_lazy("alt. month", "September"),
    pgettext_lazy("alt. month", "October"),
    pgettext_lazy("alt. month", "November"),
    pgettext_lazy("alt. month", "December"),
]
