"""Raw material for the demo proposals: what delegates wrote at the national preparatory meetings and at
the continental conference, in the language each was written in, with their amendments and votes.

This is content, not interface text: it stays in its own language and is not translated (translators
do that in the demo). Plain Python; the loader is ``demo.py``.

Each proposal: ``key``; ``at`` ("conference" or the country of its preparatory meeting); ``author``
("delegate" or "committee": a demo login's registration there; a number: the n-th accredited delegate
of the gathering); ``language``; ``title``; ``text`` (paragraphs separated by blank lines); ``state``;
``theme`` (a conference theme's prefix); ``cosponsors`` (how many other organisations); ``amendments``
(``kind``, ``first``, ``last``, ``text``, ``language``, ``state``, ``reason``; adopted ones in the order
listed); ``vote`` (the plenary vote that adopted it at its meeting); ``forward`` (the state of its copy at
the conference, when its national committee forwarded it); ``note`` (a reason or a working group).
"""

DECLARATION_TITLE = "Declaración de Panamá por los derechos de las personas migrantes y la soberanía de los pueblos"

THEMES = [
    ("MIG", "Derechos de las personas migrantes"),
    ("SOB", "Soberanía nacional y de los pueblos"),
    ("MOV", "Movilizaciones y jornadas de acción"),
    ("SOL", "Solidaridad internacional"),
]

MIGRANT_RIGHTS = """Las organizaciones reunidas en la Conferencia Continental exigimos la regularización migratoria inmediata y sin condiciones de todas las personas migrantes que viven y trabajan en las Américas.

Ningún ser humano es ilegal. Las deportaciones masivas separan familias, destruyen comunidades y entregan a millones de trabajadoras y trabajadores a la explotación sin derechos.

Exigimos el cierre de los centros de detención migratoria y el fin de los acuerdos de "tercer país seguro" que convierten a nuestros países en muros de contención.

Los sindicatos se comprometen a afiliar a las personas migrantes sin importar su situación documental y a defender sus salarios y condiciones de trabajo como los de cualquier otra persona trabajadora.

Pedimos a los gobiernos que reconozcan los títulos profesionales y la experiencia laboral adquirida en el país de origen."""

MAY_DAY_PT = """Convocamos uma jornada continental de ação no dia 1º de maio, com marchas, greves e atos em todas as capitais das Américas.

A jornada terá três eixos: a regularização de todas as pessoas migrantes, o salário mínimo digno e a defesa da soberania dos nossos povos sobre seus recursos naturais.

Cada comitê nacional organizará a jornada em seu país e informará as ações registradas para que possam ser vistas em um mapa continental.

As centrais sindicais se comprometem a convocar paralisações onde as condições permitirem."""

SOVEREIGNTY = """Rechazamos toda intervención militar extranjera en los países de América Latina y el Caribe y la instalación de bases militares en nuestros territorios.

Defendemos el derecho de cada pueblo a decidir sobre sus recursos naturales: el agua, los minerales, la tierra y la energía no son mercancías.

Exigimos la anulación de las deudas ilegítimas contraídas por gobiernos de facto y la auditoría pública de la deuda externa."""

CARIBBEAN_FR = """Nous appelons à une semaine de solidarité avec les travailleuses et les travailleurs des Caraïbes frappés par les ouragans et par la hausse du coût de la vie.

Les syndicats de la Guadeloupe, de la Martinique et d'Haïti proposent une caisse de grève commune et un réseau d'accueil pour les familles déplacées.

Nous demandons aux organisations du continent de relayer cette semaine et de soutenir la caisse commune."""

MEDIA = """Proponemos crear una red continental de medios comunitarios, radios populares y periodistas de las organizaciones, para que nuestras luchas se conozcan más allá de cada frontera.

La red compartirá contenidos en los cuatro idiomas de la coalición y protegerá a las y los periodistas amenazados."""

WAGES = """Exigimos un salario mínimo que cubra la canasta básica de una familia en cada país del continente.

Proponemos una campaña común con un mismo día de movilización por el salario mínimo."""

HOUSING = """Exigimos políticas públicas de vivienda digna para las familias trabajadoras y migrantes.

Proponemos una campaña continental contra los desalojos."""

WAGES_AND_HOUSING = """Exigimos un salario mínimo que cubra la canasta básica de una familia y una vivienda digna para todas las familias trabajadoras y migrantes del continente.

Proponemos una campaña continental común, con un mismo día de movilización por el salario mínimo y contra los desalojos."""

CARE_EN = """We call on every organisation of the coalition to recognise care work, paid and unpaid, as work.

Domestic workers, most of them migrant women, must have the same rights as any other worker, including the right to organise.

We propose that the conference adopt the ILO Convention 189 as one of the demands of the continental day of action."""

BR_DEBT_PT = """Exigimos a auditoria pública da dívida externa do Brasil e a suspensão dos pagamentos até que ela seja concluída."""

MX_BORDER = """Exigimos el fin de la militarización de la frontera sur de México y de la persecución de las caravanas migrantes.

Las organizaciones mexicanas ofrecen sus albergues y su red de acompañamiento jurídico a las personas en tránsito."""

MX_TRADE = """Proponemos revisar los tratados de libre comercio que debilitan los derechos laborales en la región."""

CO_PEACE = """Exigimos el cumplimiento integral del acuerdo de paz y la protección de las lideresas y los líderes sociales amenazados.

Proponemos que la conferencia continental incluya la paz en Colombia en su declaración final."""

CO_LAND = """Exigimos una reforma agraria integral y el fin del despojo de tierras campesinas, indígenas y afrodescendientes."""

PROPOSALS = [
    # --- national preparatory meetings --------------------------------------------------------------------
    {"key": "br-jornada", "at": "BR", "author": "delegate", "language": "pt-br",
     "title": "Jornada continental de ação no 1º de maio", "text": MAY_DAY_PT, "state": "adopted", "cosponsors": 3,
     "vote": {"outcome": "adopted", "yes": "41", "no": "3", "abstain": "2"}, "forward": "amendment"},
    {"key": "br-divida", "at": "BR", "author": 1, "language": "pt-br", "title": "Auditoria da dívida externa",
     "text": BR_DEBT_PT, "state": "rejected", "cosponsors": 0, "note": "Tema tratado na proposta sobre soberania."},
    {"key": "mx-frontera", "at": "MX", "author": 0, "language": "es",
     "title": "Desmilitarización de la frontera sur", "text": MX_BORDER, "state": "adopted", "cosponsors": 2,
     "vote": {"outcome": "adopted", "yes": "35", "no": "0", "abstain": "4"}, "forward": "adopted",
     "forward_theme": "MIG"},
    {"key": "mx-soberania", "at": "MX", "author": 1, "language": "es", "title": "Soberanía sobre los recursos naturales",
     "text": SOVEREIGNTY, "state": "adopted", "cosponsors": 1,
     "vote": {"outcome": "adopted", "yes": "30", "no": "6", "abstain": "3"}, "forward": "adopted",
     "forward_theme": "SOB"},
    {"key": "mx-tratados", "at": "MX", "author": 2, "language": "es", "title": "Revisión de los tratados de libre comercio",
     "text": MX_TRADE, "state": "withdrawn", "cosponsors": 0, "note": "Se presentará en la conferencia."},
    {"key": "co-paz", "at": "CO", "author": "committee", "language": "es",
     "title": "Paz y protección de lideresas y líderes sociales", "text": CO_PEACE, "state": "adopted", "cosponsors": 2,
     "vote": {"outcome": "adopted", "yes": "27", "no": "1", "abstain": "0"}},
    {"key": "co-tierra", "at": "CO", "author": 0, "language": "es", "title": "Reforma agraria integral",
     "text": CO_LAND, "state": "debate", "cosponsors": 1},
    # --- the continental conference ---------------------------------------------------------------------------
    {"key": "mig-regularizacion", "at": "conference", "author": 0, "theme": "MIG", "language": "es",
     "title": "Regularización migratoria sin condiciones", "text": MIGRANT_RIGHTS, "state": "debate", "cosponsors": 5,
     "translate": "en",
     "amendments": [
         {"kind": "replace", "first": 2, "language": "es", "state": "adopted", "reason": "Más preciso.",
          "text": "Ningún ser humano es ilegal. Las deportaciones masivas separan familias, destruyen comunidades y "
                  "entregan a millones de trabajadoras y trabajadores a la explotación sin derechos laborales."},
         {"kind": "replace", "first": 2, "language": "es", "state": "adopted",
          "reason": "La explotación no es solo laboral.",
          "text": "Ningún ser humano es ilegal. Las deportaciones masivas separan familias, destruyen comunidades y "
                  "entregan a millones de trabajadoras y trabajadores a la explotación y al miedo."},
         {"kind": "insert", "first": 3, "language": "es", "state": "debate",
          "reason": "Las personas refugiadas no aparecen en el texto.",
          "text": "Exigimos que se respete el derecho de asilo y el principio de no devolución."},
         {"kind": "delete", "first": 5, "last": 5, "language": "es", "state": "rejected",
          "reason": "Es un tema de otra campaña."},
         {"kind": "replace", "first": 4, "language": "pt-br", "state": "withdrawn",
          "text": "Os sindicatos se comprometem a filiar as pessoas migrantes, qualquer que seja a sua situação "
                  "documental."},
     ]},
    {"key": "mig-cuidados", "at": "conference", "author": 1, "theme": "MIG", "language": "en",
     "title": "Care work is work", "text": CARE_EN, "state": "admitted", "cosponsors": 2},
    {"key": "sol-caraibes", "at": "conference", "author": 2, "theme": "SOL", "language": "fr",
     "title": "Semaine de solidarité avec les Caraïbes", "text": CARIBBEAN_FR, "state": "submitted", "cosponsors": 1},
    {"key": "sol-medios", "at": "conference", "author": 3, "theme": "SOL", "language": "es",
     "title": "Red continental de medios comunitarios", "text": MEDIA, "state": "referred", "cosponsors": 2,
     "note": "Grupo de trabajo de comunicación"},
    {"key": "mov-salario", "at": "conference", "author": 4, "theme": "MOV", "language": "es",
     "title": "Campaña por el salario mínimo", "text": WAGES, "state": "merged", "cosponsors": 1, "merge": "mov-comun"},
    {"key": "mov-vivienda", "at": "conference", "author": 5, "theme": "MOV", "language": "es",
     "title": "Campaña contra los desalojos", "text": HOUSING, "state": "merged", "cosponsors": 2, "merge": "mov-comun"},
    {"key": "mov-comun", "at": "conference", "author": None, "theme": "MOV", "language": "es",
     "title": "Campaña continental por el salario mínimo y la vivienda digna", "text": WAGES_AND_HOUSING,
     "state": "admitted", "composite": True},
    {"key": "sob-tratados", "at": "conference", "author": 2, "theme": "SOB", "language": "es",
     "title": "Revisión de los tratados de libre comercio", "text": MX_TRADE, "state": "withdrawn", "cosponsors": 0,
     "note": "Incluida en la propuesta sobre soberanía."},
    {"key": "delegate-draft", "at": "conference", "author": "delegate", "theme": "MOV", "language": "pt-br",
     "title": "Mapa continental das ações", "state": "draft", "cosponsors": 0,
     "text": "Propomos um mapa público com todas as ações registradas para a jornada continental.\n\n"
             "Cada organização anfitriã poderá registrar a sua ação e receber confirmações de presença."},
]

# Amendments to the forwarded May Day text at the conference (open for amendments), in two languages.
FORWARDED_AMENDMENTS = {
    "br-jornada": [
        {"kind": "replace", "first": 2, "language": "pt-br", "state": "submitted", "author": "delegate",
         "reason": "A moradia faz parte das reivindicações do continente.",
         "text": "A jornada terá quatro eixos: a regularização de todas as pessoas migrantes, o salário mínimo digno, "
                 "a moradia digna e a defesa da soberania dos nossos povos sobre seus recursos naturais."},
        {"kind": "replace", "first": 4, "language": "es", "state": "submitted", "author": 6,
         "reason": "Las huelgas dependen de cada central sindical.",
         "text": "Las centrales sindicales convocarán paros allí donde las condiciones lo permitan."},
    ],
}

# Language versions that the demo translator made of the text as it stands (a reader in English gets it, with a note).
TRANSLATIONS = {
    "mig-regularizacion": {
        "en": {
            "title": "Unconditional regularisation of migrants",
            "text": """The organisations meeting at the Continental Conference demand the immediate and unconditional regularisation of every migrant who lives and works in the Americas.

No human being is illegal. Mass deportations split families, destroy communities and hand millions of workers over to exploitation without labour rights.

We demand the closure of immigration detention centres and an end to the "safe third country" agreements that turn our countries into walls.

Trade unions commit to organising migrants whatever their papers say and to defending their wages and working conditions as those of any other worker.

We ask governments to recognise the degrees and work experience gained in the country of origin.""",
        },
    },
}
