"""An action's city or exact address that names another country is refused (issue 12's "an address for a city
in another country"), by the service, the form and the API alike, with nothing stored. Bad inputs tried: a
Brazilian address for a Colombian action (as typed, in capitals, without accents, in French, with a postal code
after the country, with an upper-case ISO code), a city followed by another country, the same through the API.
Accepted: Pointe-à-Pitre for Guadeloupe, Ciudad de México / México for Mexico, Panamá for Panama, streets and
towns named after countries, state abbreviations that are also country codes."""

import json

import pytest
from django.urls import reverse

from convoca.actions import places, services
from convoca.actions.models import Action
from convoca.core.errors import ServiceError
from tests.actions.helpers import campaign, data

pytestmark = pytest.mark.django_db

BRAZIL = "Av. Paulista 1000, São Paulo, Brasil"


@pytest.mark.parametrize("address", [
    BRAZIL, "AV. PAULISTA 1000, SAO PAULO, BRASIL", "av. paulista 1000, são paulo, brésil",
    "Av. Paulista 1000 - São Paulo/SP - Brazil", "Av. Paulista 1000, São Paulo, Brasil, 01310-100",
    "Av. Paulista 1000, São Paulo, BR", "Av. Paulista 1000, São Paulo, BRA", "Calle 5, Ciudad de Panamá, Panamá",
])
def test_it_refuses_a_colombian_action_at_an_address_in_another_country(world, address):
    with pytest.raises(ServiceError) as refused:
        services.create_action(world.bob, campaign(world), data(address=address))
    assert refused.value.field == "address" and refused.value.code == "other_country"
    assert "Colombia" in str(refused.value.message)
    assert not Action.objects.exists()


def test_it_refuses_a_city_followed_by_another_country(world):
    with pytest.raises(ServiceError) as refused:
        services.create_action(world.bob, campaign(world), data(city="Caracas, Venezuela", address=""))
    assert refused.value.field == "city" and "Venezuela" in str(refused.value.message)
    assert not Action.objects.exists()


@pytest.mark.parametrize(("country", "zone", "city", "address"), [
    ("GP", "America/Guadeloupe", "Pointe-à-Pitre", "Place de la Victoire, Pointe-à-Pitre, Guadeloupe"),
    ("MX", "America/Mexico_City", "Ciudad de México", "Zócalo, Centro, Ciudad de México, México"),
    ("MX", "America/Mexico_City", "México", "Zócalo, CDMX, MEXICO"),
    ("MX", "America/Monterrey", "Guadalupe", "Av. Juárez 100, Guadalupe, N.L."),
    ("PA", "America/Panama", "Panamá", "Plaza 5 de Mayo, Ciudad de Panamá, Panama"),
    ("DO", "America/Santo_Domingo", "Santo Domingo", "Parque Independencia, Santo Domingo, República Dominicana"),
    ("GT", "America/Guatemala", "Guatemala City", "Plaza de la Constitución, Ciudad de Guatemala, Guatemala"),
    ("CO", "America/Bogota", "Bogotá", "Avenida Brasil 1234, Bogotá"),
    ("AR", "America/Argentina/Buenos_Aires", "Buenos Aires", "Perú 1200, San Martín"),
    ("US", "America/Denver", "Denver, CO", "1437 Bannock St, Denver, CO"),
    ("BR", "America/Recife", "Recife", "Rua da Aurora 1, Recife - PE, Brasil"),
    ("NI", "America/Managua", "Granada", "Calle La Calzada, Granada"),
])
def test_it_accepts_a_place_in_the_actions_own_country(world, country, zone, city, address):
    created = services.create_action(world.bob, campaign(world),
                                     data(country=country, timezone=zone, city=city, address=address,
                                          latitude=None, longitude=None))
    assert Action.objects.get().pk == created.pk and created.address == address


def test_it_reads_only_the_last_part_as_a_country():
    assert places.named_country(BRAZIL) == "BR"
    assert places.named_country("São Paulo, BRÉSIL") == "BR"
    assert places.named_country("Miami, FL, EE.UU.") == "US"
    assert places.named_country("Kingston, jamaïque") == "JM"
    assert places.named_country("Brasil") is None  # a city's (or a street's) own name
    assert places.named_country("Calle Colombia, Lima") is None
    assert places.named_country("Albuquerque, New Mexico") is None
    assert places.named_country("Calle 5, Rd") is None  # "RD" (the Dominican Republic) only in capitals
    assert places.named_country("Calle 5, Santo Domingo, RD") == "DO"
    assert places.named_country("Calle 5, Monterrey, mx") is None  # a code only in capitals


def test_it_shows_the_refusal_on_the_form_and_keeps_what_was_typed(world, as_user):
    campaign(world)
    form = data(address=BRAZIL)
    form.update(starts_at=form["starts_at"].strftime("%Y-%m-%dT%H:%M"),
                ends_at=form["ends_at"].strftime("%Y-%m-%dT%H:%M"), latitude="", longitude="", capacity="")
    page = as_user(world.bob).post(reverse("actions:action_create", args=["dia-migrar"]), form)
    html = page.content.decode()
    assert page.status_code == 200
    assert "This address is in Brazil, but the action&#x27;s country is Colombia" in html
    assert 'href="#id_address"' in html  # the error summary links to the field
    assert "Av. Paulista 1000" in html
    assert not Action.objects.exists()


def test_the_api_refuses_the_same_way(world, as_user):
    campaign(world)
    values = data()
    body = {"title": "Marcha", "type": "march", "start_date": values["starts_at"].isoformat(),
            "end_date": values["ends_at"].isoformat(), "timezone": "America/Bogota", "locality": "Bogotá",
            "country": "CO", "address": BRAZIL}
    answer = as_user(world.bob).post("/api/v1/campaigns/dia-migrar/actions", json.dumps(body),
                                     content_type="application/json")
    assert answer.status_code == 400
    assert answer.json()["field"] == "address" and "Brazil" in answer.json()["detail"]
    body.update(address="", locality="Lima, Perú")
    answer = as_user(world.bob).post("/api/v1/campaigns/dia-migrar/actions", json.dumps(body),
                                     content_type="application/json")
    assert answer.status_code == 400 and answer.json()["field"] == "city"
    assert not Action.objects.exists()
