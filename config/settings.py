"""Settings, read from the environment.

``DJANGO_ENV`` chooses the mode:

* ``local`` (the default) is for a developer's machine: DEBUG on, a fixed
  development secret key, and only localhost accepted as a host, so a
  forgotten production variable fails loudly instead of serving insecurely.
* ``production`` requires ``SECRET_KEY`` and ``ALLOWED_HOSTS`` and refuses
  ``DEBUG``.

``DATABASE_URL`` selects the database (a SQLite file in the project folder
when unset); PostgreSQL is ``postgres://user@host:5432/name``.
"""

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    if value.lower() in {"1", "true", "yes", "on"}:
        return True
    if value.lower() in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be a boolean (1/0, true/false), not {value!r}")


def env_positive_int(name: str, default: int) -> int:
    value = os.environ.get(name, "")
    if value == "":
        return default
    if not value.isascii() or not value.isdigit() or int(value) < 1:
        raise ImproperlyConfigured(f"{name} must be a positive whole number, not {value!r}")
    return int(value)


def env_list(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name, "")
    return [item.strip() for item in value.split(",") if item.strip()] or default


DJANGO_ENV = os.environ.get("DJANGO_ENV", "local")
if DJANGO_ENV not in {"local", "production"}:
    raise ImproperlyConfigured(f"DJANGO_ENV must be 'local' or 'production', not {DJANGO_ENV!r}")
PRODUCTION = DJANGO_ENV == "production"

DEBUG = env_bool("DEBUG", default=not PRODUCTION)
SECRET_KEY = os.environ.get("SECRET_KEY", "")
if PRODUCTION:
    if DEBUG:
        raise ImproperlyConfigured("DEBUG must be off when DJANGO_ENV=production.")
    if len(SECRET_KEY) < 50:
        raise ImproperlyConfigured(
            "SECRET_KEY must be set to a random string of at least 50 characters when DJANGO_ENV=production."
        )
    ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", [])
    if not ALLOWED_HOSTS:
        raise ImproperlyConfigured("ALLOWED_HOSTS must be set when DJANGO_ENV=production.")
else:
    SECRET_KEY = SECRET_KEY or "local-development-only-key-never-use-in-production"
    ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]", "testserver"])

INSTALLED_APPS = [
    "django.contrib.admin",
    "config.apps.AuthConfig",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_filters",
    "config.apps.ReversionConfig",
    "csp",
    "config.apps.AxesConfig",
    "regions",
    "cases",
    "search",
]

MIDDLEWARE = [
    "config.middleware.TrustedProxyMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "config.middleware.DatabaseUnavailableMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",
]

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

ROOT_URLCONF = "config.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "cases.context_processors.selection",
            ],
        },
    },
]

WSGI_APPLICATION = "config.wsgi.application"

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("DB_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Fail fast when the server is unreachable (a 503 page, not a hung worker),
    # and stop runaway statements.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "connect_timeout": int(os.environ.get("DB_CONNECT_TIMEOUT", "2")),
            "options": f"-c statement_timeout={int(os.environ.get('DB_STATEMENT_TIMEOUT_MS', '10000'))}",
        }
    )

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "zh-hans"
# The project's corrections to Django's and the apps' Chinese (compiled with `make messages`).
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

# The site's name where a file speaks for it: the author of exported Word and Excel files.
SITE_NAME = os.environ.get("SITE_NAME", "试点最佳实践案例库")
# The most cases one export takes (cases.exports): a CSV, Excel or JSON file, and a Word briefing.
# A visitor's selection holds at most as many as a briefing, and never more than 200.
EXPORT_MAX_CASES = env_positive_int("EXPORT_MAX_CASES", 10000)
EXPORT_MAX_BRIEFING_CASES = env_positive_int("EXPORT_MAX_BRIEFING_CASES", 200)
# The most cases one admin action (publish, withdraw, delete) changes: "select all" takes a whole filtered
# list, and a request must end within gunicorn's timeout. On PostgreSQL 5,000 cases took up to 15 s (a topic
# merge) on the development machine, half the timeout; 3,000 leave room for a machine twice as slow.
ADMIN_BULK_MAX_CASES = env_positive_int("ADMIN_BULK_MAX_CASES", 3000)
# A case's change form sends eight fields an item (an import allows 200 items a section) and an action's
# confirmation one a case: Django's default limit of 1,000 fields would refuse either with a bare 400.
DATA_UPLOAD_MAX_NUMBER_FIELDS = max(10_000, 2 * ADMIN_BULK_MAX_CASES)
# An import confirmed in the admin, and an Excel export (written whole before it is sent), give up when they
# would not be done within this many seconds: gunicorn kills a worker whose request outlasts GUNICORN_TIMEOUT
# (config/gunicorn.conf.py). The import writes nothing then; the export answers 503 with a message.
IMPORT_TIME_LIMIT = EXPORT_TIME_LIMIT = int(os.environ.get("GUNICORN_TIMEOUT", "30")) - 5

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = BASE_DIR / "staticfiles"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}

WHITENOISE_USE_FINDERS = not PRODUCTION
WHITENOISE_AUTOREFRESH = not PRODUCTION

# Writable place for jieba's dictionary cache and other run-time files.
VAR_DIR = Path(os.environ.get("VAR_DIR", BASE_DIR / "var"))

# Security headers, on in every mode.
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

# HTTPS: on in production unless SECURE_HTTPS=0 (an intranet served over plain
# HTTP gives up transport encryption, HSTS and secure-only cookies; see README).
SECURE_HTTPS = PRODUCTION and env_bool("SECURE_HTTPS", default=True)
SESSION_COOKIE_SECURE = SECURE_HTTPS
CSRF_COOKIE_SECURE = SECURE_HTTPS
SECURE_SSL_REDIRECT = SECURE_HTTPS
SECURE_HSTS_SECONDS = 31536000 if SECURE_HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE_HTTPS
SECURE_HSTS_PRELOAD = SECURE_HTTPS
# The reverse proxies (addresses or networks, comma-separated) whose X-Forwarded-* headers count;
# from any other address config.middleware.TrustedProxyMiddleware removes them. None by default.
TRUSTED_PROXIES = env_list("TRUSTED_PROXIES", [])
if PRODUCTION:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])
    SESSION_COOKIE_AGE = 8 * 60 * 60

# The admin lives at a configurable path (ADMIN_URL, e.g. "manage-7f3a/").
ADMIN_URL = os.environ.get("ADMIN_URL", "admin/").strip("/") + "/"

# Login throttling: five failures for one username from one address lock it for an hour.
AXES_ENABLED = env_bool("AXES_ENABLED", default=True)
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = 1  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "lockout.html"
AXES_IPWARE_PROXY_COUNT = int(os.environ.get("PROXY_COUNT", "0")) or None

# Cache: Redis when REDIS_URL is set, else this process's memory. Pages and
# labels are keyed by a content version (a database row) that every write bumps.
REDIS_URL = os.environ.get("REDIS_URL", "")
CACHES = {
    "default": (
        {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "pilot",
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
        if REDIS_URL
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "pilot"}
    )
}
PAGE_CACHE_SECONDS = int(os.environ.get("PAGE_CACHE_SECONDS", "600"))
# Larger responses are served but not stored.
PAGE_CACHE_MAX_BYTES = int(os.environ.get("PAGE_CACHE_MAX_BYTES", str(512 * 1024)))
# A request with more values of one parameter, or a longer value, is served uncached
# (the search box takes 200 characters).
PAGE_CACHE_MAX_VALUES = 10
PAGE_CACHE_MAX_VALUE_LENGTH = 200

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
        },
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "json" if env_bool("LOG_JSON", default=PRODUCTION) else "plain",
        }
    },
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {"jieba": {"level": "WARNING"}, "axes": {"level": "WARNING"}},
}

PAGE_SIZE = 20
MAX_PAGE_SIZE = 100

FIXTURE_DIRS = [BASE_DIR / "fixtures"]
