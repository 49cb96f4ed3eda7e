"""Raw material for the demo gatherings: the continental conference, one
preparatory meeting per country, and the reasons given for refusals.

This is content, not interface text: it stays in the language of each country
and is not translated. Plain Python, importable without Django set up (the
page-weight benchmark reads it); the loader is ``demo.py``.
"""

CONFERENCE = {
    "slug": "conferencia-continental",
    "title": "Conferencia Continental por los Derechos de las Personas Migrantes y la Soberanía de los Pueblos",
    "country": "PA",
    "place": "Ciudad de Panamá",
    "days_from_today": 45,
    "length_days": 3,
    "description": (
        "Tres días de debate entre sindicatos, movimientos sociales, parlamentarias y parlamentarios y "
        "organizaciones de derechos humanos y de personas migrantes de las Américas. Los encuentros "
        "nacionales preparatorios envían sus delegaciones y sus propuestas; la conferencia adopta una "
        "declaración y convoca jornadas continentales de acción."
    ),
}

# country: (slug, language of the meeting, city, days from today to the meeting, length in days, title)
MEETINGS = {
    "BR": ("brasil", "pt", "São Paulo", -45, 2, "Encontro Nacional Preparatório — Brasil"),
    "MX": ("mexico", "es", "Ciudad de México", -30, 2, "Encuentro Nacional Preparatorio — México"),
    "CO": ("colombia", "es", "Bogotá", -20, 1, "Encuentro Nacional Preparatorio — Colombia"),
    "VE": ("venezuela", "es", "Caracas", -12, 1, "Encuentro Nacional Preparatorio — Venezuela"),
    "PE": ("peru", "es", "Lima", 7, 2, "Encuentro Nacional Preparatorio — Perú"),
    "EC": ("ecuador", "es", "Quito", 10, 1, "Encuentro Nacional Preparatorio — Ecuador"),
    "PA": ("panama", "es", "Colón", 14, 1, "Encuentro Nacional Preparatorio — Panamá"),
    "GY": ("guyana", "en", "Georgetown", 18, 1, "National Preparatory Meeting — Guyana"),
    "US": ("usa", "en", "Chicago", 21, 2, "National Preparatory Meeting — United States"),
    "GP": ("guadeloupe", "fr", "Pointe-à-Pitre", 25, 1, "Rencontre préparatoire nationale — Guadeloupe"),
}

MEETING_DESCRIPTIONS = {
    "es": "Encuentro de las organizaciones del país para elegir la delegación y debatir las propuestas que se llevarán a la conferencia continental.",
    "pt": "Encontro das organizações do país para eleger a delegação e debater as propostas que serão levadas à conferência continental.",
    "en": "The country's organisations meet to choose their delegation and debate the proposals they will bring to the continental conference.",
    "fr": "Les organisations du pays se réunissent pour choisir leur délégation et débattre des propositions portées à la conférence continentale.",
}

REFUSAL_REASONS = {
    "es": [
        "La organización no confirmó el mandato.",
        "La organización ya completó su cupo de delegados.",
        "Inscripción duplicada: la persona ya está inscrita por otra organización.",
        "La solicitud llegó después del cierre de inscripciones.",
    ],
    "pt": [
        "A organização não confirmou o mandato.",
        "A organização já completou sua cota de delegados.",
        "Inscrição duplicada.",
    ],
    "en": [
        "The organisation did not confirm the mandate.",
        "The organisation's delegate places are already filled.",
        "Duplicate registration.",
    ],
    "fr": [
        "L'organisation n'a pas confirmé le mandat.",
        "Les places de délégués de l'organisation sont déjà pourvues.",
        "Inscription en double.",
    ],
}

# Languages of the originals, as the demo writes them above, for ``Gathering.original_language``.
ORIGINAL_LANGUAGE = {"es": "es", "pt": "pt-br", "en": "en", "fr": "fr"}

# Earlier wordings of texts that changed after some of their translations were
# made: the gathering is at its second version, and the translations of the
# first one are outdated (the translators' queue lists them, with the changes).
EARLIER = {
    "conferencia-continental": {
        "description": (
            "Dos días de debate entre sindicatos, movimientos sociales y organizaciones de derechos humanos y de "
            "personas migrantes de las Américas. La conferencia adopta una declaración y convoca jornadas "
            "continentales de acción."
        ),
    },
    "preparatorio-mexico": {
        "description": "Encuentro de las organizaciones del país para elegir la delegación a la conferencia continental.",
    },
}

# Language versions made by the demo translator: slug -> {language: fields}. A
# version marked "earlier" translates the earlier wording above (it is outdated).
# Every other language of every other gathering is missing.
TRANSLATIONS = {
    "conferencia-continental": {
        "pt-br": {
            "title": "Conferência Continental pelos Direitos das Pessoas Migrantes e a Soberania dos Povos",
            "description": (
                "Três dias de debate entre sindicatos, movimentos sociais, parlamentares e organizações de direitos "
                "humanos e de pessoas migrantes das Américas. Os encontros nacionais preparatórios enviam suas "
                "delegações e suas propostas; a conferência adota uma declaração e convoca jornadas continentais "
                "de ação."
            ),
        },
        "en": {
            "title": "Continental Conference for the Rights of Migrants and the Sovereignty of Peoples",
            "description": (
                "Three days of debate among trade unions, social movements, parliamentarians and human-rights and "
                "migrant-rights organisations of the Americas. The national preparatory meetings send their "
                "delegations and their proposals; the conference adopts a declaration and calls continental days "
                "of action."
            ),
        },
        "fr": {
            "earlier": True,
            "title": "Conférence continentale pour les droits des personnes migrantes et la souveraineté des peuples",
            "description": (
                "Deux jours de débat entre syndicats, mouvements sociaux et organisations de défense des droits "
                "humains et des personnes migrantes des Amériques. La conférence adopte une déclaration et appelle "
                "à des journées continentales d'action."
            ),
        },
    },
    "preparatorio-brasil": {
        "es": {"title": "Encuentro Nacional Preparatorio — Brasil", "description": MEETING_DESCRIPTIONS["es"]},
    },
    "preparatorio-mexico": {
        "en": {
            "earlier": True,
            "title": "National Preparatory Meeting — Mexico",
            "description": "The country's organisations meet to choose their delegation to the continental conference.",
        },
    },
    "preparatorio-colombia": {
        "pt-br": {"title": "Encontro Nacional Preparatório — Colômbia", "description": MEETING_DESCRIPTIONS["pt"]},
        "en": {"title": "National Preparatory Meeting — Colombia", "description": MEETING_DESCRIPTIONS["en"]},
    },
    "preparatorio-guyana": {
        "es": {"title": "Encuentro Nacional Preparatorio — Guyana", "description": MEETING_DESCRIPTIONS["es"]},
    },
    "preparatorio-usa": {
        "fr": {"title": "Rencontre préparatoire nationale — États-Unis", "description": MEETING_DESCRIPTIONS["fr"]},
    },
    "preparatorio-guadeloupe": {
        "es": {"title": "Encuentro Nacional Preparatorio — Guadalupe", "description": MEETING_DESCRIPTIONS["es"]},
        "en": {"title": "National Preparatory Meeting — Guadeloupe", "description": MEETING_DESCRIPTIONS["en"]},
    },
}
