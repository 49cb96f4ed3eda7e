"""Importing a list of organisations."""

from convoca.imports import services
from convoca.network.models import Organisation

from .helpers import csv_bytes


def _preview(world, rows, **kwargs):
    return services.preview_import(world.alice, "organisations", csv_bytes(rows, **kwargs))


def test_it_creates_organisations_with_country_and_sector_in_any_language(world):
    rows = [["Organização", "País", "Setor", "Site"],
            ["Central Única dos Trabalhadores", "Brasil", "sindicato", "www.cut.org.br"],
            ["Coordination des Migrants", "Haïti", "droits des migrants", ""]]
    preview, result = services.run_import(world.alice, "organisations", csv_bytes(rows))
    assert preview.counts == {"create": 2, "update": 0, "skip": 0}
    assert (result.created, result.updated, result.skipped) == (2, 0, 0)
    cut = Organisation.objects.get(name="Central Única dos Trabalhadores")
    assert (cut.country.code, cut.sector, cut.website) == ("BR", "trade_union", "https://www.cut.org.br")
    assert cut.name_key == "central unica dos trabalhadores"
    assert cut.is_public is False  # the most private default
    assert Organisation.objects.get(name="Coordination des Migrants").country.code == "HT"


def test_it_matches_an_existing_organisation_with_other_accents_and_case(world):
    rows = [["nombre", "país", "sector", "sitio web"], ["SINDICATO  ANDÍNO", "Colombie", "syndicat", "andino.org"]]
    preview = _preview(world, rows)
    assert preview.counts == {"create": 0, "update": 1, "skip": 0}
    services.run_import(world.alice, "organisations", csv_bytes(rows))
    world.org_co.refresh_from_db()
    assert world.org_co.website == "https://andino.org"
    assert world.org_co.name == "Sindicato Andino"  # the stored name is kept
    assert Organisation.objects.filter(name_key="sindicato andino").count() == 1


def test_it_never_overwrites_what_is_recorded(world):
    Organisation.objects.filter(pk=world.org_co.pk).update(website="https://old.example.org")
    rows = [["nombre", "país", "sector", "sitio web"], ["Sindicato Andino", "CO", "otro", "https://new.example.org"]]
    preview = _preview(world, rows)
    assert preview.counts == {"create": 0, "update": 0, "skip": 1}
    assert "keeps the sector already recorded" in preview.plans[0].note
    services.run_import(world.alice, "organisations", csv_bytes(rows))
    world.org_co.refresh_from_db()
    assert (world.org_co.website, world.org_co.sector) == ("https://old.example.org", "trade_union")


def test_it_tells_same_name_in_another_country_apart(world):
    rows = [["nombre", "país", "sector"], ["Sindicato Andino", "Ecuador", "sindicato"]]
    assert _preview(world, rows).counts["create"] == 1


def test_it_reports_duplicate_rows_in_the_same_file(world):
    rows = [["nombre", "país", "sector"], ["Red Sur", "CL", "otro"], ["red  sur", "Chile", "otro"]]
    preview = _preview(world, rows)
    assert [str(p) for p in preview.problems] == [
        "Row 3, column nombre: the same organisation (name and country) as row 2"]


def test_it_reports_unknown_country_and_sector_by_row_and_column(world):
    rows = [["Nombre", "País", "Sector"], ["A", "CO", "otro"], ["B", "Narnia", "club"]]
    preview = _preview(world, rows, delimiter=";")
    messages = [str(p) for p in preview.problems]
    assert messages[0] == "Row 3, column País: unknown country “Narnia”"
    assert messages[1].startswith("Row 3, column Sector: unknown sector “club” (use one of: Trade union")


def test_it_requires_a_sector_for_a_new_organisation_only(world):
    rows = [["nombre", "país", "sector", "web"], ["Sindicato Andino", "CO", "", "andino.org"], ["Nueva", "CO", "", ""]]
    preview = _preview(world, rows)
    assert [str(p) for p in preview.problems] == [
        "Row 3, column sector: Choose one of the listed sectors."]  # the registry's own rule and message


def test_it_reports_an_invalid_website(world):
    rows = [["nombre", "país", "sector", "web"], ["Nueva", "CO", "otro", "not a web address"]]
    assert [p.column for p in _preview(world, rows).problems] == ["web"]
