"""Hearth's one settings module, driven by environment variables (see dotenv-sample).

HEARTH_ENV chooses the mode: `production` (the default: nothing insecure is assumed), `demo`
(local demonstration on synthetic data, MFA optional) or `test`.
"""

from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from hearth.lib.env import env_bool, env_int, get_env

BASE_DIR = Path(__file__).resolve().parent
REPO_DIR = BASE_DIR.parent.parent

HEARTH_ENV = get_env("HEARTH_ENV", "production")
if HEARTH_ENV not in {"production", "demo", "test"}:
    raise ImproperlyConfigured(f"HEARTH_ENV must be production, demo or test, not {HEARTH_ENV!r}")
PRODUCTION = HEARTH_ENV == "production"
DEMO_MODE = HEARTH_ENV == "demo"

SECRET_KEY = get_env(
    "SECRET_KEY",
    # Non-production modes get a fixed, obviously-unsafe key; production must supply one.
    None if PRODUCTION else "insecure-demo-and-test-key-never-use-in-production-" + "x" * 20,
    required=PRODUCTION,
    hint="Set a long random SECRET_KEY, or HEARTH_ENV=demo for a local demonstration.",
)
DEBUG = env_bool("DEBUG", default=False)
ALLOWED_HOSTS = [
    h.strip()
    for h in get_env("ALLOWED_HOSTS", "" if PRODUCTION else "127.0.0.1,localhost,testserver").split(
        ","
    )
    if h.strip()
]
if PRODUCTION and not ALLOWED_HOSTS:
    raise ImproperlyConfigured(
        "ALLOWED_HOSTS is required in production (comma-separated host names)."
    )

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "axes",
    "csp",
    "django_htmx",
    "rest_framework",
    "drf_spectacular",
    "hearth.audit",
    "hearth.agencies",
    "hearth.accounts",
    "hearth.people",
    "hearth.episodes",
    "hearth.chronology",
    "hearth.access",
    "hearth.plans",
    "hearth.toolkit",
    "hearth.recording",
    "hearth.alerts",
    "hearth.partnership",
    "hearth.api",
    "hearth.actionplans",
    "hearth.workforce",
    "hearth.interop",
    "hearth.linkage",
    "hearth.synth",
    "hearth.web",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "axes.middleware.AxesMiddleware",
    "hearth.accounts.middleware.SessionIdleTimeoutMiddleware",
    "hearth.accounts.middleware.RequireMFAMiddleware",
    "hearth.api.middleware.ApiKeyMiddleware",
    "hearth.access.middleware.URLPolicyMiddleware",
]

ROOT_URLCONF = "hearth.urls"
WSGI_APPLICATION = "hearth.wsgi.application"

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
                "hearth.web.context_processors.hearth",
            ],
        },
    },
]

DATABASE_URL = get_env(
    "DATABASE_URL",
    None if PRODUCTION else f"sqlite:///{REPO_DIR / 'hearth.sqlite3'}",
    required=PRODUCTION,
    hint="Production runs on PostgreSQL: DATABASE_URL=postgres://user@host:5432/hearth",
)
DATABASES = {
    "default": dj_database_url.parse(DATABASE_URL, conn_max_age=env_int("DB_CONN_MAX_AGE", 60))
}
# Every request is one transaction, so an audit row and the action it records commit together.
DATABASES["default"]["ATOMIC_REQUESTS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
if HEARTH_ENV == "test":
    # Argon2 is deliberately slow; tests still exercise it in test_security, not for every user.
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher", *PASSWORD_HASHERS]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "web:home"
LOGOUT_REDIRECT_URL = "accounts:login"

# Lockout: keyed on user name *and* address, so one shared office IP cannot be locked out by one user.
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = env_int("AXES_COOLOFF_MINUTES", 30) / 60
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_VERBOSE = False
AXES_ENABLED = env_bool("AXES_ENABLED", True)
# Behind a reverse proxy the client address is in X-Forwarded-For; say how many proxies to trust.
TRUSTED_PROXY_HOPS = env_int("TRUSTED_PROXY_HOPS", 0)
if TRUSTED_PROXY_HOPS:
    AXES_IPWARE_PROXY_COUNT = TRUSTED_PROXY_HOPS
    AXES_IPWARE_META_PRECEDENCE_ORDER = ("HTTP_X_FORWARDED_FOR", "REMOTE_ADDR")

# Multi-factor sign-in is required everywhere except the explicit demo mode.
HEARTH_REQUIRE_MFA = env_bool("HEARTH_REQUIRE_MFA", not DEMO_MODE)
# Requests a minute per partner-system credential (DRF's throttle; each process counts its own
# unless CACHES points at a shared cache).
HEARTH_API_RATE = get_env("HEARTH_API_RATE", default="120/min")
OTP_TOTP_ISSUER = "Hearth"

# Sessions end after a period of inactivity and when the browser closes.
SESSION_IDLE_TIMEOUT_SECONDS = env_int("SESSION_IDLE_TIMEOUT_SECONDS", 30 * 60)
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE_SECONDS", 10 * 60 * 60)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True

# Break-glass access lasts this long before the user must justify again.
BREAK_GLASS_MINUTES = env_int("BREAK_GLASS_MINUTES", 60)

SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
if PRODUCTION:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
CSRF_TRUSTED_ORIGINS = [o for o in get_env("CSRF_TRUSTED_ORIGINS", "").split(",") if o]

# Content security policy: only our own scripts, styles and images; no inline script.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    }
}

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = False
USE_TZ = True
DATE_FORMAT = "j M Y"
DATETIME_FORMAT = "j M Y H:i"
SHORT_DATE_FORMAT = "d/m/Y"

STATIC_URL = "/static/"
STATIC_ROOT = REPO_DIR / "staticfiles"
STATICFILES_DIRS: list[Path | tuple[str, Path]] = [BASE_DIR / "static"]
# GOV.UK Frontend, installed pinned from the npm registry by `make` into node_modules.
_govuk = REPO_DIR / "node_modules" / "govuk-frontend" / "dist" / "govuk"
if _govuk.exists():
    STATICFILES_DIRS.append(("govuk", _govuk))
WHITENOISE_USE_FINDERS = not PRODUCTION
WHITENOISE_AUTOREFRESH = not PRODUCTION

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": get_env("LOG_LEVEL", "WARNING")},
    "loggers": {"axes": {"level": "WARNING"}},
}

REST_FRAMEWORK = {
    # People: session sign-in with MFA. Partner endpoints take a bearer token instead (checked by
    # ApiKeyMiddleware; `hearth.api.partner` sets ApiKeyAuthentication on its views).
    "DEFAULT_AUTHENTICATION_CLASSES": ["rest_framework.authentication.SessionAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": [
        "rest_framework.permissions.IsAuthenticated",
        "hearth.api.authentication.PeopleOnly",
    ],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    # JSON in as well as out: in a form body every value is text, so "-1808" for a name and ""
    # for "no date" cannot be told from what the schema types say; anything else is a 415.
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Hearth API",
    "DESCRIPTION": "Read access to the multi-agency record, scoped by need-to-know exactly as the screens are.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
}

SILENCED_SYSTEM_CHECKS: list[str] = []

# Imports (hearth.interop): where uploaded files wait to be loaded, the largest upload accepted,
# and the size below which the browser checks and loads a file at once rather than leaving it
# to the background worker (`hearth import work`).
IMPORT_DIR = Path(get_env("IMPORT_DIR", str(REPO_DIR / "imports")))
IMPORT_MAX_UPLOAD_BYTES = env_int("IMPORT_MAX_UPLOAD_BYTES", 200 * 1024 * 1024)
IMPORT_SYNC_MAX_BYTES = env_int("IMPORT_SYNC_MAX_BYTES", 2 * 1024 * 1024)
