"""The accounts' share of data rights (see ``convoca.core.data_rights``): the
account, its API tokens, logins and second factor, and the invitations sent to
the person's address. Erasure keeps the account row, empty and locked, because
decisions, votes and the audit trail refer to it by number; the number then
leads to no one."""

from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from .models import ApiToken, Invitation, LoginSession
from .services import end_all_login_sessions

ERASED_DOMAIN = "erased.invalid"  # .invalid never resolves (RFC 2606): no mail can reach it


def _invitations(person, user):
    emails = {email for email in (person.email, getattr(user, "email", "")) if email}
    return Invitation.objects.filter(email__in=emails)


def export(person):
    user = person.user
    invitations = [
        {"role": i.role, "created_at": i.created_at, "expires_at": i.expires_at, "accepted_at": i.accepted_at,
         "revoked_at": i.revoked_at}
        for i in _invitations(person, user).order_by("created_at")
    ]
    if user is None:
        return {"invitations": invitations} if invitations else None
    return {
        "account": {
            "id": user.pk, "email": user.email, "date_joined": user.date_joined, "last_login": user.last_login,
            "is_active": user.is_active, "is_coordinator": user.is_coordinator, "is_translator": user.is_translator,
            "language": user.language,
            "second_factor": TOTPDevice.objects.filter(user=user, confirmed=True).exists(),
        },
        "api_tokens": [
            {"name": t.name, "prefix": t.prefix, "created_at": t.created_at, "revoked_at": t.revoked_at}
            for t in ApiToken.objects.filter(user=user).order_by("created_at")
        ],
        "logins": [
            {"started_at": s.created_at, "browser": s.browser, "system": s.system}
            for s in LoginSession.objects.filter(user=user).order_by("created_at")
        ],
        "invitations": invitations,
    }


def erase(person):
    """Invitations to the person's address go; the account loses its address,
    password, roles, tokens, logins and second factor, and can no longer log in."""
    user = person.user
    _invitations(person, user).delete()
    if user is None:
        return
    end_all_login_sessions(user)
    ApiToken.objects.filter(user=user).delete()
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()
    user.email = f"erased-{user.pk}@{ERASED_DOMAIN}"
    user.set_unusable_password()
    user.is_active = user.is_staff = user.is_superuser = user.is_coordinator = user.is_translator = False
    user.last_login = None
    user.language = ""
    user.save(update_fields=["email", "password", "is_active", "is_staff", "is_superuser", "is_coordinator",
                             "is_translator", "last_login", "language"])
    user.groups.clear()
    user.user_permissions.clear()
