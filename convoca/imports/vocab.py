"""What organisers write in their spreadsheets, in Spanish, Portuguese,
English and French: column names, sectors, roles and languages.

Everything is compared through ``header_key`` / ``value_key`` (case, accents
and punctuation do not matter), so each alias is listed once without accents.
"""

import functools
import re

from django.conf.locale import LANG_INFO
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from convoca.network.models import Sector, match_key

LANGUAGES = ("es", "pt-br", "en", "fr")


def header_key(text: str) -> str:
    """'Correo electrónico (obligatorio)*' -> 'correoelectronico'."""
    text = re.sub(r"\(.*?\)|\[.*?\]", "", text or "")
    return re.sub(r"[^a-z0-9]", "", match_key(text))


def value_key(text: str) -> str:
    """'Droits de l’Homme' -> 'droits de l homme'."""
    return " ".join(re.sub(r"[^a-z0-9]+", " ", match_key(text or "")).split())


# --- columns -------------------------------------------------------------------

# field -> (label shown in messages, aliases). The first alias per language
# is the one suggested in messages.
COLUMNS = {
    "name": (_("name"), [
        "nombre", "nome", "name", "nom", "nombre para mostrar", "nome de exibicao", "display name", "nom affiche",
    ]),
    "first_name": (_("first name"), [
        "nombres", "primer nombre", "nome proprio", "primeiro nome", "first name", "given name", "forename", "prenom",
        "prenoms",
    ]),
    "last_name": (_("last name"), [
        "apellido", "apellidos", "sobrenome", "sobrenomes", "apelido", "apelidos", "last name", "surname",
        "family name", "nom de famille",
    ]),
    "full_name": (_("full name"), [
        "nombre completo", "nombre y apellido", "nombre y apellidos", "nombres y apellidos", "nome completo",
        "full name", "name and surname", "nom complet", "prenom et nom", "nom et prenom",
    ]),
    "email": (_("email"), [
        "correo", "correo electronico", "email", "e mail", "mail", "direccion de correo", "endereco de email",
        "endereco de e mail", "endereco eletronico", "email address", "courriel", "adresse email",
        "adresse e mail", "adresse electronique", "adresse courriel",
    ]),
    "languages": (_("languages"), [
        "idiomas", "idioma", "lenguas", "lengua", "linguas", "lingua", "languages", "language", "langues", "langue",
    ]),
    "organisation": (_("organisation"), [
        "organizacion", "organizaciones", "entidad", "organizacao", "organizacoes", "entidade", "organisation",
        "organization", "org", "organisme",
    ]),
    "country": (_("country"), ["pais", "country", "pays", "nacion", "nacao"]),
    "sector": (_("sector"), [
        "sector", "tipo", "tipo de organizacion", "setor", "tipo de organizacao", "type", "organisation type",
        "organization type", "secteur", "type d organisation",
    ]),
    "website": (_("website"), [
        "sitio web", "pagina web", "web", "sitio", "site", "pagina", "website", "web site", "url", "site web",
        "site internet",
    ]),
    "role": (_("role"), [
        "rol", "funcion", "tipo de participacion", "papel", "funcao", "tipo de participacao", "role",
        "participation", "fonction", "type de participation",
    ]),
    "gathering": (_("gathering"), [
        "encuentro", "evento", "reunion", "conferencia", "gathering", "event", "meeting", "conference", "rencontre",
        "evenement", "reuniao", "slug",
    ]),
}

# Per kind: the fields it reads, the aliases that only apply to that kind,
# and the required fields (a tuple inside means "one of these").
KIND_FIELDS = {
    "organisations": ["name", "country", "sector", "website"],
    "people": ["name", "first_name", "last_name", "full_name", "email", "languages", "organisation", "country"],
    "registrations": [
        "email", "gathering", "role", "organisation", "country", "name", "first_name", "last_name", "full_name",
        "languages",
    ],
}
KIND_EXTRA_ALIASES = {
    # In a list of organisations, the "Organización" column is the name.
    "organisations": {"name": COLUMNS["organisation"][1] + ["nombre de la organizacion", "nome da organizacao"]},
}
REQUIRED = {
    "organisations": ["name", "country", "sector"],
    "people": ["email", ("name", "first_name", "last_name", "full_name")],
    "registrations": ["email", "role"],
}
NAME_FIELDS = ("name", "first_name", "last_name", "full_name")


@functools.cache
def header_table(kind: str) -> dict[str, str]:
    """header_key -> field, for one kind of import."""
    table = {}
    for field in KIND_FIELDS[kind]:
        for alias in COLUMNS[field][1] + KIND_EXTRA_ALIASES.get(kind, {}).get(field, []):
            table.setdefault(header_key(alias), field)
    return table


def field_label(field: str) -> str:
    return str(COLUMNS[field][0])


def column_examples(field: str) -> str:
    """A few names a column can have, one per language ("correo, e-mail, email, courriel")."""
    aliases = COLUMNS[field][1]
    picks = {"name": "nombre, nome, name, nom", "email": "correo, e-mail, email, courriel",
             "country": "país, pais, country, pays", "sector": "sector, setor, secteur",
             "role": "rol, papel, role, rôle", "organisation": "organización, organização, organisation",
             "gathering": "encuentro, evento, gathering, rencontre", "website": "sitio web, site, website",
             "languages": "idiomas, línguas, languages, langues"}
    return picks.get(field, ", ".join(aliases[:4]))


# --- sectors -------------------------------------------------------------------

SECTOR_ALIASES = {
    Sector.TRADE_UNION: [
        "sindicato", "sindical", "central sindical", "organizacion sindical", "confederacion sindical",
        "federacion sindical", "organizacao sindical", "trade union", "union", "labour union", "labor union",
        "syndicat", "organisation syndicale", "centrale syndicale", "confederation syndicale",
    ],
    Sector.SOCIAL_MOVEMENT: [
        "movimiento social", "movimiento", "organizacion social", "movimento social", "movimento",
        "social movement", "movement", "mouvement social", "mouvement",
    ],
    Sector.POLITICAL_PARTY: ["partido politico", "partido", "political party", "party", "parti politique", "parti"],
    Sector.PARLIAMENTARY_GROUP: [
        "grupo parlamentario", "bancada", "bancada parlamentaria", "grupo parlamentar", "bancada parlamentar",
        "parliamentary group", "parliamentarians", "groupe parlementaire",
    ],
    Sector.HUMAN_RIGHTS: [
        "derechos humanos", "ddhh", "organizacion de derechos humanos", "direitos humanos",
        "organizacao de direitos humanos", "human rights", "human rights organisation",
        "human rights organization", "droits humains", "droits de l homme", "droits de la personne",
        "organisation de droits humains",
    ],
    Sector.MIGRANT_RIGHTS: [
        "derechos de migrantes", "derechos migrantes", "derechos de las personas migrantes", "migrantes",
        "organizacion de migrantes", "direitos dos migrantes", "direitos de migrantes", "migrant rights",
        "migrants rights", "migrant rights organisation", "migrant rights organization", "migrants",
        "droits des migrants", "droits des personnes migrantes",
    ],
    Sector.OTHER: ["otro", "otra", "otros", "outro", "outra", "outros", "other", "autre", "autres"],
}

# --- roles in a gathering ---------------------------------------------------------

ROLE_ALIASES = {
    "delegate": [
        "delegado", "delegada", "delegado a", "delegad", "delegadx", "delegade", "delegate", "delegue", "deleguee",
        "delegue e",
    ],
    "observer": [
        "observador", "observadora", "observador a", "observadx", "observer", "observateur", "observatrice",
        "observateur trice",
    ],
    "guest": [
        "invitado", "invitada", "invitado a", "invitadx", "ponente", "ponente remoto", "convidado", "convidada",
        "convidado a", "palestrante", "guest", "remote speaker", "speaker", "invite", "invitee", "invite e",
        "intervenant", "intervenante",
    ],
}


@functools.cache
def sector_table() -> dict[str, str]:
    table = {}
    for sector, aliases in SECTOR_ALIASES.items():
        table[value_key(sector.value)] = sector.value
        for alias in aliases:
            table.setdefault(value_key(alias), sector.value)
    for language in LANGUAGES:  # the labels as the site shows them, once translated
        with translation.override(language):
            for value, label in Sector.choices:
                table.setdefault(value_key(str(label)), value)
    return table


@functools.cache
def role_table() -> dict[str, str]:
    from convoca.gatherings.models import Registration

    table = {}
    for role, aliases in ROLE_ALIASES.items():
        table[role] = role
        for alias in aliases:
            table.setdefault(value_key(alias), role)
    for language in LANGUAGES:
        with translation.override(language):
            for value, label in Registration.Role.choices:
                table.setdefault(value_key(str(label)), value)
    return table


def resolve_sector(text: str) -> str | None:
    return sector_table().get(value_key(text))


def resolve_role(text: str) -> str | None:
    return role_table().get(value_key(text))


# --- languages -----------------------------------------------------------------

# Languages of the Americas that Django does not list, in the four languages.
EXTRA_LANGUAGES = {
    "qu": ["quechua", "quichua", "kichwa", "runa simi"],
    "ay": ["aymara", "aimara"],
    "gn": ["guarani", "avane e"],
    "ht": ["criollo haitiano", "creole haitiano", "crioulo haitiano", "haitian creole", "creole haitien",
           "kreyol", "kreyol ayisyen", "creole"],
    "nah": ["nahuatl", "nahuatl", "mexicano"],
    "arn": ["mapudungun", "mapuzugun", "mapuche"],
    "pap": ["papiamento", "papiamentu"],
    "yua": ["maya", "maya yucateco", "yucatec maya"],
    "es": ["castellano", "castelhano", "castillan"],
}
_CONJUNCTIONS = re.compile(r"\s+(?:y|e|and|et|&)\s+")


@functools.cache
def language_table() -> dict[str, str]:
    """Normalised language name or code -> base language code ("pt-br" -> "pt")."""
    table: dict[str, str] = {}
    entries = {code: info for code, info in LANG_INFO.items() if "name" in info}
    for code in entries:
        table[value_key(code)] = code.split("-")[0]
    for code, names in EXTRA_LANGUAGES.items():
        table.setdefault(code, code)
        for name in names:
            table.setdefault(value_key(name), code)
    for code, info in entries.items():
        base = code.split("-")[0]
        table.setdefault(value_key(info["name"]), base)
        table.setdefault(value_key(info["name_local"]), base)
    for language in LANGUAGES:
        with translation.override(language):
            for code, info in entries.items():
                table.setdefault(value_key(translation.gettext(info["name"])), code.split("-")[0])
    table.pop("", None)
    return table


def resolve_languages(text: str) -> tuple[list[str], list[str]]:
    """'Español y portugués; EN' -> (['es', 'pt', 'en'], []); unknown parts in the second list."""
    table = language_table()
    codes: list[str] = []
    unknown: list[str] = []

    def add(code):
        if code not in codes:
            codes.append(code)

    for part in re.split(r"[,;/|+·\n]", text or ""):
        part = part.strip()
        if not part:
            continue
        code = table.get(value_key(part)) or table.get(value_key(re.sub(r"\(.*?\)", "", part)))
        if code:  # "Português (Brasil)" is Portuguese
            add(code)
            continue
        for piece in _CONJUNCTIONS.split(part):
            code = table.get(value_key(piece))
            if code:
                add(code)
                continue
            words = piece.split()
            word_codes = [table.get(value_key(word)) for word in words]
            if words and all(word_codes):
                for word_code in word_codes:
                    add(word_code)
            else:
                unknown.append(piece.strip())
    return codes, unknown
