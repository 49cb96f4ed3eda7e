import datetime as dt

import pytest
from django.db import transaction
from django.utils import timezone

from convoca.accounts import services
from convoca.accounts.models import Invitation, hash_token
from convoca.core.errors import NotFound, PermissionDenied, ServiceError

from .helpers import counts, make_invitation, token_from_email


def _invite(world, email="new.person@example.org", role=Invitation.Role.MEMBER, user=None, **kwargs):
    return services.invite(user or world.alice, email, role, **kwargs)


def test_it_stores_only_the_digest_and_emails_the_link_after_commit(
    world, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        invitation = _invite(world, email="  New.Person@Example.org ", language="en")
        assert mailoutbox == []  # nothing leaves before the commit
    assert len(callbacks) == 1
    assert invitation.email == "new.person@example.org"
    assert invitation.created_by == world.alice
    assert invitation.is_usable
    expected_expiry = timezone.now() + dt.timedelta(days=14)
    assert abs((invitation.expires_at - expected_expiry).total_seconds()) < 60
    [message] = mailoutbox
    assert message.to == ["new.person@example.org"]
    assert message.subject == "Your invitation to Convoca"
    assert "Coalition member" in message.body
    assert "INVALID_TEMPLATE_VARIABLE" not in message.body + message.subject
    raw = token_from_email(message)
    invitation.refresh_from_db()  # the worker made the link's token and stored its digest
    assert invitation.token_hash == hash_token(raw)
    assert raw not in str(Invitation.objects.filter(pk=invitation.pk).values().get())


def test_it_writes_the_email_in_the_chosen_language(world, mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        _invite(world, role=Invitation.Role.COMMITTEE, committee=world.committee_co, language="en")
    assert "Member of the national committee of Colombia" in mailoutbox[0].body
    assert "/accounts/invite/" in mailoutbox[0].body


def test_it_sends_nothing_when_the_transaction_rolls_back(world, mailoutbox, django_capture_on_commit_callbacks):
    before = counts()
    with django_capture_on_commit_callbacks(execute=True) as callbacks, pytest.raises(RuntimeError), transaction.atomic():
        _invite(world)
        raise RuntimeError("boom")
    assert callbacks == []
    assert mailoutbox == []
    assert counts() == before


@pytest.mark.parametrize("name", ["carla", "marco", "bob", "olga", "tomas", "nadia"])
def test_it_refuses_non_coordinators(world, name, mailoutbox):
    before = counts()
    with pytest.raises(PermissionDenied):
        _invite(world, user=world.users[name])
    assert counts() == before
    assert mailoutbox == []


def test_it_refuses_an_anonymous_user(world):
    from django.contrib.auth.models import AnonymousUser

    with pytest.raises(PermissionDenied):
        _invite(world, user=AnonymousUser())


@pytest.mark.parametrize(
    "bad", ["", "   ", "not-an-email", "a@b", "two@@example.org", "x" * 250 + "@example.org", None]
)
def test_it_refuses_an_invalid_email(world, bad):
    before = counts()
    with pytest.raises(ServiceError) as exc:
        _invite(world, email=bad)
    assert exc.value.field == "email"
    assert counts() == before


def test_it_refuses_an_email_that_already_has_an_account(world):
    before = counts()
    with pytest.raises(ServiceError) as exc:
        _invite(world, email="NADIA@example.org")
    assert exc.value.field == "email"
    assert counts() == before


def test_it_refuses_a_second_waiting_invitation_for_the_same_email(world):
    make_invitation(world, email="new.person@example.org")
    before = counts()
    with pytest.raises(ServiceError) as exc:
        _invite(world, email="new.person@example.org")
    assert exc.value.field == "email"
    assert counts() == before


def test_it_allows_a_new_invitation_once_the_old_one_expired_or_was_withdrawn(world):
    make_invitation(world, email="new.person@example.org", expires_in=dt.timedelta(seconds=-1))
    make_invitation(world, email="new.person@example.org", revoked_at=timezone.now())
    assert _invite(world, email="new.person@example.org").is_usable


@pytest.mark.parametrize("role", ["", "admin", None])
def test_it_refuses_an_unknown_role(world, role):
    before = counts()
    with pytest.raises(ServiceError) as exc:
        _invite(world, role=role)
    assert exc.value.field == "role"
    assert counts() == before


@pytest.mark.parametrize("committee", [None, 999999, "junk"])
def test_it_needs_an_existing_committee_for_the_committee_role(world, committee):
    before = counts()
    with pytest.raises(ServiceError) as exc:
        _invite(world, role=Invitation.Role.COMMITTEE, committee=committee)
    assert exc.value.field == "committee"
    assert counts() == before


def test_it_ignores_a_committee_for_other_roles(world):
    invitation = _invite(world, role=Invitation.Role.TRANSLATOR, committee=world.committee_co)
    assert invitation.committee is None


def test_it_falls_back_to_the_default_language(world, settings):
    settings.LANGUAGE_CODE = "es"
    assert _invite(world, language="xx").language == "es"


def test_it_withdraws_an_invitation_idempotently(world):
    invitation, raw = make_invitation(world)
    first = services.revoke_invitation(world.alice, invitation.pk)
    again = services.revoke_invitation(world.alice, invitation.pk)
    assert first.revoked_at is not None
    assert again.revoked_at == first.revoked_at
    with pytest.raises(services.Gone):
        services.usable_invitation(raw)


def test_it_refuses_to_withdraw_for_non_coordinators(world):
    invitation, _raw = make_invitation(world)
    for name in ["carla", "bob", "nadia", "tomas"]:
        with pytest.raises(PermissionDenied):
            services.revoke_invitation(world.users[name], invitation.pk)
    invitation.refresh_from_db()
    assert invitation.revoked_at is None


def test_it_refuses_to_withdraw_an_accepted_or_unknown_invitation(world):
    invitation, raw = make_invitation(world)
    services.accept_invitation(raw, "Nueva", "tinned peaches on a windy pier")
    with pytest.raises(ServiceError):
        services.revoke_invitation(world.alice, invitation.pk)
    invitation.refresh_from_db()
    assert invitation.revoked_at is None
    for bad in [999999, "junk", None]:
        with pytest.raises(NotFound):
            services.revoke_invitation(world.alice, bad)


def test_the_task_table_holds_the_invitations_id_alone_and_the_worker_makes_the_link(world, settings, mailoutbox):
    """At scale (the database task backend) a copy of the database must hold no working invitation link: the
    request queues the id; the worker makes the token, stores its digest and emails the link. A second sending
    (a retry) makes a new link and the first stops working; a withdrawn invitation is not sent."""
    from django_tasks_db.models import DBTaskResult

    from convoca.accounts import tasks

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    invitation = _invite(world, email="cola@example.org")
    queued = DBTaskResult.objects.get()
    assert queued.args_kwargs == {"args": [invitation.pk], "kwargs": {}} and mailoutbox == []
    with pytest.raises(NotFound):  # the digest stored at first is of a token nobody has
        services.usable_invitation("")
    tasks.send_invitation_email.call(invitation.pk)  # what the worker runs
    first = token_from_email(mailoutbox[-1])
    assert services.usable_invitation(first).pk == invitation.pk
    assert first not in str(list(DBTaskResult.objects.values())) + str(list(Invitation.objects.values()))
    tasks.send_invitation_email.call(invitation.pk)
    second = token_from_email(mailoutbox[-1])
    assert second != first and services.usable_invitation(second).pk == invitation.pk
    with pytest.raises(NotFound):
        services.usable_invitation(first)
    services.revoke_invitation(world.alice, invitation.pk)
    tasks.send_invitation_email.call(invitation.pk)
    assert len(mailoutbox) == 2  # withdrawn meanwhile: nothing sent
    Invitation.objects.filter(pk=invitation.pk).delete()
    tasks.send_invitation_email.call(invitation.pk)  # deleted meanwhile: nothing sent, no error
    assert len(mailoutbox) == 2
