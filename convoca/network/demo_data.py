"""Raw material for the demo network: countries, name pools, organisations
and the people who have a name of their own. Every organisation and person is
fictional; the crowd is made by combining common given names and surnames of
each country at random (fixed seed), so no row describes a real person.

This is content, not interface text: it stays in the language of each country
and is not translated. Plain Python, importable without Django set up (the
page-weight benchmark reads it); the loader is ``demo.py``.
"""

DEMO_DOMAIN = "demo.example.org"  # reserved by RFC 2606: mail to it never reaches anyone


def email_of(local_part):
    return f"{local_part}@{DEMO_DOMAIN}"


# code: languages people of the country speak (one entry drawn per person). The
# countries of the coalition, in the order of their committees.
COUNTRY_LANGUAGES = {
    "BR": ["pt", "pt", "pt", "pt,es"],
    "MX": ["es", "es", "es,en", "es,nah"],
    "CO": ["es", "es", "es,en"],
    "VE": ["es", "es", "es,pt"],
    "PE": ["es", "es", "es,qu", "qu,es"],
    "EC": ["es", "es", "es,qu"],
    "PA": ["es", "es", "es,en"],
    "GY": ["en", "en", "en,es", "en,pt"],
    "US": ["en", "en,es", "es,en", "en,fr"],
    "GP": ["fr,gcf", "fr,gcf", "fr", "fr,en"],
}

# How many fictional people live in each country (plus the named people below).
PEOPLE_PER_COUNTRY = {
    "BR": 38, "MX": 36, "CO": 36, "VE": 30, "PE": 28, "EC": 26, "PA": 24, "US": 31, "GY": 24, "GP": 22,
}

_ES_GIVEN = [
    "María", "José", "Juan", "Ana", "Luis", "Carmen", "Carlos", "Rosa", "Jorge", "Lucía", "Andrés", "Sofía",
    "Miguel", "Valentina", "Pedro", "Camila", "Alejandro", "Gabriela", "Diego", "Daniela", "Fernando", "Paola",
    "Ramón", "Inés", "Héctor", "Ángela", "Julián", "Mónica", "Raúl", "Beatriz", "Álvaro", "Marisol", "Yolanda",
    "Efraín", "Nicolás", "Verónica", "Jesús", "Guadalupe", "Teresa", "Óscar", "María José", "Juan Pablo",
    "Yesenia", "Wilmer", "Dayana", "Jhon Jairo", "Nayeli", "Rigoberto", "Xiomara", "Fabián",
]
_ES_SURNAMES = [
    "García", "Rodríguez", "Martínez", "López", "González", "Hernández", "Pérez", "Sánchez", "Ramírez",
    "Torres", "Flores", "Rivera", "Gómez", "Díaz", "Cruz", "Morales", "Reyes", "Gutiérrez", "Ortiz",
    "Castillo", "Jiménez", "Vargas", "Ramos", "Mendoza", "Rojas", "Medina", "Aguilar", "Chávez", "Muñoz",
    "Salazar", "Herrera", "Peña", "Córdoba", "Ibáñez", "Núñez", "Suárez", "Valencia", "Ospina", "Arce",
    "Quiñónez", "Caicedo", "Benítez",
]
_ANDEAN_SURNAMES = ["Quispe", "Mamani", "Huamán", "Condori", "Choque", "Ccori", "Yupanqui", "Cusi", "Tupa", "Llanos"]
_MX_SURNAMES = ["Cuautle", "Tzompa", "Tepoz", "Itzá", "Balam", "Canul", "Chan", "Ek", "Pech", "Tun"]
_PA_GIVEN = ["Itzel", "Yariela", "Nodier", "Eyra", "Aristides", "Yaneth", "Kathia", "Elvin", "Dalys", "Omaira"]
_PA_SURNAMES = ["Bonilla", "Sáenz", "Batista", "Pitti", "Concepción", "Miranda", "Quintero", "Moreno", "Abrego", "Jaén"]
_PT_GIVEN = [
    "João", "Maria", "Ana", "José", "Francisco", "Antônio", "Luíza", "Beatriz", "Conceição", "Tiago", "Lucas",
    "Gabriel", "Fernanda", "Mariana", "Raimundo", "Sebastião", "Letícia", "Júlia", "Marcos", "Cláudia",
    "Rafael", "Thaís", "Vinícius", "Débora", "Iara", "Jussara", "Edivaldo", "Rosângela", "Cícero", "Aparecida",
]
_PT_SURNAMES = [
    "Silva", "Santos", "Oliveira", "Souza", "Pereira", "Lima", "Carvalho", "Ferreira", "Rodrigues", "Almeida",
    "Costa", "Gomes", "Ribeiro", "Araújo", "Nascimento", "Conceição", "Barbosa", "Magalhães", "Gonçalves",
    "Assunção", "Brandão", "Damasceno",
]
_US_GIVEN = [
    "James", "Mary", "Michael", "Jennifer", "David", "Patricia", "Robert", "Linda", "Kevin", "Latoya", "Andre",
    "Keisha", "Devon", "Shanice", "Marcus", "Aaliyah", "Rachel", "Tom", "Grace", "Samuel",
    "Guadalupe", "José", "Yesenia", "Luis", "Marisol",
]
_US_SURNAMES = [
    "Johnson", "Williams", "Brown", "Jones", "Miller", "Davis", "Washington", "Jackson", "Robinson", "Harris",
    "O'Connor", "Nguyen", "Kowalski", "García", "Hernández", "Ramírez", "Morales", "Okafor",
]
_GY_GIVEN = [
    "Ravi", "Shivanie", "Kamal", "Anjali", "Tyrone", "Leon", "Priya", "Nadira", "Rohan", "Omar", "Shondell",
    "Keon", "Tiffany", "Devika", "Clive", "Marcia", "Sherwin", "Indra", "Deon", "Natasha",
]
_GY_SURNAMES = [
    "Persaud", "Singh", "Ramdass", "Baksh", "Khan", "Fraser", "Da Silva", "Thomas", "Adams", "Mohamed",
    "Seepersaud", "Hunte", "Boodhoo", "Narine", "Gordon", "La Rose",
]
_GP_GIVEN = [
    "Jean", "Marie", "Josiane", "Didier", "Fabrice", "Sandrine", "Murielle", "Thierry", "Hélène", "Rémy",
    "Lucienne", "Gérard", "Ketty", "Élodie", "Frédéric", "Maryse", "Rosan", "Ludovic", "Cécile", "Jocelyn",
]
_GP_SURNAMES = [
    "Lacroix", "Nicolas", "Jean-Baptiste", "Pierre-Louis", "Bélair", "Dessout", "Zami", "Carbet", "Ménil",
    "Montout", "Théodore", "Bordelais", "Romain", "Saint-Éloi", "Alexis", "Gaspard", "Mathurin", "Désiré",
]

# code: (given names, surnames, two surnames as in Spanish-speaking countries)
NAME_POOLS = {
    "BR": (_PT_GIVEN, _PT_SURNAMES, False),
    "MX": (_ES_GIVEN, _ES_SURNAMES + _MX_SURNAMES, True),
    "CO": (_ES_GIVEN, _ES_SURNAMES, True),
    "VE": (_ES_GIVEN, _ES_SURNAMES, True),
    "PE": (_ES_GIVEN, _ES_SURNAMES + _ANDEAN_SURNAMES * 2, True),
    "EC": (_ES_GIVEN, _ES_SURNAMES + _ANDEAN_SURNAMES, True),
    "PA": (_ES_GIVEN + _PA_GIVEN * 2, _ES_SURNAMES + _PA_SURNAMES * 2, True),
    "GY": (_GY_GIVEN, _GY_SURNAMES, False),
    "US": (_US_GIVEN, _US_SURNAMES, False),
    "GP": (_GP_GIVEN, _GP_SURNAMES, False),
}

# (country, sector, name, listed publicly)
ORGANISATIONS = [
    # Brazil
    ("BR", "trade_union", "Sindicato dos Trabalhadores da Construção do ABC", True),
    ("BR", "trade_union", "Federação dos Trabalhadores Rurais do Vale do Ribeira", True),
    ("BR", "social_movement", "Movimento pela Moradia Digna do Recife", True),
    ("BR", "parliamentary_group", "Frente Parlamentar Mista Pátria Sem Fronteiras", True),
    ("BR", "political_party", "Partido Popular Ipê", False),
    ("BR", "human_rights", "Centro de Direitos Humanos Ipê Amarelo", True),
    ("BR", "migrant_rights", "Casa de Acolhida Novos Horizontes", False),
    # Mexico
    ("MX", "trade_union", "Unión de Jornaleras y Jornaleros del Valle de Mexicali", True),
    ("MX", "migrant_rights", "Albergue Caminantes de Tapachula", True),
    ("MX", "human_rights", "Red de Defensoras Comunitarias de Oaxaca", False),
    ("MX", "social_movement", "Frente Popular de Colonias de Iztapalapa", True),
    ("MX", "political_party", "Partido Raíz Popular", False),
    ("MX", "parliamentary_group", "Grupo de Legisladoras y Legisladores por la Frontera Sur", True),
    ("MX", "other", "Cooperativa Editorial Tinta Libre", False),
    # Colombia
    ("CO", "trade_union", "Unión Sindical de Trabajadores del Café del Quindío", True),
    ("CO", "trade_union", "Asociación de Educadores del Caribe", True),
    ("CO", "social_movement", "Movimiento Campesino del Macizo", True),
    ("CO", "parliamentary_group", "Bancada por la Paz y la Movilidad Humana", True),
    ("CO", "human_rights", "Colectivo de Derechos Humanos Semillas de Memoria", False),
    ("CO", "migrant_rights", "Red de Acogida Migrante Frontera Viva", True),
    ("CO", "political_party", "Movimiento Político Tierra y Dignidad", False),
    ("CO", "other", "Corporación Cultural La Minga", False),
    # Venezuela
    ("VE", "trade_union", "Sindicato Unitario de Trabajadores Siderúrgicos de Guayana", True),
    ("VE", "social_movement", "Comunas en Red de Lara", True),
    ("VE", "social_movement", "Frente de Mujeres Trabajadoras de Caracas", False),
    ("VE", "human_rights", "Observatorio Comunitario de Derechos Humanos de Catia", True),
    ("VE", "parliamentary_group", "Grupo de Amistad Parlamentaria Venezuela–Caribe", False),
    ("VE", "migrant_rights", "Asociación de Retornados y Familias Binacionales del Táchira", True),
    ("VE", "political_party", "Partido Unidad Comunera", False),
    # Peru
    ("PE", "trade_union", "Federación de Trabajadores Mineros del Sur Andino", True),
    ("PE", "social_movement", "Central de Comunidades Quechuas del Vilcanota", True),
    ("PE", "human_rights", "Instituto de Defensa Legal Popular Wiñay", False),
    ("PE", "migrant_rights", "Red de Apoyo al Migrante Manos Abiertas", True),
    ("PE", "parliamentary_group", "Bancada Andina por la Integración", False),
    ("PE", "political_party", "Partido Ayllu Democrático", False),
    # Ecuador
    ("EC", "trade_union", "Sindicato de Trabajadoras Florícolas de Cayambe", True),
    ("EC", "social_movement", "Consejo de Comunidades Runakuna del Austro", True),
    ("EC", "social_movement", "Movimiento de Mujeres Negras de Esmeraldas", False),
    ("EC", "human_rights", "Observatorio de Derechos Humanos Mitad del Mundo", True),
    ("EC", "migrant_rights", "Asociación de Familias Migrantes Retornadas del Azuay", True),
    ("EC", "parliamentary_group", "Grupo Parlamentario por la Soberanía y la Integración", False),
    # Panama
    ("PA", "trade_union", "Sindicato de Trabajadores Portuarios de Colón", True),
    ("PA", "trade_union", "Gremio de Maestras y Maestros de Chiriquí", False),
    ("PA", "social_movement", "Coordinadora Ngäbe-Buglé por la Tierra", True),
    ("PA", "migrant_rights", "Centro de Atención al Migrante del Darién", True),
    ("PA", "human_rights", "Clínica Jurídica de Derechos Humanos del Istmo", True),
    ("PA", "political_party", "Partido Alternativa Istmeña", False),
    # Guyana
    ("GY", "trade_union", "Berbice Estate Workers Union", True),
    ("GY", "social_movement", "Essequibo Riverside Communities Network", True),
    ("GY", "human_rights", "Georgetown Human Rights Forum", False),
    ("GY", "migrant_rights", "Welcome Table Migrant Support Centre", True),
    ("GY", "parliamentary_group", "Parliamentary Friends of Caribbean Integration", False),
    ("GY", "political_party", "United Workers' Alliance of Guyana", False),
    ("GY", "other", "Linden Cooperative Credit Society", False),
    # United States
    ("US", "trade_union", "Gulf Coast Warehouse Workers Union Local 418", True),
    ("US", "trade_union", "Home Care Workers Council of Illinois", True),
    ("US", "migrant_rights", "Prairie Immigrant Defense Coalition", True),
    ("US", "migrant_rights", "Centro de Trabajadores Unidos del Valle", True),
    ("US", "parliamentary_group", "Binational Legislators' Working Group on Migration", False),
    ("US", "human_rights", "Civil Liberties Clinic of the Southwest", True),
    ("US", "social_movement", "Tenants United of East Oakland", False),
    # Guadeloupe
    ("GP", "trade_union", "Syndicat des Ouvriers de la Banane de Basse-Terre", True),
    ("GP", "migrant_rights", "Kolèktif Solidarité Migran Gwadloup", True),
    ("GP", "human_rights", "Lyannaj pou Dwa a Moun", True),
    ("GP", "social_movement", "Mouvement des Paysans de Marie-Galante", False),
    ("GP", "parliamentary_group", "Groupe des élus pour la coopération caribéenne", False),
    ("GP", "political_party", "Parti pour l'Autonomie et la Solidarité Guadeloupéenne", False),
    ("GP", "other", "Association Fanm Doubout", True),
]

# People with a name of their own, planned before the crowd: the demo logins are
# their accounts (convoca/accounts/demo.py). key: email local part; value: (given
# name, surnames, country, languages, organisation they belong to as (country,
# name) or None, country of the national committee they sit on or None).
NAMED_PEOPLE = {
    "coordinadora": ("Marta", "Quiñones Arce", "PA", "es,en", None, None),
    "comite.colombia": ("Julián", "Ospina Caicedo", "CO", "es",
                        ("CO", "Unión Sindical de Trabajadores del Café del Quindío"), "CO"),
    "delegada": ("Conceição", "Araújo Lima", "BR", "pt,es", ("BR", "Sindicato dos Trabalhadores da Construção do ABC"), None),
    "observadora": ("Ketty", "Bellance", "GP", "fr,gcf,es", ("GP", "Kolèktif Solidarité Migran Gwadloup"), None),
    "traductor": ("Daniel", "Whitaker Rojas", "US", "en,es,pt,fr", None, None),
}
