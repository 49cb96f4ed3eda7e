"""Country names for settings.COUNTRIES_OVERRIDE, where django-countries'
bundled names are wrong or awkward for the people of the Americas using
Convoca (French "Guyane" for Guyana is French Guiana; Portuguese
"Dominicana" for Dominica is the Dominican Republic; "Trinidad yTobago"...).
The context keeps our translations apart from the bundled catalogue's."""

from django.utils.translation import pgettext_lazy

COUNTRIES_OVERRIDE = {
    "BL": pgettext_lazy("country", "Saint Barthélemy"),
    "BQ": pgettext_lazy("country", "Bonaire, Sint Eustatius and Saba"),
    "BS": pgettext_lazy("country", "Bahamas"),
    "BZ": pgettext_lazy("country", "Belize"),
    "DM": pgettext_lazy("country", "Dominica"),
    "GT": pgettext_lazy("country", "Guatemala"),
    "GY": pgettext_lazy("country", "Guyana"),
    "MF": pgettext_lazy("country", "Saint Martin (French part)"),
    "SV": pgettext_lazy("country", "El Salvador"),
    "SX": pgettext_lazy("country", "Sint Maarten (Dutch part)"),
    "TT": pgettext_lazy("country", "Trinidad and Tobago"),
    "US": pgettext_lazy("country", "United States"),
}
