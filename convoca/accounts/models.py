import hashlib
import secrets

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


def hash_token(raw: str) -> str:
    """Tokens are stored only as SHA-256 digests: a leaked table grants nothing."""
    return hashlib.sha256(raw.encode()).hexdigest()


def new_token() -> str:
    return secrets.token_urlsafe(32)


class UserManager(BaseUserManager):
    use_in_migrations = True

    def get_by_natural_key(self, username):
        # Emails are stored lower-cased (see User.save), so "Alice@Example.org"
        # logs in as alice@example.org.
        return self.get(email=(username or "").strip().lower())

    def create_user(self, email, password=None, **extra):
        if not email:
            raise ValueError("email is required")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email, password=None, **extra):
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        extra.setdefault("is_coordinator", True)
        return self.create_user(email, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    """An account. What the coalition knows about the person lives in
    ``network.Person``; the account only holds what login needs and the
    coalition-wide roles (coordinator, translator). Country-scoped roles come
    from national committee membership, per-gathering roles from registrations."""

    email = models.EmailField(_("email"), unique=True)
    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField(default=False)
    is_coordinator = models.BooleanField(_("coordinator"), default=False)
    is_translator = models.BooleanField(_("translator"), default=False)
    date_joined = models.DateTimeField(default=timezone.now)
    # The interface language the person last chose: their emails are written in it.
    language = models.CharField(_("language"), max_length=10, choices=settings.LANGUAGES, blank=True)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = []

    class Meta:
        verbose_name = _("account")
        verbose_name_plural = _("accounts")

    def __str__(self):
        person = getattr(self, "person", None)
        return person.display_name if person else f"account {self.pk}"

    def save(self, *args, **kwargs):
        self.email = self.email.strip().lower()
        super().save(*args, **kwargs)


class Invitation(models.Model):
    """A single-use, expiring link sent by a coordinator."""

    class Role(models.TextChoices):
        MEMBER = "member", _("Coalition member")
        COORDINATOR = "coordinator", _("Coordinator")
        TRANSLATOR = "translator", _("Translator")
        COMMITTEE = "committee", _("National committee member")

    email = models.EmailField(_("email"))
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.MEMBER)
    committee = models.ForeignKey(
        "network.NationalCommittee", null=True, blank=True, on_delete=models.CASCADE, related_name="invitations"
    )
    language = models.CharField(
        _("language of the email"), max_length=10, choices=settings.LANGUAGES, default=settings.LANGUAGE_CODE
    )
    token_hash = models.CharField(max_length=64, unique=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f"invitation {self.pk}"

    @property
    def is_usable(self):
        return self.accepted_at is None and self.revoked_at is None and self.expires_at > timezone.now()

    @property
    def status(self):
        """One of "accepted", "revoked", "expired", "pending" (for display)."""
        if self.accepted_at is not None:
            return "accepted"
        if self.revoked_at is not None:
            return "revoked"
        if self.expires_at <= timezone.now():
            return "expired"
        return "pending"

    def role_description(self):
        if self.role == self.Role.COMMITTEE and self.committee_id:
            return _("Member of the national committee of %(country)s") % {"country": self.committee.country.name}
        return self.get_role_display()

    def get_status_display(self):
        return {
            "accepted": _("Accepted"),
            "revoked": _("Withdrawn"),
            "expired": _("Expired"),
            "pending": _("Waiting"),
        }[self.status]


class ApiToken(models.Model):
    """A bearer token for scripts. Only its digest is stored."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(max_length=8)
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.name} ({self.prefix}…)"


class LoginSession(models.Model):
    """One login of an account, listed on the account page so its owner can
    end it from elsewhere (a lost phone, a shared computer).

    It holds the minimum: the digest of a random login id kept inside the
    session (the session key itself changes when Django cycles it, and with a
    cookie-based session engine on every write), the session key sealed with
    a key derived from SECRET_KEY (so that revoking can delete the session
    from any server-side store, while a copy of the database alone opens
    nothing), when it started, and the kind of browser and system, never the
    address or the full user-agent."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="login_sessions")
    key_hash = models.CharField(max_length=64, unique=True)
    sealed_key = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    browser = models.CharField(max_length=20, blank=True)
    system = models.CharField(max_length=20, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f"login session {self.pk}"
