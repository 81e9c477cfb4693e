"""Settings for Partisipasi Publik, read from environment variables.

Every variable has a development default except in production (DEBUG off), where the
secret key must be given. Bad values fail loudly at start-up rather than half-working.
"""

from pathlib import Path
import os

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from config.storage import media_storage

BASE_DIR = Path(__file__).resolve().parent.parent


def env(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    if value.lower() in ("1", "true", "yes", "on"):
        return True
    if value.lower() in ("0", "false", "no", "off"):
        return False
    raise ImproperlyConfigured(f"Unexpected value {name}={value}, use 'true' or 'false'")


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"Unexpected value {name}={value}, expected an integer") from None


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in env(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", False)

SECRET_KEY = env("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off")
    SECRET_KEY = "dev-only-insecure-key-do-not-use-in-production-0123456789abcdef"

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.postgres",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "guardian",
    "simple_history",
    "accounts",
    "participation",
    "programs",
    "consultations",
    "audit",
    "transparency",
    "notifications",
    "musrenbang",
    "workspace",
    "django_tasks",
    "django_tasks_db",
    # No models: its migrations make what `migrate` must set up beyond the apps' tables (the cache table).
    "config.apps.PortalConfig",
]

# Emails are sent by a separate worker process (`manage.py db_worker`), never inside a request.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
# Local hour from which the daily digest emails go out.
DIGEST_HOUR = env_int("DIGEST_HOUR", 7)

MIDDLEWARE = [
    # Answers /metrics on METRICS_PORT only, before anything else (config/metrics.py).
    "config.metrics.MetricsEndpoint",
    "django_prometheus.middleware.PrometheusBeforeMiddleware",
    "audit.logging.RequestLogMiddleware",
    # ETag on every cacheable response and 304 for a matching If-None-Match (public pages and feeds;
    # outside SecurityHeaders so that no-store pages, which it marks, get none).
    "django.middleware.http.ConditionalGetMiddleware",
    "config.middleware.SecurityHeaders",
    "django.middleware.security.SecurityMiddleware",
    "config.middleware.RejectUndecodableInput",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "config.middleware.AnonymousPageCache",
    "config.replicas.ReplicaRoutingMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "config.middleware.LanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "accounts.middleware.StaffSecondFactor",
    "simple_history.middleware.HistoryRequestMiddleware",
    "config.middleware.DatabaseUnavailable",
    "config.middleware.UniqueConflict",
    "django_prometheus.middleware.PrometheusAfterMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

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
                "config.context_processors.portal",
                "config.context_processors.second_factor",
                "notifications.context_processors.unread_count",
                "workspace.context_processors.workspace_count",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        env("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=env_int("DB_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
# A database host that does not answer (a network partition, a failover) fails the request within
# this many seconds, as a 503, instead of holding a web worker until gunicorn kills it.
DB_CONNECT_TIMEOUT = env_int("DB_CONNECT_TIMEOUT", 5)
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Several processes (server, seeder, tests) share the file: wait instead of failing.
    DATABASES["default"]["OPTIONS"] = {"timeout": 20, "transaction_mode": "IMMEDIATE"}
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    # A file, not memory, so a test that drops the connection does not drop the database with it.
    DATABASES["default"]["TEST"] = {"NAME": f"{DATABASES['default']['NAME']}.test"}

# Read replicas (config/replicas.py): public read-only pages read from one of these, chosen per
# request; writes, and a browser's reads for REPLICA_PIN_SECONDS after it wrote, use the primary.
for number, replica_url in enumerate(env_list("DATABASE_REPLICA_URLS", ""), start=1):
    DATABASES[f"replica_{number}"] = {
        **dj_database_url.parse(replica_url, conn_max_age=env_int("DB_CONN_MAX_AGE", 60), conn_health_checks=True),
        # Tests run against the primary's test database; no second one is created.
        "TEST": {"MIRROR": "default"},
    }
DATABASE_ROUTERS = ["config.replicas.ReplicaRouter"]
REPLICA_PIN_SECONDS = env_int("REPLICA_PIN_SECONDS", 5)
REPLICA_RETRY_SECONDS = env_int("REPLICA_RETRY_SECONDS", 5)
for database in DATABASES.values():
    if database["ENGINE"] == "django.db.backends.postgresql":
        database.setdefault("OPTIONS", {}).setdefault("connect_timeout", DB_CONNECT_TIMEOUT)
    # django-prometheus's subclasses of the same backends count queries and errors per alias (config/metrics.py).
    database["ENGINE"] = database["ENGINE"].replace("django.db.backends.", "django_prometheus.db.backends.")

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

REDIS_URL = env("REDIS_URL")
# Fail-safe caches (config/cache.py): a failing cache is skipped, never a 500. The database cache
# (table portal_cache, made by the migration config/0001) is always there: it is the cache without
# Redis, and with Redis it takes over while Redis fails, so rate limits keep counting.
CACHES = {
    "database": {
        "BACKEND": "config.cache.FailSafeDatabaseCache",
        "LOCATION": "portal_cache",
    }
}
if REDIS_URL:
    CACHES["default"] = {
        "BACKEND": "config.cache.FailSafeRedisCache",
        "LOCATION": REDIS_URL,
        "FALLBACK": "database",
        # A Redis that hangs must not hold a request for long: give up quickly and fall back.
        "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
    }
else:
    CACHES["default"] = CACHES["database"]
CACHE_RETRY_SECONDS = env_int("CACHE_RETRY_SECONDS", 5)
for cache_alias, cache_settings in CACHES.items():
    CACHES[cache_alias] = {**cache_settings, "ALIAS": cache_alias, "RETRY_AFTER": CACHE_RETRY_SECONDS}
# Sessions live in the database (never in Redis alone): a Redis outage logs nobody out.
SESSION_ENGINE = "django.contrib.sessions.backends.db"

# Rendered cards, comments, responses and timelines, per version of their data (config/fragments.py):
# in each worker's memory, bounded, least recently used out first. 0 seconds: off.
FRAGMENT_CACHE_SECONDS = env_int("FRAGMENT_CACHE_SECONDS", 3600)
CACHES["fragments"] = {
    "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
    "LOCATION": "portal-fragments",
    "TIMEOUT": max(FRAGMENT_CACHE_SECONDS, 1),
    "OPTIONS": {"MAX_ENTRIES": env_int("FRAGMENT_CACHE_ENTRIES", 5000), "CULL_FREQUENCY": 4},
}

AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
    "guardian.backends.ObjectPermissionBackend",
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Internationalisation: Bahasa Indonesia first, English available.
LANGUAGE_CODE = "id"
LANGUAGES = [("id", "Bahasa Indonesia"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env("TIME_ZONE", "Asia/Jakarta")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
# Uploaded files are private: they are served only through views that check rights. They live on
# the local disk (MEDIA_ROOT) unless MEDIA_STORAGE_URL or AWS_STORAGE_BUCKET_NAME names an S3 bucket
# (config/storage.py). With a bucket, MEDIA_SIGNED_URL_SECONDS > 0 lets those views answer with a
# signed URL valid that long instead of streaming the file through the web worker.
MEDIA_SIGNED_URL_SECONDS = env_int("MEDIA_SIGNED_URL_SECONDS", 0)
STORAGES = {
    "default": media_storage(os.environ, signed_url_seconds=MEDIA_SIGNED_URL_SECONDS),
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
MEDIA_ROOT = Path(env("MEDIA_ROOT", str(BASE_DIR / "media")))
MEDIA_URL = "/media-not-served/"
DATA_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024

SITE_ID = 1
# Used to build links in emails, which are written outside any request.
PORTAL_BASE_URL = env("PORTAL_BASE_URL", "http://127.0.0.1:8000")
SITE_NAME = env("SITE_NAME", "Partisipasi Publik")
REGION_NAME = env("REGION_NAME", "Kabupaten Contoh")
# Where citizens reach the personal-data protection officer (UU 27/2022); shown on the privacy page.
PRIVACY_CONTACT_EMAIL = env("PRIVACY_CONTACT_EMAIL", "pdp@partisipasi.example.go.id")

LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/"

# django-allauth: email is the login, verification is mandatory, and responses never
# reveal whether an address has an account.
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_SESSION_REMEMBER = None
ACCOUNT_EMAIL_SUBJECT_PREFIX = f"[{SITE_NAME}] "
ACCOUNT_RATE_LIMITS = {
    "login": "30/m/ip",
    "login_failed": "5/5m/ip,5/5m/key",
    "signup": "10/h/ip",
    "reset_password": "5/h/ip,3/h/key",
    "reset_password_from_key": "20/h/ip",
    "confirm_email": "3/5m/key",
    "change_password": "5/m/user",
    "manage_email": "10/m/user",
}
ACCOUNT_ADAPTER = "accounts.adapters.AccountAdapter"
ACCOUNT_SIGNUP_FORM_CLASS = "accounts.forms.SignupForm"
ACCOUNT_FORMS = {"signup": "accounts.signup.PortalSignupForm"}
# Behind exactly one reverse proxy the real client address is the last X-Forwarded-For hop.
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0)
ALLAUTH_TRUSTED_PROXY_COUNT = TRUSTED_PROXY_COUNT

# Staff (moderators, officials, administrators) sign in with a password and an authenticator
# app (TOTP, with recovery codes) before any staff page opens; see accounts/middleware.py.
# On in production; off by default in development so the demo logins work with a password.
STAFF_MFA_REQUIRED = env_bool("STAFF_MFA_REQUIRED", not DEBUG)
MFA_ADAPTER = "accounts.adapters.MFAAdapter"
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = SITE_NAME
# One 30-second step either side: phones' clocks drift and typing a code takes time.
MFA_TOTP_TOLERANCE = 1

GUARDIAN_RAISE_403 = False
GUARDIAN_RENDER_403 = False
ANONYMOUS_USER_NAME = None  # guardian: anonymous users never hold object rights

SIMPLE_HISTORY_HISTORY_CHANGE_REASON_USE_TEXT_FIELD = True
# Reverting from admin would bypass the services (locks, rules, audit); history is read-only.
SIMPLE_HISTORY_REVERT_DISABLED = True

# Seconds a public page stays in the shared cache for visitors without a session (0: off).
PAGE_CACHE_SECONDS = env_int("PAGE_CACHE_SECONDS", 0 if DEBUG else 10)

# Seconds a reverse proxy or CDN may keep a public page for visitors without a session
# (Cache-Control: public, s-maxage; config/middleware.py SecurityHeaders). 0: no public caching.
EDGE_CACHE_SECONDS = env_int("EDGE_CACHE_SECONDS", PAGE_CACHE_SECONDS)

# Seconds the home page, the public lists and the page of one proposal, program or consultation,
# built for signed-in people, are shared between people of the same standing and relation to the
# item (config/shared_pages.py; any change to public data rebuilds them at once, this bounds only
# text that follows the clock). 0: off.
SHARED_PAGE_SECONDS = env_int("SHARED_PAGE_SECONDS", PAGE_CACHE_SECONDS)

MODERATION_DEADLINE_WORKING_DAYS = env_int("MODERATION_DEADLINE_WORKING_DAYS", 3)
# Days a work unit has to answer a published proposal; older unanswered ones stand out in /kerja/.
ANSWER_DEADLINE_DAYS = env_int("ANSWER_DEADLINE_DAYS", 14)
# The "Kerja (n)" menu count is kept per person in the cache (workspace/menu.py) and counted again
# after any change to what it counts; this bounds what the clock alone changes (a deadline or a
# report window passing). 0: count it on every page.
WORKSPACE_COUNT_SECONDS = env_int("WORKSPACE_COUNT_SECONDS", 60)
# How often an author may reopen a rejected proposal and submit it again.
PROPOSAL_RESUBMISSION_LIMIT = env_int("PROPOSAL_RESUBMISSION_LIMIT", 3)
# Files accepted by a proposal form that was never sent are removed after this many hours.
STAGED_UPLOAD_MAX_AGE_HOURS = env_int("STAGED_UPLOAD_MAX_AGE_HOURS", 24)

# The internal port on which gunicorn (config/gunicorn.py) also listens and /metrics answers; empty: no metrics.
METRICS_PORT = env_int("METRICS_PORT", 0)

# The benchmark's ceiling: a view that does nothing, served only when the benchmark asks for it.
BENCH_CEILING = env_bool("BENCH_CEILING", False)

# Email: console in development, SMTP when EMAIL_HOST is set.
EMAIL_HOST = env("EMAIL_HOST")
if EMAIL_HOST:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_PORT = env_int("EMAIL_PORT", 587)
    EMAIL_HOST_USER = env("EMAIL_HOST_USER")
    EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD")
    EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", True)
else:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", "Partisipasi Publik <noreply@partisipasi.example.go.id>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Security: strict by default in production; each can be relaxed by variable for a TLS-less test box.
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
# Everything from our own origin; nothing inline (templates hold no script body, style attribute or
# event handler). `data:` images only for the second-factor QR code. Set by config.middleware.SecurityHeaders.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
    "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
X_FRAME_OPTIONS = "DENY"
if not DEBUG:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    # Load balancers probe the health check over plain HTTP inside the network.
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
    SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", True)
    CSRF_COOKIE_SECURE = env_bool("SECURE_COOKIES", True)
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)
    if TRUSTED_PROXY_COUNT:
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SILENCED_SYSTEM_CHECKS = env_list("SILENCED_SYSTEM_CHECKS", "")

LOG_FORMAT = env("LOG_FORMAT", "plain")
if LOG_FORMAT not in ("plain", "json"):
    raise ImproperlyConfigured(f"Unexpected value LOG_FORMAT={LOG_FORMAT}, use 'plain' or 'json'")
LOG_LEVEL = env("LOG_LEVEL", "INFO")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_context": {"()": "audit.logging.RequestContextFilter"}},
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
        "json": {"()": "audit.logging.JsonFormatter"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": LOG_FORMAT,
            "filters": ["request_context"],
        }
    },
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        # Our request middleware logs every request once; Django's own would repeat it.
        "django.request": {"level": "ERROR"},
        "django.server": {"level": "ERROR"},
        "django.db.backends": {"level": "INFO"},
    },
}
