"""Django settings, read from the environment (see `.env.example` at the project root).

Development needs nothing: the database is an SQLite file under ./var/ and a secret key is
generated once into ./var/secret_key. Production (`TINHSO_ENV=production`) requires
`SECRET_KEY`, `ALLOWED_HOSTS` and turns on the strict security settings that
`tinhso check --deploy` verifies.
"""

from __future__ import annotations

import contextlib
import secrets
from datetime import timedelta
from pathlib import Path
from typing import Any

from django.utils.translation import gettext_lazy as _
from environs import Env, validate

from tinhso.core.logging import FORMATS as LOG_FORMATS
from tinhso.core.logging import check_level, logging_config

# The one typed reader of the environment: every setting below is read through `env`, so a wrong
# value (TINHSO_MAX_DUE_YEARS=abc, DATABASE_URL=nonsense) raises `environs.EnvError` naming the
# variable, which `tinhso` (cli.py) prints as one line with exit code 2. Every variable read here
# is listed in .env.example (tests/ops/test_settings_env.py checks it).
env = Env()

PACKAGE_DIR = Path(__file__).resolve().parent
VAR_DIR = Path(env.str("TINHSO_VAR_DIR", str(Path.cwd() / "var"))).resolve()


def env_list(name: str, default: str) -> list[str]:
    """A comma-separated list, items stripped, empty items dropped."""
    return [item.strip() for item in env.str(name, default).split(",") if item.strip()]


ENVIRONMENT = env.str("TINHSO_ENV", "development")
PRODUCTION = ENVIRONMENT == "production"
DEBUG = env.bool("DEBUG", False)


def _secret_key() -> str:
    key = env.str("SECRET_KEY", "")
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
    "tinhso.monitoring",
    "tinhso.idempotency",
    "tinhso.throttling",
    "tinhso.units",
    "tinhso.agencies",
    "tinhso.workcalendar",
    "tinhso.catalogue",
    "tinhso.dossiers",
    "tinhso.payments",
    "tinhso.feedback",
    "tinhso.citizens",
    "tinhso.signing",
    "tinhso.open311",
    "tinhso.indicators",
    "tinhso.opscentre",
    "tinhso.api",
    "tinhso.feedbackweb",
    "tinhso.citizenweb",
    "tinhso.workspace",
    "tinhso.demo",
]

MIDDLEWARE = [
    # First: the request id every log line of the request carries (tinhso.core.logging).
    "tinhso.core.logging.RequestIdMiddleware",
    # Times every request for /metrics (tinhso.monitoring.metrics).
    "tinhso.monitoring.metrics.RequestMetricsMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Right after sign-in is known: a session idle for TINHSO_STAFF_SESSION_SECONDS ends here.
    "tinhso.workspace.session_timeout.StaffSessionTimeoutMiddleware",
    # A citizen's session idle for TINHSO_CITIZEN_SESSION_SECONDS ends here (tinhso.citizenweb.guards).
    "tinhso.citizenweb.guards.CitizenSessionTimeoutMiddleware",
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
# A signed-in (staff) session ends after this many seconds without activity — a working day by
# default — and the page warns TINHSO_SESSION_WARNING_SECONDS before, with a "keep working"
# button (tinhso.workspace.session_timeout).
TINHSO_STAFF_SESSION_SECONDS = env.int("TINHSO_STAFF_SESSION_SECONDS", 9 * 3600)
TINHSO_SESSION_WARNING_SECONDS = env.int("TINHSO_SESSION_WARNING_SECONDS", 300)
# A refused form (CSRF) answers with the product's own page.
CSRF_FAILURE_VIEW = "tinhso.workspace.error_views.csrf_failure"

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
                "tinhso.workspace.session_timeout.session_context",
                "tinhso.demo.context.demo",
                "tinhso.citizenweb.context.citizen",
            ],
        },
    },
]

DATABASES = {
    "default": env.dj_db_url(
        "DATABASE_URL", f"sqlite:///{VAR_DIR / 'tinhso.sqlite3'}",
        conn_max_age=env.int("DB_CONN_MAX_AGE", 60),
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
    DATABASES["default"].setdefault("TEST", {})["NAME"] = str(VAR_DIR / "test.sqlite3") if env.bool("TINHSO_TEST_FILE_DB", False) else None
else:
    DATABASES["default"].setdefault("TEST", {})["NAME"] = env.str("TEST_DATABASE_NAME", "") or None

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
TIME_ZONE = env.str("TIME_ZONE", "Asia/Ho_Chi_Minh")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(env.str("STATIC_ROOT", str(VAR_DIR / "static")))
# whitenoise warns "No directory at …" for every process until `tinhso setup` collects static files.
with contextlib.suppress(OSError):
    STATIC_ROOT.mkdir(parents=True, exist_ok=True)
# The vendored htmx, Pico CSS and ECharts live in the package, outside any app.
STATICFILES_DIRS = [PACKAGE_DIR / "static"]
MEDIA_URL = "media/"
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", str(VAR_DIR / "media")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if PRODUCTION
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = not PRODUCTION
# An uploaded file larger than this is spooled to a temporary file as it arrives rather than held
# in memory: four citizens uploading three 1 MB scans each cost the server a few chunks of
# memory, not 12 MB (bench/bench_online_submission.py samples the server's memory).
FILE_UPLOAD_MAX_MEMORY_SIZE = env.int("FILE_UPLOAD_MAX_MEMORY_SIZE", 256 * 1024)
# Form fields and JSON bodies (not files) are read into memory: 2.5 MB is far more than any form
# or receipt needs. Files stream to disk; the request as a whole is capped before it is parsed
# (`TINHSO_MAX_REQUEST_BYTES`, `TINHSO_MAX_PUBLIC_REQUEST_BYTES`, core/middleware.py).
DATA_UPLOAD_MAX_MEMORY_SIZE = env.int("DATA_UPLOAD_MAX_MEMORY_SIZE", 2_621_440)

# Security: strict in production, relaxed where a laptop has no TLS.
SESSION_COOKIE_HTTPONLY = True
SECURE_CONTENT_TYPE_NOSNIFF = True
# No page is meant to be framed; a view that must be (a form preview) uses @xframe_options_sameorigin.
X_FRAME_OPTIONS = "DENY"
if PRODUCTION:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True

# Every log line carries timestamp, level, logger and request id (tinhso.core.logging); JSON lines
# for a log shipper with TINHSO_LOG_FORMAT=json.
LOG_LEVEL = env.str("LOG_LEVEL", "INFO", validate=check_level).upper()
TINHSO_LOG_FORMAT = env.str("TINHSO_LOG_FORMAT", "text", validate=validate.OneOf(LOG_FORMATS))
LOGGING: dict[str, Any] = logging_config(level=LOG_LEVEL, log_format=TINHSO_LOG_FORMAT)
# Proxies whose X-Forwarded-* headers `tinhso serve` (gunicorn) trusts.
FORWARDED_ALLOW_IPS = env.str("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")

# --- tinhso's own settings ------------------------------------------------------------------
# The province this installation serves (GSO code); the demo seeds it.
TINHSO_PROVINCE = env.str("TINHSO_PROVINCE", "25")
# Form 04 must be issued at least this many working hours before the due moment (L-confidence
# rule in Decree 118; 0 switches the check off).
TINHSO_EXTENSION_MIN_NOTICE_HOURS = env.int("TINHSO_EXTENSION_MIN_NOTICE_HOURS", 8)
# Largest attachment accepted, in bytes.
TINHSO_MAX_ATTACHMENT_BYTES = env.int("TINHSO_MAX_ATTACHMENT_BYTES", 20 * 1024 * 1024)
# Attachment types accepted (checked from the file's bytes, not its name).
TINHSO_ATTACHMENT_TYPES = env_list(
    "TINHSO_ATTACHMENT_TYPES", "application/pdf,image/jpeg,image/png,image/tiff,application/zip"
)
# Files one request may carry (the counter's attachments); with the attachment limit this caps
# a signed-in officer's or an API client's request body.
TINHSO_MAX_UPLOAD_FILES = env.int("TINHSO_MAX_UPLOAD_FILES", 10)
TINHSO_MAX_REQUEST_BYTES = env.int(
    "TINHSO_MAX_REQUEST_BYTES", TINHSO_MAX_UPLOAD_FILES * TINHSO_MAX_ATTACHMENT_BYTES + 1024 * 1024)
# How long the first answer to a request with an `Idempotency-Key` is kept for its retries.
TINHSO_IDEMPOTENCY_RETENTION_HOURS = env.int("TINHSO_IDEMPOTENCY_RETENTION_HOURS", 24)
# A due moment (an extension, an imported dossier) may lie at most this many years after receipt.
TINHSO_MAX_DUE_YEARS = env.int("TINHSO_MAX_DUE_YEARS", 5)
# Keep the index counters live in each dossier's transaction. Off only for measurements
# (bench/bench_receive_api.py); with it off the counters drift until `tinhso indicators rebuild`.
TINHSO_LIVE_COUNTERS = env.bool("TINHSO_LIVE_COUNTERS", True)
# Citizen feedback: how long after an answer the reporter may reopen it, photo limits.
TINHSO_FEEDBACK_REOPEN_DAYS = env.int("TINHSO_FEEDBACK_REOPEN_DAYS", 7)
TINHSO_FEEDBACK_MAX_PHOTOS = env.int("TINHSO_FEEDBACK_MAX_PHOTOS", 5)
TINHSO_FEEDBACK_MAX_PHOTO_BYTES = env.int("TINHSO_FEEDBACK_MAX_PHOTO_BYTES", 8 * 1024 * 1024)
# Anyone not signed in (the public forms, Open311 clients before their key is checked) may send a
# request body of at most this many bytes: the photos a report may carry, and 1 MB of fields.
TINHSO_MAX_PUBLIC_REQUEST_BYTES = env.int(
    "TINHSO_MAX_PUBLIC_REQUEST_BYTES", TINHSO_FEEDBACK_MAX_PHOTOS * TINHSO_FEEDBACK_MAX_PHOTO_BYTES + 1024 * 1024)
# A tile server on the province network for the report map ({z}/{x}/{y} URL); empty: no map.
TINHSO_MAP_TILES_URL = env.str("TINHSO_MAP_TILES_URL", "")

# --- notifications and background work (SMS, e-mail, huey) ---------------------------------
# The task queue: huey. Embedded default: a SQLite file under VAR_DIR (no server to run);
# production with several machines: Redis (`HUEY_REDIS_URL`, needs `pip install redis`).
# `TINHSO_HUEY_IMMEDIATE=1` runs every task inline, in the calling process (tests, debugging).
INSTALLED_APPS += ["huey.contrib.djhuey"]
# huey's log goes through the console handler once (not once more through the root logger).
LOGGING["loggers"]["huey"] = {"handlers": ["console"], "level": LOG_LEVEL, "propagate": False}
HUEY_REDIS_URL = env.str("HUEY_REDIS_URL", "")
# The worker writes a heartbeat every minute; /api/v1/health answers 503 when the last one is
# older than this many seconds.
TINHSO_WORKER_HEARTBEAT_MAX_AGE = env.int("TINHSO_WORKER_HEARTBEAT_MAX_AGE", 180, validate=validate.Range(min=60))
# Who may read /metrics (Prometheus): a bearer token, and/or client addresses or networks
# (comma-separated). Neither set: /metrics answers 404.
TINHSO_METRICS_TOKEN = env.str("TINHSO_METRICS_TOKEN", "")
TINHSO_METRICS_ALLOWED_IPS = env_list("TINHSO_METRICS_ALLOWED_IPS", "")
TINHSO_HUEY_IMMEDIATE = env.bool("TINHSO_HUEY_IMMEDIATE", False)
TINHSO_WORKER_THREADS = env.int("TINHSO_WORKER_THREADS", 2)
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
                 "filename": env.str("TINHSO_HUEY_FILE", str(VAR_DIR / "huey.sqlite3"))})

# SMS: the backend (dotted path) and, for the HTTP gateway, where and as whom.
TINHSO_SMS_BACKEND = env.str("TINHSO_SMS_BACKEND", "tinhso.feedback.sms.ConsoleSmsBackend")
# Demo mode (`tinhso demo` sets it for the processes it starts): the seeding banner and the
# page /demo/messages/ listing the SMS and e-mails the demo kept instead of sending.
TINHSO_DEMO = env.bool("TINHSO_DEMO", False)
TINHSO_SMS_URL = env.str("TINHSO_SMS_URL", "")
TINHSO_SMS_TOKEN = env.str("TINHSO_SMS_TOKEN", "")
TINHSO_SMS_SENDER = env.str("TINHSO_SMS_SENDER", "TINHSO")
TINHSO_SMS_TIMEOUT = env.float("TINHSO_SMS_TIMEOUT", 10.0)
TINHSO_SMS_ASCII = env.bool("TINHSO_SMS_ASCII", False)
# Phone verification codes: at most this many per phone in 15 minutes and per address per hour.
TINHSO_OTP_MAX_PER_PHONE = env.int("TINHSO_OTP_MAX_PER_PHONE", 3)
TINHSO_OTP_MAX_PER_IP = env.int("TINHSO_OTP_MAX_PER_IP", 10)
# The site's public address, for links in SMS and e-mails (tracking page, satisfaction survey).
TINHSO_PUBLIC_BASE_URL = env.str("TINHSO_PUBLIC_BASE_URL", "http://127.0.0.1:8000")

# E-mail (deadline reminders to officers, answers to reporters): printed to the console unless
# an SMTP server is configured.
EMAIL_BACKEND = env.str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env.str("EMAIL_HOST", "localhost")
EMAIL_PORT = env.int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env.str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env.str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", False)
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", 20)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", "tinhso@localhost")

# --- throttles: everything that checks a secret (tinhso.throttling, django-axes) ----------------
# The reverse proxies whose X-Forwarded-For is believed (addresses or networks, comma-separated).
# Empty (the default): the client's address is the connection's (tinhso.core.clients).
TINHSO_TRUSTED_PROXIES = env_list("TINHSO_TRUSTED_PROXIES", "")
# Tries per window of the throttles of tinhso.throttling.services (its table gives the windows).
TINHSO_OTP_MAX_CHECKS_PER_IP = env.int("TINHSO_OTP_MAX_CHECKS_PER_IP", 30)
TINHSO_RATING_MAX_FAILURES_PER_DOSSIER = env.int("TINHSO_RATING_MAX_FAILURES_PER_DOSSIER", 5)
TINHSO_RATING_MAX_FAILURES_PER_IP = env.int("TINHSO_RATING_MAX_FAILURES_PER_IP", 20)
TINHSO_API_KEY_MAX_FAILURES_PER_IP = env.int("TINHSO_API_KEY_MAX_FAILURES_PER_IP", 30)
TINHSO_PAYMENT_WEBHOOK_MAX_FAILURES_PER_IP = env.int("TINHSO_PAYMENT_WEBHOOK_MAX_FAILURES_PER_IP", 30)
# Staff sign-in (django-axes, the workspace and the admin alike): after this many wrong passwords
# for one username from one address, that pair is locked out for the minutes below; a correct
# password then does not sign in either. Each lockout is an audit entry.
TINHSO_LOGIN_FAILURE_LIMIT = env.int("TINHSO_LOGIN_FAILURE_LIMIT", 5)
TINHSO_LOGIN_LOCKOUT_MINUTES = env.int("TINHSO_LOGIN_LOCKOUT_MINUTES", 15)
AXES_FAILURE_LIMIT = TINHSO_LOGIN_FAILURE_LIMIT
AXES_COOLOFF_TIME = timedelta(minutes=TINHSO_LOGIN_LOCKOUT_MINUTES)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_CLIENT_IP_CALLABLE = "tinhso.core.clients.client_address"
AXES_LOCKOUT_CALLABLE = "tinhso.workspace.views.signin_locked_out"
AXES_ENABLE_ACCESS_FAILURE_LOG = False
AXES_VERBOSE = False

# --- staff identity: second factor and single sign-on (tinhso.identity) ------------------------
INSTALLED_APPS += ["django_otp", "django_otp.plugins.otp_totp", "tinhso.identity"]
# django-otp puts the session's verified device on request.user; then, for a person whose role
# requires a second factor and who has not entered it, every page leads to it (the admin too).
MIDDLEWARE.insert(MIDDLEWARE.index("django.contrib.auth.middleware.AuthenticationMiddleware") + 1,
                  "django_otp.middleware.OTPMiddleware")
MIDDLEWARE.insert(MIDDLEWARE.index("django_otp.middleware.OTPMiddleware") + 1,
                  "tinhso.identity.middleware.SecondFactorMiddleware")
# Roles whose holders must confirm each sign-in with a code from an authenticator app (TOTP):
# comma-separated `agencies.Role` values (reception, specialist, head, leader, records_clerk,
# administrator, viewer) and `superuser`. Empty: nobody (the default). Recommended for a pilot:
# leader,administrator,superuser.
TINHSO_STAFF_OTP_REQUIRED_ROLES = env_list("TINHSO_STAFF_OTP_REQUIRED_ROLES", "")
# Wrong codes per person in 15 minutes and per address in an hour before the check is refused.
TINHSO_STAFF_OTP_MAX_FAILURES_PER_USER = env.int("TINHSO_STAFF_OTP_MAX_FAILURES_PER_USER", 5)
TINHSO_STAFF_OTP_MAX_FAILURES_PER_IP = env.int("TINHSO_STAFF_OTP_MAX_FAILURES_PER_IP", 20)
# The name authenticator apps show next to the code.
OTP_TOTP_ISSUER = env.str("TINHSO_STAFF_OTP_ISSUER", "Tỉnh số")
# One throttle, tinhso.throttling's (above): django-otp's own growing delay is off.
OTP_TOTP_THROTTLE_FACTOR = 0
# Staff single sign-on through the province's directory (OpenID Connect: authorization code with
# PKCE, RS256 ID tokens checked against the issuer's JWKS). Off while the issuer or client id is
# empty. Endpoints come from {issuer}/.well-known/openid-configuration.
TINHSO_STAFF_OIDC_ISSUER = env.str("TINHSO_STAFF_OIDC_ISSUER", "")
TINHSO_STAFF_OIDC_CLIENT_ID = env.str("TINHSO_STAFF_OIDC_CLIENT_ID", "")
TINHSO_STAFF_OIDC_CLIENT_SECRET = env.str("TINHSO_STAFF_OIDC_CLIENT_SECRET", "")
TINHSO_STAFF_OIDC_SCOPES = env.str("TINHSO_STAFF_OIDC_SCOPES", "openid email profile")
# The claims that name the staff account: the username first, else the e-mail address.
TINHSO_STAFF_OIDC_USERNAME_CLAIM = env.str("TINHSO_STAFF_OIDC_USERNAME_CLAIM", "preferred_username")
TINHSO_STAFF_OIDC_EMAIL_CLAIM = env.str("TINHSO_STAFF_OIDC_EMAIL_CLAIM", "email")
# Create an account (without any role) for a person the directory knows and tinhso does not.
TINHSO_STAFF_OIDC_CREATE_USERS = env.bool("TINHSO_STAFF_OIDC_CREATE_USERS", False)
AUTHENTICATION_BACKENDS += ["tinhso.identity.staff_sso.StaffOidcBackend"]

# Citizens' sign-in through OpenID Connect: VNeID via the national public-service portal's SSO
# (tinhso.citizens.oidc); off unless the issuer and client id are set. Claim names of the portal's
# userinfo; the standard OIDC claims (name, birthdate, phone_number, email) are the fallback.
TINHSO_OIDC_ISSUER = env.str("TINHSO_OIDC_ISSUER", "")
TINHSO_OIDC_CLIENT_ID = env.str("TINHSO_OIDC_CLIENT_ID", "")
TINHSO_OIDC_CLIENT_SECRET = env.str("TINHSO_OIDC_CLIENT_SECRET", "")
TINHSO_OIDC_SCOPES = env.str("TINHSO_OIDC_SCOPES", "openid profile")
TINHSO_OIDC_ACR_VALUES = env.str("TINHSO_OIDC_ACR_VALUES", "")
TINHSO_OIDC_CLAIM_ID_NUMBER = env.str("TINHSO_OIDC_CLAIM_ID_NUMBER", "SoDinhDanh")
TINHSO_OIDC_CLAIM_TAX_CODE = env.str("TINHSO_OIDC_CLAIM_TAX_CODE", "MaSoThue")
TINHSO_OIDC_CLAIM_NAME = env.str("TINHSO_OIDC_CLAIM_NAME", "HoVaTen")
TINHSO_OIDC_CLAIM_BIRTH_DATE = env.str("TINHSO_OIDC_CLAIM_BIRTH_DATE", "NgaySinh")
TINHSO_OIDC_CLAIM_PHONE = env.str("TINHSO_OIDC_CLAIM_PHONE", "SoDienThoai")
TINHSO_OIDC_CLAIM_EMAIL = env.str("TINHSO_OIDC_CLAIM_EMAIL", "ThuDienTu")
AUTHENTICATION_BACKENDS += ["tinhso.citizens.oidc.CitizenOidcBackend"]
# A citizen's session ends after this many seconds without activity.
TINHSO_CITIZEN_SESSION_SECONDS = env.int("TINHSO_CITIZEN_SESSION_SECONDS", 1800)
# Refused citizen access tokens (API bearer) per client address in 10 minutes.
TINHSO_CITIZEN_TOKEN_MAX_FAILURES_PER_IP = env.int("TINHSO_CITIZEN_TOKEN_MAX_FAILURES_PER_IP", 30)


def _tiles_origin(url: str) -> list[str]:
    """`https://tiles.example.vn/{z}/{x}/{y}.png` → [`https://tiles.example.vn`]; [] when unset."""
    from urllib.parse import urlsplit

    parts = urlsplit(url.replace("{", "").replace("}", ""))
    return [f"{parts.scheme}://{parts.netloc}"] if parts.scheme in {"http", "https"} and parts.netloc else []


# --- Content-Security-Policy (django-csp 4) ----------------------------------------------------
# Every script is a vendored static file: no inline script, no eval, no other origin. Styles may be
# inline (the printable forms carry their own <style> and column widths; htmx and ECharts set
# styles), which runs no code. Map tiles come from TINHSO_MAP_TILES_URL's origin.
MIDDLEWARE.insert(MIDDLEWARE.index("django.middleware.security.SecurityMiddleware") + 1, "csp.middleware.CSPMiddleware")
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:", "blob:", *_tiles_origin(TINHSO_MAP_TILES_URL)],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}


# --- signed results (tinhso.signing) -----------------------------------------------------------
# PEM files of the certificates the province trusts as the roots of signers' chains (comma-
# separated), besides the trust roots in the database (the demo CA's, or added in the admin).
TINHSO_SIGNING_TRUST_ROOTS = env_list("TINHSO_SIGNING_TRUST_ROOTS", "")
# Fetch OCSP answers and CRLs over the network when validating (off: only what the file embeds).
TINHSO_SIGNING_ALLOW_FETCHING = env.bool("TINHSO_SIGNING_ALLOW_FETCHING", False)
# An RFC 3161 time-stamping authority; empty: signatures carry no time-stamp.
TINHSO_SIGNING_TSA_URL = env.str("TINHSO_SIGNING_TSA_URL", "")
TINHSO_SIGNING_TSA_TIMEOUT_SECONDS = env.int("TINHSO_SIGNING_TSA_TIMEOUT_SECONDS", 10)
# The QR code of a signed result points to {TINHSO_PUBLIC_BASE_URL}/xac-thuc/<id>/ (set above).
# Remote signing (VNPT SmartCA / Viettel MySign style, tinhso.signing.remote): the service's
# address and token, how long a call may take, how often it is retried, and how long the
# signer has to confirm on their phone.
TINHSO_SIGNING_REMOTE_URL = env.str("TINHSO_SIGNING_REMOTE_URL", "")
TINHSO_SIGNING_REMOTE_TOKEN = env.str("TINHSO_SIGNING_REMOTE_TOKEN", "")
TINHSO_SIGNING_REMOTE_TIMEOUT_SECONDS = env.float("TINHSO_SIGNING_REMOTE_TIMEOUT_SECONDS", 10.0)
TINHSO_SIGNING_REMOTE_RETRIES = env.int("TINHSO_SIGNING_REMOTE_RETRIES", 2)
TINHSO_SIGNING_REMOTE_POLL_SECONDS = env.float("TINHSO_SIGNING_REMOTE_POLL_SECONDS", 2.0)
TINHSO_SIGNING_REMOTE_CONFIRM_SECONDS = env.float("TINHSO_SIGNING_REMOTE_CONFIRM_SECONDS", 120.0)
# Files checked at /xac-thuc/ and POST /api/v1/verify per client address in an hour.
TINHSO_VERIFY_MAX_PER_IP = env.int("TINHSO_VERIFY_MAX_PER_IP", 60)
