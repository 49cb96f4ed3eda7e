"""Settings: everything from the environment, with safe defaults.

The embedded default (no variable set) runs on SQLite under ``var/`` with
in-process realtime and inline tasks. ``DATABASE_URL`` switches to PostgreSQL,
``REDIS_URL`` to Redis for the cache.
"""

import os
import secrets
from pathlib import Path

import dj_database_url

from convoca.formats.countries import COUNTRIES_OVERRIDE  # noqa: F401  (names of the Americas, corrected)

BASE_DIR = Path(__file__).resolve().parent
VAR_DIR = Path(os.environ.get("CONVOCA_VAR_DIR", BASE_DIR.parent / "var")).resolve()
VAR_DIR.mkdir(parents=True, exist_ok=True)


def envbool(name, default=False):
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def envint(name, default):
    value = os.environ.get(name)
    return int(value) if value not in (None, "") else default


def envlist(name, default=""):
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def envsecret(name):
    """A secret from NAME, or from the file named by NAME_FILE."""
    if os.environ.get(name):
        return os.environ[name]
    path = os.environ.get(f"{name}_FILE")
    if path:
        return Path(path).read_text().strip()
    return None


def _secret_key():
    key = envsecret("SECRET_KEY")
    if key:
        return key
    path = VAR_DIR / "secret_key"
    if not path.exists():
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(secrets.token_urlsafe(50))
    return path.read_text().strip()


SECRET_KEY = _secret_key()
DEBUG = envbool("DEBUG", False)
ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", "127.0.0.1,localhost,[::1],testserver")
CSRF_TRUSTED_ORIGINS = envlist("CSRF_TRUSTED_ORIGINS")
# The address every email's links start with. Without SITE_URL, `convoca serve` (and `demo --serve`) sets it to
# where it actually listens (convoca.core.management.commands.serve.site_url_for), before its workers start.
SITE_URL_GIVEN = bool(os.environ.get("SITE_URL"))
SITE_URL = (os.environ.get("SITE_URL") or f"http://127.0.0.1:{os.environ.get('PORT', '8000')}").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "ninja",
    "rules.apps.AutodiscoverRulesConfig",
    "django_countries",
    "django_tasks",
    "django_tasks_db",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "convoca.core",
    "convoca.audit",
    "convoca.texts",
    "convoca.accounts",
    "convoca.network",
    "convoca.gatherings",
    "convoca.imports",
    "convoca.voting",
    "convoca.proposals",
    "convoca.live",
    "convoca.plenary",
    "convoca.actions",
    "convoca.endorsements",
    "convoca.followup",
    "convoca.api",
    "convoca.home",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "convoca.core.middleware.SecurityHeadersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.middleware.gzip.GZipMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "convoca.core.clean_input.CleanInputMiddleware",  # no NUL or lone surrogate reaches a view (translated 400)
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    # Django's, with the login guard folded in: a login its owner ended is anonymous from now on
    "convoca.accounts.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "convoca.accounts.middleware.SecondFactorMiddleware",  # coordinators and committees enrol before anything else
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "convoca.core.middleware.ServiceErrorMiddleware",
]

ROOT_URLCONF = "convoca.urls"
# Django's renderer, with <select> lists written in Python (a list of countries costs ~0.2 ms, not ~6 ms).
FORM_RENDERER = "convoca.core.form_renderer.FormRenderer"
ASGI_APPLICATION = "convoca.asgi.application"
WSGI_APPLICATION = "convoca.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "convoca.core.context_processors.convoca",
            ],
            "string_if_invalid": os.environ.get("TEMPLATE_STRING_IF_INVALID", ""),
        },
    }
]

# --- database -------------------------------------------------------------
DATABASE_URL = os.environ.get("DATABASE_URL")
if DATABASE_URL:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=envint("DB_CONN_MAX_AGE", 60),
                                                  conn_health_checks=True)}
    if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
        # psycopg may prepare statements on the server (Django leaves it off): only ``core.prepared``'s lookups
        # ask for it (Django's own cursors bind on the client and never prepare). Off behind a pooler in
        # transaction mode that cannot keep them (PgBouncer before 1.21).
        DATABASES["default"].setdefault("OPTIONS", {}).setdefault(
            "prepare_threshold", 5 if envbool("DB_PREPARED_STATEMENTS", True) else None)
else:
    DATABASES = {
        "default": {
            "ENGINE": "convoca.core.sqlite",  # Django's, with writers taking turns (see its module)
            "NAME": os.environ.get("SQLITE_PATH", str(VAR_DIR / "convoca.sqlite3")),
            "CONN_MAX_AGE": envint("DB_CONN_MAX_AGE", 60),
            "CONN_HEALTH_CHECKS": True,
            "OPTIONS": {
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
                "init_command": (
                    "PRAGMA journal_mode=WAL;"
                    "PRAGMA synchronous=NORMAL;"
                    "PRAGMA foreign_keys=ON;"
                    "PRAGMA busy_timeout=20000;"
                ),
            },
            # In-memory by default so parallel runs never share a file.
            "TEST": {"NAME": os.environ.get("SQLITE_TEST_PATH") or None},
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- cache ----------------------------------------------------
REDIS_URL = os.environ.get("REDIS_URL")
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# Rendered page fragments that are the same for every viewer (a poll's ballot and rules per language):
# each process keeps its own, keyed by everything they show (so never stale), and reads them without a
# round trip to Redis.
CACHES["template_fragments"] = {"BACKEND": "django.core.cache.backends.locmem.LocMemCache",
                                "LOCATION": "template_fragments", "OPTIONS": {"MAX_ENTRIES": 2000}}

# --- sessions ------------------------------------------------------------------
# Every page of a logged-in person reads the session. With Redis, Redis answers and the database stays the
# record ("cached_db"): a logout deletes both, so it holds on the next request in every worker process. On
# the embedded default the sessions stay in the database alone: an in-process cache (locmem) would keep a
# logged-out session alive in the other worker processes until it expired there.
# Both are Django's engines, reading a session in one plain query (convoca.core.sessions).
SESSION_ENGINE = "convoca.core.sessions.cached_db" if REDIS_URL else "convoca.core.sessions.db"

# --- background tasks ------------------------------------------------------
if os.environ.get("TASKS_BACKEND", "immediate") == "database":
    TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
else:
    TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}

# --- accounts ----------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
# The one API-token check (core.api_auth asks it by name, so core imports no domain app).
API_TOKEN_CHECK = "convoca.accounts.queries.user_for_token"
# The decorator that re-asks the second factor before a sensitive page action (core.second_factor asks it by name
# for the apps below accounts: network, imports).
RECENT_SECOND_FACTOR = "convoca.accounts.second_factor.recent_second_factor"
AUTHENTICATION_BACKENDS = [
    "rules.permissions.ObjectPermissionBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
if envbool("CONVOCA_FAST_HASHER"):  # test runs only: argon2 costs ~50 ms per login
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"] + PASSWORD_HASHERS
# Teller passphrases of secret polls (convoca.voting.sealing): Argon2id "moderate" (~0.3 s, 256 MiB per
# passphrase); test runs use the minimum, like the password hasher above.
VOTING_TELLER_KDF = os.environ.get("VOTING_TELLER_KDF", "min" if envbool("CONVOCA_FAST_HASHER") else "moderate")
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Sensitive actions ask the second factor again when the session last proved it longer ago than this.
OTP_REAUTH_SECONDS = envint("OTP_REAUTH_SECONDS", 12 * 3600)
OTP_TOTP_ISSUER = os.environ.get("OTP_TOTP_ISSUER", "Convoca")
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "core:home"
LOGOUT_REDIRECT_URL = "core:home"
INVITATION_DAYS = envint("INVITATION_DAYS", 14)
PASSWORD_RESET_TIMEOUT = envint("PASSWORD_RESET_TIMEOUT", 3 * 3600)

# --- plenary -------------------------------------------------------------------
# A session without a video room of its own gets one on this Jitsi server (an unguessable room name per
# session); empty: no video room unless the session names one.
PLENARY_JITSI_URL = os.environ.get("PLENARY_JITSI_URL", "https://meet.jit.si")

# --- retention: what `convoca purge` (hourly in the ticker) removes, and after how long --------
RETENTION_INVITATION_DAYS = envint("RETENTION_INVITATION_DAYS", 30)  # invitations used, withdrawn or expired
RETENTION_TOKEN_DAYS = envint("RETENTION_TOKEN_DAYS", 30)  # API tokens after they were revoked
RETENTION_IMPORT_HOURS = envint("RETENTION_IMPORT_HOURS", 24)  # staged imports, confirmed or not
RETENTION_REGISTRATION_DAYS = envint("RETENTION_REGISTRATION_DAYS", 90)  # registrations after their gathering ended

# --- email -------------------------------------------------------------------
EMAIL_HOST = os.environ.get("EMAIL_HOST")
if EMAIL_HOST:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_PORT = envint("EMAIL_PORT", 587)
    EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
    EMAIL_HOST_PASSWORD = envsecret("EMAIL_HOST_PASSWORD") or ""
    EMAIL_USE_TLS = envbool("EMAIL_USE_TLS", True)
else:
    # Without SMTP, emails are kept whole in var/mail/ (0600) and only a line saying so is printed:
    # an invitation or password-reset link in a log works as a password (convoca.core.mail).
    EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "convoca.core.mail.PrivateConsoleBackend")
EMAIL_FILE_PATH = VAR_DIR / "mail"
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "convoca@localhost")

# --- i18n ----------------------------------------------------------------------
LANGUAGE_CODE = "es"
LANGUAGES = [
    ("es", "Español"),
    ("pt-br", "Português"),
    ("en", "English"),
    ("fr", "Français"),
]
LOCALE_PATHS = [BASE_DIR / "locale"]
FORMAT_MODULE_PATH = ["convoca.formats"]  # pt_BR: month names in lower case
USE_I18N = True
USE_TZ = True
TIME_ZONE = os.environ.get("TIME_ZONE", "America/Bogota")
LANGUAGE_COOKIE_SECURE = envbool("SECURE_COOKIES", False)
LANGUAGE_COOKIE_SAMESITE = "Lax"

# --- static ------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": os.environ.get(
            "STATICFILES_STORAGE", "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = True

# --- security ----------------------------------------------------------------
SECURE_COOKIES = envbool("SECURE_COOKIES", False)
# Behind a reverse proxy that terminates TLS: trust its X-Forwarded-Proto, and take the client's address
# (for rate limits only, never stored) from the last X-Forwarded-For entry, the one the proxy added.
BEHIND_PROXY = envbool("BEHIND_PROXY", False)
SESSION_COOKIE_SECURE = SECURE_COOKIES
CSRF_COOKIE_SECURE = SECURE_COOKIES
# Over HTTPS the "__Host-" prefix makes browsers refuse the cookie unless it is Secure, for this host only, path /.
SESSION_COOKIE_NAME = "__Host-sessionid" if SECURE_COOKIES else "sessionid"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SECURE_CONTENT_TYPE_NOSNIFF = True
# No referrer to other sites. Not "no-referrer": with it, browsers send "Origin: null" (and no Referer) on
# every form POST, which Django's CSRF protection must refuse; our own server already knows its pages.
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if BEHIND_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
if SECURE_COOKIES and BEHIND_PROXY:
    # Production behind a TLS proxy: plain HTTP is redirected (except the health check, which
    # load balancers call over HTTP) and browsers are told to use HTTPS only from now on.
    SECURE_SSL_REDIRECT = True
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
    SECURE_HSTS_SECONDS = envint("HSTS_SECONDS", 365 * 24 * 3600)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = envbool("HSTS_INCLUDE_SUBDOMAINS", True)
    SECURE_HSTS_PRELOAD = envbool("HSTS_PRELOAD", False)
# Asking browsers to preload HSTS is a commitment the operator makes for the whole domain (HSTS_PRELOAD=1).
SILENCED_SYSTEM_CHECKS = [] if envbool("HSTS_PRELOAD", False) else ["security.W021"]

# --- uploads -------------------------------------------------------------------
IMPORT_MAX_BYTES = envint("IMPORT_MAX_BYTES", 10 * 1024 * 1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = IMPORT_MAX_BYTES + 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = IMPORT_MAX_BYTES + 1024 * 1024

# --- logging: no personal data; request paths only at WARNING and above --------
# Every handler redacts: email addresses, and path segments that are tokens (an invitation or
# password-reset link in a "Not Found: <path>" line works as a password). Django's own loggers
# write through the same handler.
LOG_REDACT_PATTERNS = [
    r"(?<=/accounts/invite/)[^/\s?#\"']+",
    r"(?<=/accounts/password/reset/)[^/\s?#\"']+/[^/\s?#\"']+",
    r"(?<=/plenary/screen/)[^/\s?#\"']+",  # a projector's secret address
]
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"redact": {"()": "convoca.core.logs.RedactFilter"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "filters": ["redact"]}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
    "loggers": {
        "django": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING"), "propagate": False},
        "django.server": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING"), "propagate": False},
        "django.db.backends": {"level": "WARNING"},  # SQL with its parameters (names, emails), even at DEBUG
    },
}

MESSAGE_STORAGE = "django.contrib.messages.storage.session.SessionStorage"
COUNTRIES_FIRST = []
CSRF_FAILURE_VIEW = "convoca.core.views.csrf_failure"

# Days of action (convoca.actions). The map's tile server (an https URL with {z}/{x}/{y}; empty: no tiles, no
# request leaves the site, the map shows points on a plain background); the sites that may frame the widget;
# the RSVP flood limits (per client address and per email, an hour).
ACTIONS_TILE_URL = os.environ.get("ACTIONS_TILE_URL", "")
ACTIONS_TILE_ATTRIBUTION = os.environ.get("ACTIONS_TILE_ATTRIBUTION", "")
ACTIONS_WIDGET_FRAME_ANCESTORS = envlist("ACTIONS_WIDGET_FRAME_ANCESTORS")
ACTIONS_RSVP_PER_IP = envint("ACTIONS_RSVP_PER_IP", 30)
ACTIONS_RSVP_PER_EMAIL = envint("ACTIONS_RSVP_PER_EMAIL", 10)

# WhiteNoise serves files with synchronous iterators; under ASGI Django warns on
# every static response. Harmless (static files are small and cached).
import warnings  # noqa: E402

warnings.filterwarnings("ignore", message="StreamingHttpResponse must consume synchronous iterators")
