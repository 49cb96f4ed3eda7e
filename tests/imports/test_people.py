"""Importing a list of people."""

from convoca.imports import services
from convoca.network.models import Membership, Organisation, Person, Sector

from .helpers import csv_bytes


def _run(world, rows, **kwargs):
    return services.run_import(world.alice, "people", csv_bytes(rows, **kwargs))


def test_it_creates_people_with_the_most_private_visibility(world):
    rows = [["Nombre", "Correo", "Idiomas"], ["Lucía Quispe", "Lucia.Quispe@Example.ORG", "Español y quechua"]]
    preview, result = _run(world, rows)
    assert result.created == 1
    lucia = Person.objects.get(email="lucia.quispe@example.org")
    assert (lucia.display_name, lucia.languages) == ("Lucía Quispe", "es,qu")  # stored as the registry stores it
    assert {getattr(lucia, f"{f}_visibility") for f in Person.VISIBLE_FIELDS} == {"coordinators"}
    assert lucia.user is None


def test_it_matches_an_existing_person_by_email_in_another_case(world):
    rows = [["name", "email", "languages", "full name"], ["Bobby", "BOB@Example.org", "en", "Roberto Gómez"]]
    preview = services.preview_import(world.alice, "people", csv_bytes(rows))
    assert preview.counts == {"create": 0, "update": 1, "skip": 0}
    _run(world, rows)
    world.bob_person.refresh_from_db()
    assert world.bob_person.display_name == "Bob Delegado"  # kept
    assert (world.bob_person.full_name, world.bob_person.languages) == ("Roberto Gómez", "en")  # blanks filled
    assert Person.objects.filter(email__iexact="bob@example.org").count() == 1


def test_it_does_not_overwrite_filled_fields_and_skips_unchanged_people(world):
    Person.objects.filter(pk=world.bob_person.pk).update(languages="es")
    rows = [["name", "email", "languages"], ["Bobby", "bob@example.org", "fr"]]
    preview, result = _run(world, rows)
    assert (result.updated, result.skipped) == (0, 1)
    world.bob_person.refresh_from_db()
    assert world.bob_person.languages == "es"


def test_it_builds_the_name_from_prenom_and_nom(world):
    rows = [["Prénom", "Nom", "Courriel"], ["Élise", "Dupont", "elise@example.org"]]
    _run(world, rows)
    assert Person.objects.get(email="elise@example.org").display_name == "Élise Dupont"


def test_it_builds_the_name_from_nombres_and_apellidos(world):
    rows = [["Nombres", "Apellidos", "Correo"], ["José Luis", "Martínez Pérez", "jl@example.org"]]
    _run(world, rows)
    assert Person.objects.get(email="jl@example.org").display_name == "José Luis Martínez Pérez"


def test_it_repairs_mojibake_names(world):
    rows = [["nombre", "correo"], ["MarÃa MartÃnez", "maria@example.org"], ["JosÃ©", "jose@example.org"]]
    _run(world, rows)
    assert set(Person.objects.filter(email__in=["maria@example.org", "jose@example.org"])
               .values_list("display_name", flat=True)) == {"María Martínez", "José"}


def test_it_adds_memberships_of_organisations_matched_without_accents(world):
    rows = [["nome", "e-mail", "organização", "país"],
            ["Ana", "ana@example.org", "RED MIGRANTE DEL NORTE", "México"],
            ["Bob", "bob@example.org", "sindicato andino", ""]]  # already a member: nothing to add
    preview, result = _run(world, rows)
    assert (result.created, result.updated, result.skipped, result.memberships) == (1, 0, 1, 1)
    ana = Person.objects.get(email="ana@example.org")
    assert list(ana.organisations.all()) == [world.org_mx]


def test_it_adds_a_membership_to_an_existing_person(world):
    rows = [["name", "email", "organisation", "country"], ["Nadia", "nadia@example.org", "Red Migrante del Norte", "MX"]]
    preview, result = _run(world, rows)
    assert (result.updated, result.memberships) == (1, 1)
    assert Membership.objects.filter(person=world.nadia_person, organisation=world.org_mx).exists()


def test_it_reports_ambiguous_organisations_and_plans_unknown_ones(world):
    Organisation.objects.create(name="Sindicato Andino", country="EC", sector=Sector.TRADE_UNION)
    rows = [["nombre", "correo", "organización", "país"],
            ["A", "a@example.org", "Sindicato Andino", ""],
            ["B", "b@example.org", "Sindicato Andino", "Perú"],
            ["C", "c@example.org", "Sindicato Andino", "Narnia"]]
    preview = services.preview_import(world.alice, "people", csv_bytes(rows))
    assert [str(p) for p in preview.problems] == [
        "Row 2, column organización: several organisations are called “Sindicato Andino”; "
        "give its country to say which one",
        "Row 4, column país: unknown country “Narnia”",
    ]
    # Row 3 names it with a country: the organisation is planned for creation, not refused.
    assert [(org.name, org.country.code, org.sector) for org in preview.new_organisations] == [
        ("Sindicato Andino", "PE", "other")]
    assert preview.good_rows == [3]


def test_it_reports_invalid_emails_and_duplicates_in_the_file(world):
    rows = [["nombre", "correo"], ["A", "not-an-email"], ["B", "b@example.org"], ["B bis", "B@EXAMPLE.org"],
            ["C", ""]]
    preview = services.preview_import(world.alice, "people", csv_bytes(rows))
    assert [str(p) for p in preview.problems] == [
        "Row 2, column correo: Enter an email address like name@example.org.",
        "Row 4, column correo: the same email as row 3; each person may appear only once",
        "Row 5, column correo: this cell is empty, and it is required",
    ]


def test_it_needs_a_name_for_a_new_person_only(world):
    rows = [["nombre", "correo", "idiomas"], ["", "bob@example.org", "es"], ["", "new@example.org", "es"]]
    preview = services.preview_import(world.alice, "people", csv_bytes(rows))
    assert [str(p) for p in preview.problems] == [
        "Row 3, column nombre: this email is not in the registry yet, and a new person needs a name"]


def test_it_reports_unknown_languages(world):
    rows = [["nombre", "correo", "idiomas"], ["A", "a@example.org", "español, élfico"]]
    preview = services.preview_import(world.alice, "people", csv_bytes(rows))
    assert [str(p) for p in preview.problems] == ["Row 2, column idiomas: unknown language “élfico”"]
