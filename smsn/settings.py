"""Settings for smsn, driven by environment variables.

With nothing set, the site runs for local development on an SQLite file with debug on.
Production sets DJANGO_DEBUG=0, DJANGO_SECRET_KEY, DJANGO_ALLOWED_HOSTS, DATABASE_URL and
REDIS_URL; it refuses to start with the development secret key.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool) -> bool:
    """Return the environment variable `name` read as a boolean."""
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    """Return the comma-separated environment variable `name` as a list."""
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DJANGO_DEBUG", default=True)

_DEV_SECRET_KEY = "django-insecure-local-development-only-never-in-production"  # noqa: S105
SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", _DEV_SECRET_KEY)
if not DEBUG and (SECRET_KEY == _DEV_SECRET_KEY or len(SECRET_KEY) < 50):
    raise ImproperlyConfigured(
        "DJANGO_SECRET_KEY must be set to a long random value when DJANGO_DEBUG is off."
    )
# Keys the IP-address hash separately from SECRET_KEY so it can rotate on its own schedule
# (see README, "Privacy") without logging everybody out.
IP_HASH_KEY = os.environ.get("SMSN_IP_HASH_KEY", SECRET_KEY)

ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    # sitemap.xml (definitions/sitemaps.py).
    "django.contrib.sitemaps",
    # The widget templates, for FORM_RENDERER below.
    "django.forms",
    "django_htmx",
    "definitions",
    "comments",
    # Search across both apps (search/): above comments in the import layers.
    "search",
    # The site's own system checks (smsn/checks.py).
    "smsn",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Whitenoise straight after SecurityMiddleware, so static files skip the rest of the stack.
    "smsn.static.StaticFilesMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    # Empty 4xx answers (405 from require_GET/POST) get a sentence saying what was wrong.
    "smsn.middleware.ExplainRefusalsMiddleware",
    # A database outage answers 503 with a styled page instead of a traceback.
    "smsn.middleware.DatabaseUnavailableMiddleware",
    # Before sessions and CSRF: a blocked address gets its 429 without any further work.
    "smsn.middleware.AdminLoginRateLimitMiddleware",
    # Broken UTF-8 in a form is refused before anything reads the form (Django would replace it).
    "smsn.middleware.FormEncodingMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "smsn.visitors.VisitorMiddleware",
]

ROOT_URLCONF = "smsn.urls"
WSGI_APPLICATION = "smsn.wsgi.application"

# Forms render their fields with the project's one field template (templates/django/forms/).
FORM_RENDERER = "django.forms.renderers.TemplatesSetting"
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# Database: SQLite file by default; DATABASE_URL=postgres://user@host:5432/name for PostgreSQL.
DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("DJANGO_CONN_MAX_AGE", "600")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL and a busy timeout let the dev server and a second process (tests, loaders) share the
    # file without "database is locked" errors.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "timeout": 20,
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
else:
    # Bounded waits, so a database that hangs costs a request seconds, not a worker (README,
    # "Reliability"): the server cancels a statement after SMSN_DB_STATEMENT_TIMEOUT_MS; the
    # client gives up on any answer a second later (smsn.postgresql: a frozen server enforces
    # nothing) and on connecting after SMSN_DB_CONNECT_TIMEOUT; keepalives and tcp_user_timeout
    # drop a connection whose network path has gone. Migrations and commands run with them too:
    # set SMSN_DB_STATEMENT_TIMEOUT_MS=0 for one that needs longer statements.
    _statement_ms = int(os.environ.get("SMSN_DB_STATEMENT_TIMEOUT_MS", "4000"))
    _answer_s = _statement_ms / 1000 + 1 if _statement_ms else 0
    if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
        DATABASES["default"]["ENGINE"] = "smsn.postgresql"
    _options = DATABASES["default"].setdefault("OPTIONS", {})
    _options.setdefault("connect_timeout", int(os.environ.get("SMSN_DB_CONNECT_TIMEOUT", "2")))
    _options.setdefault("options", f"-c statement_timeout={_statement_ms}")
    _options.setdefault("answer_timeout", _answer_s)
    _options.setdefault("keepalives", 1)
    _options.setdefault("keepalives_idle", 10)
    _options.setdefault("keepalives_interval", 2)
    _options.setdefault("keepalives_count", 3)
    _options.setdefault("tcp_user_timeout", int(_answer_s * 1000))

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# A shared cache: rate limits, visitor state and cached fragments must hold across worker
# processes and machines, so never a per-process memory cache.
REDIS_URL = os.environ.get("REDIS_URL", "")
_redis_scheme = urlsplit(REDIS_URL).scheme
if REDIS_URL and _redis_scheme not in {"redis", "rediss", "unix"}:
    # Redis would refuse it on the first cache call, so on every page (smsn/checks.py checks
    # the same for any cache setting).
    raise ImproperlyConfigured(
        "REDIS_URL must start with redis://, rediss:// (TLS) or unix:// "
        + (f"(its scheme is {_redis_scheme!r})." if _redis_scheme else "(it has no scheme).")
    )
if REDIS_URL:
    # Seconds to wait for Redis to accept a connection or answer: a Redis that hangs costs each
    # request this long (then 503 for writes; reading falls back to the database).
    _cache_timeout = float(os.environ.get("SMSN_CACHE_TIMEOUT", "1"))
    CACHES: dict[str, dict[str, Any]] = {
        "default": {
            # Django's backend, reusing its Redis client and incrementing in one round trip.
            "BACKEND": "smsn.redis_cache.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "smsn",
            "OPTIONS": {
                "socket_connect_timeout": _cache_timeout,
                "socket_timeout": _cache_timeout,
            },
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "smsn_cache",
        }
    }

# Anonymous visitors never touch the session; only signed-in moderators do.
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(os.environ.get("DJANGO_STATIC_ROOT", BASE_DIR / "staticfiles"))
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
WHITENOISE_MAX_AGE = 31536000 if not DEBUG else 0

# Request size: comments are at most 5,000 characters; anything far larger is refused early.
DATA_UPLOAD_MAX_MEMORY_SIZE = int(os.environ.get("SMSN_MAX_BODY_BYTES", str(256 * 1024)))
DATA_UPLOAD_MAX_NUMBER_FIELDS = 200

# Content Security Policy: scripts and styles from this site only, plus the per-request nonce
# that {% htmx_script %} uses; nothing inline, nothing evaluated, never framed.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "connect-src": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "object-src": [CSP.NONE],
}
# Addresses typed without a scheme in comments become https:// links (Django 2028's default).
URLIZE_ASSUME_HTTPS = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
# htmx sends the token from the page (hx-headers on <body>), so no script needs to read the cookie.
CSRF_COOKIE_HTTPONLY = True
CSRF_FAILURE_VIEW = "smsn.views.csrf_failure"

if not DEBUG:
    # Production sits behind a TLS-terminating proxy that sets X-Forwarded-Proto.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", default=True)
    # The proxy and the container engine check health over plain http, inside the network.
    SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
    SECURE_HSTS_SECONDS = int(os.environ.get("DJANGO_HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True

# The admin lives behind a configurable path so it is not where scanners look first.
ADMIN_PATH = os.environ.get("SMSN_ADMIN_PATH", "admin/").strip("/") + "/"
# Seconds a client is told to wait (Retry-After) when the database is unavailable.
SMSN_OUTAGE_RETRY_AFTER = 30

# Seconds a worker may serve its copy of a comparison page to a new visitor (no visitor cookie:
# nothing of theirs can be on it) without checking the page's version in the shared cache.
# Anyone who has voted, posted or reported carries the cookie and always gets the current page.
SMSN_SHARED_PAGE_MAX_AGE = float(os.environ.get("SMSN_SHARED_PAGE_MAX_AGE", "1"))
# The release, in every shared cache key that holds rendered HTML, so two releases on one Redis
# (a rolling deploy) never serve each other's pages. Empty: the static manifest's hash.
SMSN_RELEASE = os.environ.get("SMSN_RELEASE", "")

# Which comparison "/" shows.
# The site's public address ("https://smsn.example"), for canonical links, sharing tags, the
# sitemap and structured data: the same whichever host name or instance answered. Unset: each
# request's own scheme and host.
SMSN_SITE_URL = os.environ.get("SMSN_SITE_URL", "").rstrip("/")
SMSN_FLAGSHIP_COMPARISON = os.environ.get("SMSN_FLAGSHIP", "social-media-vs-social-networking")

# Visitor cookie: a random id, signed, HttpOnly, kept for a year.
SMSN_VISITOR_COOKIE = "smsn_visitor"
SMSN_VISITOR_COOKIE_AGE = 365 * 24 * 3600
# Retention of visitor ids, IP hashes and emails (management command `purgevisitordata`).
SMSN_RETENTION_DAYS = int(os.environ.get("SMSN_RETENTION_DAYS", "90"))

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"without_traceback": {"()": "smsn.logs.WithoutTraceback"}},
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "loggers": {
        # A request too large (413) or with too many fields (400): one line each, not a traceback.
        f"django.security.{refusal}": {"filters": ["without_traceback"]}
        for refusal in ("RequestDataTooBig", "TooManyFieldsSent", "TooManyFilesSent")
    },
    "root": {"handlers": ["console"], "level": os.environ.get("DJANGO_LOG_LEVEL", "INFO")},
}
# How many proxies in front of the app append to X-Forwarded-For and are trusted to (README,
# "Production"): 0 when clients reach gunicorn directly, 1 behind the nginx of docker-compose.yml.
# Too high a count lets every client choose the address its limits are counted by.
_proxy_count = os.environ.get("SMSN_TRUSTED_PROXY_COUNT", "0")
if not _proxy_count.strip().isdigit():
    raise ImproperlyConfigured("SMSN_TRUSTED_PROXY_COUNT must be a whole number, 0 or more.")
SMSN_TRUSTED_PROXY_COUNT = int(_proxy_count)

# Every rate limit, in one place (smsn/ratelimit.py counts them): per action, (how many, per
# seconds), counted per IP network and, for comments and reports, per visitor id too.
# SMSN_RATE_LIMIT_MULTIPLIER scales the visitors' limits: the load benchmark (bin/benchmark) plays
# thousands of visitors from 127.0.0.1 and sets it high; production leaves it at 1.
SMSN_RATE_LIMIT_MULTIPLIER = max(1, int(os.environ.get("SMSN_RATE_LIMIT_MULTIPLIER", "1")))
SMSN_RATE_LIMITS = {
    action: [(count * SMSN_RATE_LIMIT_MULTIPLIER, seconds) for count, seconds in limits]
    for action, limits in {
        "vote": [(30, 60)],
        # Placing the points of a comparison: one press per point, changed now and then.
        "placement": [(30, 60)],
        # Answers to "Is YouTube social media, social networking, or both?", per network.
        "answer": [(30, 60)],
        "distinction": [(10, 600)],
        "comment": [(5, 60), (30, 3600)],
        "report": [(10, 60), (50, 3600)],
    }.items()
}
# Failed admin sign-ins from one network before a 429 (never scaled).
SMSN_RATE_LIMITS["admin-sign-in"] = [
    (int(os.environ.get("SMSN_ADMIN_LOGIN_FAILURES", "10")), 15 * 60)
]
# Readers' comments and readers' distinctions alike (definitions.moderation reads both): how long
# after posting the author may edit or delete one, and how many different visitors' reports hold
# one for a moderator.
SMSN_COMMENT_EDIT_MINUTES = int(os.environ.get("SMSN_COMMENT_EDIT_MINUTES", "15"))
SMSN_COMMENT_REPORT_THRESHOLD = int(os.environ.get("SMSN_COMMENT_REPORT_THRESHOLD", "3"))
# Least seconds between loading a form and sending it (bots post at once); 0 for the benchmark.
SMSN_COMMENT_MIN_SECONDS = float(os.environ.get("SMSN_COMMENT_MIN_SECONDS", "3"))
SMSN_DISTINCTION_MIN_SECONDS = float(os.environ.get("SMSN_DISTINCTION_MIN_SECONDS", "3"))
