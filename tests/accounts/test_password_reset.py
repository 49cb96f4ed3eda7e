import re

from django.conf import settings
from django.contrib.auth import authenticate
from django.urls import reverse

from tests.fixtures import PASSWORD

from .helpers import NEW_PASSWORD


def _ask_for_link(client, email, **headers):
    return client.post(reverse("accounts:password_reset"), {"email": email}, **headers)


def _link_path(message):
    match = re.search(re.escape(settings.SITE_URL) + r"(/accounts/password/reset/[^/\s]+/[^/\s]+/)", message.body)
    assert match, message.body
    return match.group(1)


def test_it_emails_a_single_use_link_built_from_site_url(client, world, mailoutbox):
    response = _ask_for_link(client, "nadia@example.org", HTTP_HOST="attacker.example", HTTP_ACCEPT_LANGUAGE="en")
    # ALLOWED_HOSTS refuses a forged Host header outright; with a normal host it works.
    assert response.status_code == 400
    assert mailoutbox == []
    response = _ask_for_link(client, "Nadia@Example.org", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 302
    assert response.url == reverse("accounts:password_reset_done")
    assert len(mailoutbox) == 1
    message = mailoutbox[0]
    assert message.to == ["nadia@example.org"]
    assert message.subject == "Reset your password"
    assert "The link works once and for 3 hours." in message.body
    assert "INVALID_TEMPLATE_VARIABLE" not in message.body + message.subject
    assert _link_path(message)


def test_it_answers_the_same_for_an_unknown_email(client, world, mailoutbox):
    known = _ask_for_link(client, "nadia@example.org")
    unknown = _ask_for_link(client, "nobody@example.org")
    assert (known.status_code, known.url) == (unknown.status_code, unknown.url)
    assert [m.to for m in mailoutbox] == [["nadia@example.org"]]
    page = client.get(unknown.url)
    assert page.status_code == 200
    assert b"nobody@example.org" not in page.content


def test_it_refuses_an_invalid_email_and_sends_nothing(client, world, mailoutbox):
    for bad in ["not-an-email", "", "a@" + "b" * 300 + ".org"]:
        response = _ask_for_link(client, bad)
        assert response.status_code == 200, bad
        assert response.context["form"].errors["email"], bad
    assert mailoutbox == []


def test_it_sets_a_new_password_through_the_link(client, world, mailoutbox):
    _ask_for_link(client, "nadia@example.org")
    link = _link_path(mailoutbox[0])
    response = client.get(link)
    assert response.status_code == 302  # the token moves to the session, out of the URL
    form_url = response.url
    assert "set-password" in form_url
    assert client.get(form_url).status_code == 200
    response = client.post(form_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert response.status_code == 302
    assert response.url == reverse("accounts:password_reset_complete")
    assert authenticate(username="nadia@example.org", password=NEW_PASSWORD) == world.nadia
    assert authenticate(username="nadia@example.org", password=PASSWORD) is None
    # The link is spent.
    assert client.get(link).status_code == 404


def test_it_refuses_a_weak_new_password(client, world, mailoutbox):
    _ask_for_link(client, "nadia@example.org")
    form_url = client.get(_link_path(mailoutbox[0])).url
    for weak in ["12345678901", "password123", "short"]:
        response = client.post(form_url, {"new_password1": weak, "new_password2": weak})
        assert response.status_code == 200, weak
        assert response.context["form"].errors["new_password2"], weak
    mismatch = client.post(form_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD + "x"})
    assert mismatch.context["form"].errors["new_password2"]
    assert authenticate(username="nadia@example.org", password=PASSWORD) == world.nadia


def test_it_refuses_a_forged_link_with_a_clear_page(client, world):
    for uid, token in [("MQ", "forged-token"), ("not-base64!", "x"), ("OTk5OTk", "set-password")]:
        response = client.get(reverse("accounts:password_reset_confirm", args=[uid, token]), HTTP_ACCEPT_LANGUAGE="en")
        assert response.status_code == 404, (uid, token)
        assert b"This link does not work" in response.content
        response = client.post(
            reverse("accounts:password_reset_confirm", args=[uid, token]),
            {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
        )
        assert response.status_code == 404
    assert authenticate(username="alice@example.org", password=PASSWORD) == world.alice


def test_it_does_not_reveal_accounts_without_a_usable_password(client, world, mailoutbox):
    world.olga.set_unusable_password()
    world.olga.save(update_fields=["password"])
    response = _ask_for_link(client, "olga@example.org")
    assert response.status_code == 302
    assert mailoutbox == []


def test_the_task_table_holds_the_accounts_id_alone_and_the_worker_signs_the_link(client, world, mailoutbox,
                                                                                  settings):
    """At scale (the database task backend) a copy of the database must hold no link that resets a password:
    the request queues the account's id and the reader's language; the worker signs the link into the email.
    An account deactivated meanwhile gets nothing."""
    from django_tasks_db.models import DBTaskResult

    from convoca.accounts import tasks
    from convoca.accounts.models import User

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    _ask_for_link(client, "nadia@example.org", HTTP_ACCEPT_LANGUAGE="fr")
    queued = DBTaskResult.objects.get()
    nadia = User.objects.get(email="nadia@example.org")
    assert queued.args_kwargs["args"][:2] == [nadia.pk, "fr"] and mailoutbox == []
    assert "reset" not in str(queued.args_kwargs).replace("password_reset", "")  # no link, no token
    tasks.send_password_reset.call(*queued.args_kwargs["args"])  # what the worker runs
    [message] = mailoutbox
    assert message.to == ["nadia@example.org"] and "Bonjour" in message.body
    link = _link_path(message)
    assert link not in str(list(DBTaskResult.objects.values()))
    page = client.get(link, follow=True)
    assert page.status_code == 200 and page.context["validlink"] is True  # the worker's link works
    User.objects.filter(pk=nadia.pk).update(is_active=False)
    tasks.send_password_reset.call(*queued.args_kwargs["args"])
    assert len(mailoutbox) == 1
