import datetime as dt

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from convoca.accounts.models import Invitation, User, hash_token

from .helpers import counts, make_invitation, token_from_email

URL = "/accounts/invitations/"


def test_it_lists_invitations_with_their_status(as_user, world):
    make_invitation(world, email="waiting@example.org")
    make_invitation(world, email="late@example.org", expires_in=dt.timedelta(days=-1))
    make_invitation(world, email="gone@example.org", revoked_at=timezone.now())
    make_invitation(world, email="comite@example.org", role=Invitation.Role.COMMITTEE, committee=world.committee_mx)
    response = as_user(world.alice).get(URL, HTTP_ACCEPT_LANGUAGE="en")
    html = response.content.decode()
    assert response.status_code == 200
    assert 'class="stack invitations"' in html
    for text in ["waiting@example.org", "Waiting", "Expired", "Withdrawn", "Member of the national committee of Mexico",
                 "Alice Coordinadora"]:
        assert text in html, text
    # Only the waiting ones can be withdrawn.
    assert html.count(">Withdraw<") == 2


def test_it_costs_the_same_queries_for_one_or_three_invitations(as_user, world):
    client = as_user(world.alice)
    make_invitation(world, email="one@example.org", role=Invitation.Role.COMMITTEE, committee=world.committee_co)
    with CaptureQueriesContext(connection) as one:
        first = client.get(URL, HTTP_ACCEPT_LANGUAGE="en")
    make_invitation(world, email="two@example.org", role=Invitation.Role.COMMITTEE, committee=world.committee_mx)
    make_invitation(world, email="three@example.org")
    with CaptureQueriesContext(connection) as three:
        response = client.get(URL, HTTP_ACCEPT_LANGUAGE="en")
    assert first.content.count(b'<td data-label="Email">') == 1
    assert response.content.count(b'<td data-label="Email">') == 3
    assert len(one) == len(three)


def test_it_sends_an_invitation_from_the_form(as_user, world, mailoutbox, django_capture_on_commit_callbacks):
    client = as_user(world.alice)
    with django_capture_on_commit_callbacks(execute=True):
        data = {"email": "Nueva@Example.org", "role": "committee", "committee": world.committee_co.pk}
        response = client.post(URL, {**data, "language": "pt-br"})
    assert response.status_code == 302
    invitation = Invitation.objects.get(email="nueva@example.org")
    assert (invitation.role, invitation.committee, invitation.language) == ("committee", world.committee_co, "pt-br")
    [message] = mailoutbox
    assert invitation.token_hash == hash_token(token_from_email(message))
    page = client.get(response.url)
    assert b"nueva@example.org" in page.content
    assert b'role="status"' in page.content


def test_it_shows_form_errors_and_writes_nothing(as_user, world, mailoutbox):
    client = as_user(world.alice)
    before = counts()
    bad_inputs = {
        "invalid email": {"email": "not-an-email", "role": "member", "language": "es"},
        "empty email": {"email": "", "role": "member", "language": "es"},
        "existing account": {"email": "bob@example.org", "role": "member", "language": "es"},
        "unknown role": {"email": "x@example.org", "role": "admin", "language": "es"},
        "committee role without committee": {"email": "x@example.org", "role": "committee", "language": "es"},
        "unknown committee": {"email": "x@example.org", "role": "committee", "committee": "999999", "language": "es"},
        "huge committee id": {"email": "x@example.org", "role": "committee", "committee": "9" * 30, "language": "es"},
        "unknown language": {"email": "x@example.org", "role": "member", "language": "xx"},
        "nothing at all": {},
    }
    for name, data in bad_inputs.items():
        response = client.post(URL, data)
        assert response.status_code == 200, name
        assert b'class="error-summary"' in response.content, name
    assert counts() == before
    assert mailoutbox == []


def test_it_keeps_the_input_after_an_error(as_user, world):
    response = as_user(world.alice).post(URL, {"email": "bob@example.org", "role": "translator", "language": "fr"})
    html = response.content.decode()
    assert 'value="bob@example.org"' in html
    assert 'value="translator" id="id_role_2" required checked' in html
    assert '<option value="fr" selected>' in html


def test_it_refuses_non_coordinators(as_user, world, mailoutbox):
    before = counts()
    for name in ["carla", "marco", "bob", "olga", "tomas", "nadia"]:
        client = as_user(world.users[name])
        assert client.get(URL).status_code == 403, name
        response = client.post(URL, {"email": "sneaky@example.org", "role": "coordinator", "language": "es"})
        assert response.status_code == 403, name
    assert counts() == before
    assert mailoutbox == []


def test_it_sends_anonymous_visitors_to_log_in(client, world):
    response = client.post(URL, {"email": "sneaky@example.org", "role": "coordinator", "language": "es"})
    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:login"))
    assert not Invitation.objects.exists()


def test_it_withdraws_an_invitation(as_user, world):
    invitation, _raw = make_invitation(world)
    client = as_user(world.alice)
    response = client.post(reverse("accounts:invitation_revoke", args=[invitation.pk]))
    assert response.status_code == 302
    invitation.refresh_from_db()
    assert invitation.revoked_at is not None
    assert client.get(reverse("accounts:invitation_revoke", args=[invitation.pk])).status_code == 405


def test_it_explains_why_an_accepted_invitation_cannot_be_withdrawn(as_user, world):
    invitation, _raw = make_invitation(world, accepted_at=timezone.now())
    client = as_user(world.alice)
    response = client.post(reverse("accounts:invitation_revoke", args=[invitation.pk]), follow=True)
    assert response.status_code == 200
    assert b"message-error" in response.content
    invitation.refresh_from_db()
    assert invitation.revoked_at is None


def test_it_answers_404_for_an_unknown_invitation(as_user, world):
    client = as_user(world.alice)
    for pk in [999999, 10**30]:
        assert client.post(reverse("accounts:invitation_revoke", args=[pk])).status_code == 404


def test_it_refuses_withdrawal_by_non_coordinators(as_user, world):
    invitation, _raw = make_invitation(world)
    for name in ["carla", "bob", "nadia"]:
        response = as_user(world.users[name]).post(reverse("accounts:invitation_revoke", args=[invitation.pk]))
        assert response.status_code == 403
    invitation.refresh_from_db()
    assert invitation.revoked_at is None
    assert User.objects.count() == 7


def test_it_answers_a_delegate_inviting_with_the_403_page_not_a_form_error(as_user, world, mailoutbox):
    before = counts()
    response = as_user(world.bob).post(
        URL, {"email": "sneaky@example.org", "role": "coordinator", "language": "es"}, HTTP_ACCEPT_LANGUAGE="es"
    )
    page = response.content.decode()
    assert response.status_code == 403
    assert "<h1>No permitido</h1>" in page and 'name="email"' not in page
    assert counts() == before and mailoutbox == []
