"""Django settings, read from the environment (see `.env.example` at the project root).

Development needs nothing: the database is an SQLite file under ./var/ and a secret key is
generated once into ./var/secret_key. Production (`TINHSO_ENV=production`) requires
`SECRET_KEY`, `ALLOWED_HOSTS` and turns on the strict security settings that
`tinhso check --deploy` verifies.
"""

from __future__ import annotations

import os
import secrets
from datetime import timedelta
from pathlib import Path
from typing import Any

import dj_database_url
from django.utils.translation import gettext_lazy as _

PACKAGE_DIR = Path(__file__).resolve().parent
VAR_DIR = Path(os.environ.get("TINHSO_VAR_DIR", Path.cwd() / "var")).resolve()


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


ENVIRONMENT = os.environ.get("TINHSO_ENV", "development")
PRODUCTION = ENVIRONMENT == "production"
DEBUG = env_bool("DEBUG", False)


def _secret_key() -> str:
    key = os.environ.get("SECRET_KEY")
    if key:
        return key
    if PRODUCTION:
        from django.core.exceptions import ImproperlyConfigured

        raise ImproperlyConfigured("SECRET_KEY must be set when TINHSO_ENV=production")
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    path = VAR_DIR / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = _secret_key()
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "" if PRODUCTION else "localhost,127.0.0.1,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "axes",
    "ninja",
    "tinhso.core",
    "tinhso.audit",
    "tinhso.idempotency",
    "tinhso.throttling",
    "tinhso.units",
    "tinhso.agencies",
    "tinhso.workcalendar",
    "tinhso.catalogue",
    "tinhso.dossiers",
    "tinhso.feedback",
    "tinhso.open311",
    "tinhso.indicators",
    "tinhso.opscentre",
    "tinhso.api",
    "tinhso.feedbackweb",
    "tinhso.workspace",
    "tinhso.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Before CSRF and every view: body size, text and form checks (tinhso.core.middleware).
    "tinhso.core.middleware.BoundaryMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last: turns a locked-out sign-in into the lockout page (django-axes).
    "axes.middleware.AxesMiddleware",
]

# How each face answers a request the transport boundary refuses (path prefix → renderer);
# anything else gets the HTML page.
TINHSO_BOUNDARY_RENDERERS = [
    ("/api/", "tinhso.api.api.boundary_response"),
    ("/open311/", "tinhso.open311.render.boundary_response"),
]
# Sessions in the database, with keys checked for their shape before any query.
SESSION_ENGINE = "tinhso.core.sessions"

ROOT_URLCONF = "tinhso.urls"
WSGI_APPLICATION = "tinhso.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{VAR_DIR / 'tinhso.sqlite3'}"),
        conn_max_age=int(os.environ.get("DB_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL and a busy timeout let the web server's workers and the CLI share the file.
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"].pop("CONN_HEALTH_CHECKS", None)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = False
    DATABASES["default"].setdefault("TEST", {})["NAME"] = str(VAR_DIR / "test.sqlite3") if env_bool(
        "TINHSO_TEST_FILE_DB", False
    ) else None
else:
    DATABASES["default"].setdefault("TEST", {})["NAME"] = os.environ.get("TEST_DATABASE_NAME") or None

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# django-axes first: it refuses a locked-out sign-in before any password is checked.
AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", "django.contrib.auth.backends.ModelBackend"]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
LOGIN_URL = "workspace:login"
LOGIN_REDIRECT_URL = "workspace:inbox"
LOGOUT_REDIRECT_URL = "workspace:login"

LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", _("Tiếng Việt")), ("en", _("English"))]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
TIME_ZONE = os.environ.get("TIME_ZONE", "Asia/Ho_Chi_Minh")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", VAR_DIR / "static"))
# The vendored htmx, Pico CSS and ECharts live in the package, outside any app.
STATICFILES_DIRS = [PACKAGE_DIR / "static"]
MEDIA_URL = "media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", VAR_DIR / "media"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if PRODUCTION
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = not PRODUCTION
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
# Form fields and JSON bodies (not files) are read into memory: 2.5 MB is far more than any form
# or receipt needs. Files stream to disk; the request as a whole is capped before it is parsed
# (`TINHSO_MAX_REQUEST_BYTES`, `TINHSO_MAX_PUBLIC_REQUEST_BYTES`, core/middleware.py).
DATA_UPLOAD_MAX_MEMORY_SIZE = int(os.environ.get("DATA_UPLOAD_MAX_MEMORY_SIZE", str(2_621_440)))

# Security: strict in production, relaxed where a laptop has no TLS.
SESSION_COOKIE_HTTPONLY = True
SECURE_CONTENT_TYPE_NOSNIFF = True
# No page is meant to be framed; a view that must be (a form preview) uses @xframe_options_sameorigin.
X_FRAME_OPTIONS = "DENY"
if PRODUCTION:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True

LOGGING: dict[str, Any] = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}, "axes": {"level": "WARNING"}},
}

# --- tinhso's own settings ------------------------------------------------------------------
# The province this installation serves (GSO code); the demo seeds it.
TINHSO_PROVINCE = os.environ.get("TINHSO_PROVINCE", "25")
# Form 04 must be issued at least this many working hours before the due moment (L-confidence
# rule in Decree 118; 0 switches the check off).
TINHSO_EXTENSION_MIN_NOTICE_HOURS = int(os.environ.get("TINHSO_EXTENSION_MIN_NOTICE_HOURS", "8"))
# Largest attachment accepted, in bytes.
TINHSO_MAX_ATTACHMENT_BYTES = int(os.environ.get("TINHSO_MAX_ATTACHMENT_BYTES", str(20 * 1024 * 1024)))
# Attachment types accepted (checked from the file's bytes, not its name).
TINHSO_ATTACHMENT_TYPES = env_list(
    "TINHSO_ATTACHMENT_TYPES", "application/pdf,image/jpeg,image/png,image/tiff,application/zip"
)
# Files one request may carry (the counter's attachments); with the attachment limit this caps
# a signed-in officer's or an API client's request body.
TINHSO_MAX_UPLOAD_FILES = int(os.environ.get("TINHSO_MAX_UPLOAD_FILES", "10"))
TINHSO_MAX_REQUEST_BYTES = int(os.environ.get(
    "TINHSO_MAX_REQUEST_BYTES", str(TINHSO_MAX_UPLOAD_FILES * TINHSO_MAX_ATTACHMENT_BYTES + 1024 * 1024)))
# How long the first answer to a request with an `Idempotency-Key` is kept for its retries.
TINHSO_IDEMPOTENCY_RETENTION_HOURS = int(os.environ.get("TINHSO_IDEMPOTENCY_RETENTION_HOURS", "24"))
# A due moment (an extension, an imported dossier) may lie at most this many years after receipt.
TINHSO_MAX_DUE_YEARS = int(os.environ.get("TINHSO_MAX_DUE_YEARS", "5"))
# Keep the index counters live in each dossier's transaction. Off only for measurements
# (bench/bench_receive_api.py); with it off the counters drift until `tinhso indicators rebuild`.
TINHSO_LIVE_COUNTERS = env_bool("TINHSO_LIVE_COUNTERS", True)
# Citizen feedback: how long after an answer the reporter may reopen it, photo limits.
TINHSO_FEEDBACK_REOPEN_DAYS = int(os.environ.get("TINHSO_FEEDBACK_REOPEN_DAYS", "7"))
TINHSO_FEEDBACK_MAX_PHOTOS = int(os.environ.get("TINHSO_FEEDBACK_MAX_PHOTOS", "5"))
TINHSO_FEEDBACK_MAX_PHOTO_BYTES = int(os.environ.get("TINHSO_FEEDBACK_MAX_PHOTO_BYTES", str(8 * 1024 * 1024)))
# Anyone not signed in (the public forms, Open311 clients before their key is checked) may send a
# request body of at most this many bytes: the photos a report may carry, and 1 MB of fields.
TINHSO_MAX_PUBLIC_REQUEST_BYTES = int(os.environ.get(
    "TINHSO_MAX_PUBLIC_REQUEST_BYTES",
    str(TINHSO_FEEDBACK_MAX_PHOTOS * TINHSO_FEEDBACK_MAX_PHOTO_BYTES + 1024 * 1024)))
# A tile server on the province network for the report map ({z}/{x}/{y} URL); empty: no map.
TINHSO_MAP_TILES_URL = os.environ.get("TINHSO_MAP_TILES_URL", "")

# --- notifications and background work (SMS, e-mail, huey) ---------------------------------
# The task queue: huey. Embedded default: a SQLite file under VAR_DIR (no server to run);
# production with several machines: Redis (`HUEY_REDIS_URL`, needs `pip install redis`).
# `TINHSO_HUEY_IMMEDIATE=1` runs every task inline, in the calling process (tests, debugging).
INSTALLED_APPS += ["huey.contrib.djhuey"]
# huey's log goes through the console handler once (not once more through the root logger).
LOGGING["loggers"]["huey"] = {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO"), "propagate": False}
HUEY_REDIS_URL = os.environ.get("HUEY_REDIS_URL", "")
TINHSO_HUEY_IMMEDIATE = env_bool("TINHSO_HUEY_IMMEDIATE", False)
TINHSO_WORKER_THREADS = int(os.environ.get("TINHSO_WORKER_THREADS", "2"))
HUEY: dict = {
    "name": "tinhso",
    "immediate": TINHSO_HUEY_IMMEDIATE,
    "utc": True,
    "results": False,
    "consumer": {"workers": TINHSO_WORKER_THREADS, "worker_type": "thread", "periodic": True,
                 "check_worker_health": True},
}
if HUEY_REDIS_URL:
    HUEY.update({"huey_class": "huey.RedisHuey", "url": HUEY_REDIS_URL})
else:
    if not TINHSO_HUEY_IMMEDIATE:
        VAR_DIR.mkdir(parents=True, exist_ok=True)
    HUEY.update({"huey_class": "huey.SqliteHuey",
                 "filename": os.environ.get("TINHSO_HUEY_FILE", str(VAR_DIR / "huey.sqlite3"))})

# SMS: the backend (dotted path) and, for the HTTP gateway, where and as whom.
TINHSO_SMS_BACKEND = os.environ.get("TINHSO_SMS_BACKEND", "tinhso.feedback.sms.ConsoleSmsBackend")
TINHSO_SMS_URL = os.environ.get("TINHSO_SMS_URL", "")
TINHSO_SMS_TOKEN = os.environ.get("TINHSO_SMS_TOKEN", "")
TINHSO_SMS_SENDER = os.environ.get("TINHSO_SMS_SENDER", "TINHSO")
TINHSO_SMS_TIMEOUT = float(os.environ.get("TINHSO_SMS_TIMEOUT", "10"))
TINHSO_SMS_ASCII = env_bool("TINHSO_SMS_ASCII", False)
# Phone verification codes: at most this many per phone in 15 minutes and per address per hour.
TINHSO_OTP_MAX_PER_PHONE = int(os.environ.get("TINHSO_OTP_MAX_PER_PHONE", "3"))
TINHSO_OTP_MAX_PER_IP = int(os.environ.get("TINHSO_OTP_MAX_PER_IP", "10"))
# The site's public address, for links in SMS and e-mails (tracking page, satisfaction survey).
TINHSO_PUBLIC_BASE_URL = os.environ.get("TINHSO_PUBLIC_BASE_URL", "http://127.0.0.1:8000")

# E-mail (deadline reminders to officers, answers to reporters): printed to the console unless
# an SMTP server is configured.
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_TIMEOUT = int(os.environ.get("EMAIL_TIMEOUT", "20"))
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "tinhso@localhost")

# --- throttles: everything that checks a secret (tinhso.throttling, django-axes) ----------------
# The reverse proxies whose X-Forwarded-For is believed (addresses or networks, comma-separated).
# Empty (the default): the client's address is the connection's (tinhso.core.clients).
TINHSO_TRUSTED_PROXIES = env_list("TINHSO_TRUSTED_PROXIES", "")
# Tries per window of the throttles of tinhso.throttling.services (its table gives the windows).
TINHSO_OTP_MAX_CHECKS_PER_IP = int(os.environ.get("TINHSO_OTP_MAX_CHECKS_PER_IP", "30"))
TINHSO_RATING_MAX_FAILURES_PER_DOSSIER = int(os.environ.get("TINHSO_RATING_MAX_FAILURES_PER_DOSSIER", "5"))
TINHSO_RATING_MAX_FAILURES_PER_IP = int(os.environ.get("TINHSO_RATING_MAX_FAILURES_PER_IP", "20"))
TINHSO_API_KEY_MAX_FAILURES_PER_IP = int(os.environ.get("TINHSO_API_KEY_MAX_FAILURES_PER_IP", "30"))
# Staff sign-in (django-axes, the workspace and the admin alike): after this many wrong passwords
# for one username from one address, that pair is locked out for the minutes below; a correct
# password then does not sign in either. Each lockout is an audit entry.
TINHSO_LOGIN_FAILURE_LIMIT = int(os.environ.get("TINHSO_LOGIN_FAILURE_LIMIT", "5"))
TINHSO_LOGIN_LOCKOUT_MINUTES = int(os.environ.get("TINHSO_LOGIN_LOCKOUT_MINUTES", "15"))
AXES_FAILURE_LIMIT = TINHSO_LOGIN_FAILURE_LIMIT
AXES_COOLOFF_TIME = timedelta(minutes=TINHSO_LOGIN_LOCKOUT_MINUTES)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_CLIENT_IP_CALLABLE = "tinhso.core.clients.client_address"
AXES_LOCKOUT_CALLABLE = "tinhso.workspace.views.signin_locked_out"
AXES_ENABLE_ACCESS_FAILURE_LOG = False
AXES_VERBOSE = False
