import pytest
from django.contrib.auth.models import AnonymousUser
from django.urls import reverse

from convoca.accounts import services
from convoca.accounts.models import User
from convoca.core.errors import PermissionDenied, ServiceError
from convoca.network.models import Person, Visibility

from .helpers import counts

URL = "/accounts/me/"


def _data(**overrides):
    data = {
        "display_name": "Nadia",
        "display_name_visibility": "members",
        "full_name": "Nadia Pérez",
        "full_name_visibility": "coordinators",
        "email_visibility": "coordinators",
        "languages": ["es", "pt"],
        "other_languages": "qu, GN",
        "languages_visibility": "public",
        "memberships_visibility": "coordinators",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def _snapshot(person):
    person.refresh_from_db()
    return {f.name: getattr(person, f.name) for f in Person._meta.concrete_fields}


def test_it_shows_my_details_and_who_sees_each(as_user, world):
    world.bob_person.full_name = "Roberto Gómez"
    world.bob_person.full_name_visibility = Visibility.PUBLIC
    world.bob_person.languages = "es,qu"
    world.bob_person.save()
    response = as_user(world.bob).get(URL, HTTP_ACCEPT_LANGUAGE="en")
    html = response.content.decode()
    assert response.status_code == 200
    for text in ["bob@example.org", "Bob Delegado", "Roberto Gómez", "Sindicato Andino", 'value="qu"',
                 "Coordinators can always see all of them"]:
        assert text in html, text
    assert html.count('class="hint visibility-now"') == 5
    assert "Anyone can see this, including people who are not logged in." in html  # the full name
    assert html.count("Only coordinators can see this.") == 4


def test_it_shows_my_roles(as_user, world):
    html = as_user(world.carla).get(URL, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Member of the national committee of Colombia" in html
    html = as_user(world.alice).get(URL, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Coordinator" in html and reverse("accounts:invitations") in html
    html = as_user(world.nadia).get(URL, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert reverse("accounts:invitations") not in html


def test_it_saves_my_details_and_their_visibility(as_user, world):
    client = as_user(world.nadia)
    response = client.post(URL, _data())
    assert response.status_code == 302
    person = world.nadia_person
    person.refresh_from_db()
    assert person.display_name == "Nadia"
    assert person.full_name == "Nadia Pérez"
    assert person.language_list == ["es", "pt", "qu", "gn"]
    assert person.display_name_visibility == Visibility.MEMBERS
    assert person.languages_visibility == Visibility.PUBLIC
    assert person.email == "nadia@example.org"
    page = client.get(response.url, HTTP_ACCEPT_LANGUAGE="en")
    assert b"Your details have been saved." in page.content
    assert b"Coalition members who are logged in can see this." in page.content


@pytest.mark.parametrize(
    "name, overrides, field",
    [
        ("empty display name", {"display_name": "  "}, "display_name"),
        ("display name too long", {"display_name": "x" * 121}, "display_name"),
        ("full name too long", {"full_name": "x" * 201}, "full_name"),
        ("unknown visibility", {"full_name_visibility": "everyone-and-their-dog"}, "full_name_visibility"),
        ("missing visibility", {"email_visibility": None}, "email_visibility"),
        ("unknown ticked language", {"languages": ["klingon"]}, "languages"),
        ("not a language code", {"other_languages": "es, <script>"}, "other_languages"),
    ],
)
def test_it_refuses_bad_input_and_changes_nothing(as_user, world, name, overrides, field):
    before = _snapshot(world.nadia_person)
    response = as_user(world.nadia).post(URL, _data(**overrides))
    assert response.status_code == 200, name
    assert response.context["form"].errors[field], name
    assert b'class="error-summary"' in response.content
    assert _snapshot(world.nadia_person) == before


def test_it_refuses_anonymous_visitors(client, world):
    before = counts()
    response = client.post(URL, _data())
    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:login"))
    assert counts() == before


def test_it_only_changes_the_fields_given(world):
    person = services.update_own_profile(world.nadia, full_name_visibility="members")
    assert person.full_name_visibility == Visibility.MEMBERS
    assert person.display_name == "Nadia Miembro"
    assert person.display_name_visibility == Visibility.COORDINATORS


def test_it_refuses_fields_that_are_not_mine_to_change(world):
    before = _snapshot(world.nadia_person)
    for forbidden in [{"email": "evil@example.org"}, {"user": world.alice}, {"user_id": world.alice.pk}]:
        with pytest.raises(ServiceError):
            services.update_own_profile(world.nadia, **forbidden)
    assert _snapshot(world.nadia_person) == before


def test_it_refuses_a_language_code_that_is_not_one(world):
    with pytest.raises(ServiceError) as exc:
        services.update_own_profile(world.nadia, languages="es, español")
    assert exc.value.field == "languages"
    with pytest.raises(ServiceError):
        services.update_own_profile(world.nadia, languages=["es"] * 2 + ["abc-defghijkl"] * 10)


def test_it_refuses_anonymous_and_inactive_users(world):
    world.olga.is_active = False
    world.olga.save(update_fields=["is_active"])
    before = counts()
    for user in [AnonymousUser(), world.olga]:
        with pytest.raises(PermissionDenied):
            services.update_own_profile(user, display_name="Hacked")
    assert counts() == before
    world.olga_person.refresh_from_db()
    assert world.olga_person.display_name == "Olga Observadora"


def test_it_creates_my_person_record_with_private_defaults(as_user, world):
    user = User.objects.create_user("admin@example.org", "whatever it is 123")
    client = as_user(user)
    page = client.get(URL, HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 200
    assert b"The coalition has no details about you yet." in page.content
    response = client.post(URL, _data(display_name="Admin", display_name_visibility="coordinators",
                                      languages_visibility="coordinators"))
    assert response.status_code == 302
    person = Person.objects.get(user=user)
    assert person.email == "admin@example.org"
    for field in Person.VISIBLE_FIELDS:
        assert getattr(person, f"{field}_visibility") in {Visibility.COORDINATORS, Visibility.MEMBERS}


def test_it_links_an_unclaimed_person_with_my_email(world):
    user = User.objects.create_user("known@example.org", "whatever it is 123")
    known = Person.objects.create(display_name="Known", email="KNOWN@example.org")
    person = services.update_own_profile(user, full_name="Known Person")
    assert person.pk == known.pk
    known.refresh_from_db()
    assert known.user == user and known.full_name == "Known Person"
