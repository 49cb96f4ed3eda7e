from django.urls import reverse

from tests.fixtures import PASSWORD


def test_it_labels_the_username_field_email(client, world):
    html = client.get(reverse("accounts:login"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert '<label for="id_username">Email</label>' in html
    assert 'type="email"' in html
    assert "autofocus" not in html
    assert 'autocomplete="username"' in html
    assert reverse("accounts:password_reset") in html


def test_it_logs_in_with_the_email_in_any_case(client, world):
    response = client.post(reverse("accounts:login"), {"username": "  Nadia@Example.ORG ", "password": PASSWORD})
    assert response.status_code == 302
    assert response.url == reverse("core:home")
    assert client.get(reverse("accounts:me")).status_code == 200


def test_it_summarises_a_wrong_password_and_keeps_the_email(client, world):
    response = client.post(reverse("accounts:login"), {"username": "alice@example.org", "password": "wrong"})
    html = response.content.decode()
    assert response.status_code == 200
    assert 'class="error-summary"' in html
    assert 'value="alice@example.org"' in html
    assert "_auth_user_id" not in client.session


def test_it_refuses_an_unknown_email_with_the_same_message(client, world):
    unknown = client.post(reverse("accounts:login"), {"username": "nobody@example.org", "password": "wrong"})
    wrong = client.post(reverse("accounts:login"), {"username": "alice@example.org", "password": "wrong"})
    assert unknown.status_code == wrong.status_code == 200
    assert unknown.context["form"].non_field_errors() == wrong.context["form"].non_field_errors()


def test_it_refuses_an_empty_form_without_a_500(client, world):
    response = client.post(reverse("accounts:login"), {})
    assert response.status_code == 200
    assert response.context["form"].errors.keys() == {"username", "password"}


def test_it_does_not_follow_a_next_to_another_site(client, world):
    response = client.post(
        reverse("accounts:login"),
        {"username": "alice@example.org", "password": PASSWORD, "next": "https://evil.example/"},
    )
    assert response.status_code == 302
    assert response.url == reverse("core:home")


def test_it_logs_out_by_post_only(as_user, world):
    client = as_user(world.nadia)
    assert client.get(reverse("accounts:logout")).status_code == 405
    response = client.post(reverse("accounts:logout"))
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session
    after = client.get(reverse("accounts:me"))
    assert after.status_code == 302 and after["Location"].startswith(reverse("accounts:login"))


def test_it_shows_the_login_page_in_portuguese(client, world):
    response = client.get(reverse("accounts:login"), HTTP_ACCEPT_LANGUAGE="pt-BR")
    assert response.status_code == 200
    assert b'lang="pt-br"' in response.content
