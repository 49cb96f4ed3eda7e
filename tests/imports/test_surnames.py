"""The mojibake repair on the names of the region: Spanish, Portuguese,
French and Andean surnames and given names, each sent through the damage
(UTF-8 read as Windows-1252) with and without the invisible soft hyphen of
"í" (dropped when copied from a web page or a PDF), come back as written;
names that were never damaged are left alone."""

import ftfy.bad_codecs  # noqa: F401 - registers "sloppy-windows-1252", the codec of the damage
import pytest

from convoca.imports.cleaning import clean_text

SURNAMES = [
    # Spanish (the most common of Latin America first)
    "Díaz", "Ríos", "García", "Rodríguez", "Martínez", "Hernández", "López", "González", "Pérez", "Sánchez",
    "Ramírez", "Gómez", "Jiménez", "Vásquez", "Gutiérrez", "Álvarez", "Muñoz", "Núñez", "Peña", "Ibáñez",
    "Chávez", "Fernández", "Suárez", "Domínguez", "Cortés", "Céspedes", "Quiñónez", "Ordóñez", "Íñiguez",
    "Muñíz", "Ortíz", "Benítez", "Ríos Díaz", "Díaz-Canel", "Argüello", "Güemes", "Villaseñor", "Piñera",
    "Echeverría", "Ríos Montt", "Maríategui", "Túpac", "Ñancupil",
    # Portuguese (Brazil)
    "Gonçalves", "Conceição", "Magalhães", "Guimarães", "Brandão", "Assunção", "Simões", "Araújo", "Antônio",
    "Luíza", "Inês", "João", "Sebastião", "Falcão", "Romão", "Azevêdo", "Grazióli", "Lúcia",
    # French (Haiti, Quebec, the Caribbean)
    "Lefèvre", "Benoît", "Hélène", "Thérèse", "Jérôme", "Noël", "Loïc", "Gaëlle", "Désir", "Françoise",
    "Béliveau", "Côté", "Lévesque", "Émile", "Pétion",
    # Andean and Indigenous names written with Spanish letters
    "Quispe Mamani", "Ñusta", "Huamán", "Condorí", "Apazá",
]

NEVER_DAMAGED = ["JOÃO", "SÃO PAULO", "MÃE", "Ãgua", "São Paulo", "CONCEIÇÃO", "Ã", "ÃO"]


def _damaged(name):
    return name.encode("utf-8").decode("sloppy-windows-1252")


@pytest.mark.parametrize("name", SURNAMES)
def test_it_gives_back_the_name_after_the_damage(name):
    assert clean_text(_damaged(name)) == name


@pytest.mark.parametrize("name", SURNAMES)
def test_it_gives_back_the_name_after_the_lossy_damage(name):
    lossy = _damaged(name).replace("\u00ad", "")  # the soft hyphen of "í" dropped
    assert clean_text(lossy) == name


def test_it_repairs_a_dropped_byte_after_a_capital():
    assert clean_text("DÃaz") == "Díaz"
    assert clean_text("RÃos") == "Ríos"
    assert clean_text("MarÃa DÃaz RÃos") == "María Díaz Ríos"


@pytest.mark.parametrize("text", NEVER_DAMAGED + SURNAMES)
def test_it_leaves_names_that_were_never_damaged_alone(text):
    assert clean_text(text) == text
