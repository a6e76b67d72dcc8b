"""tuijin settings: one module, configured from environment variables (12-factor)."""

import os
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent
VAR_DIR = Path(os.environ.get("TUIJIN_VAR_DIR", BASE_DIR.parent / "var"))


def env_bool(name: str, default: bool = False) -> bool:
    return os.environ.get(name, str(default)).strip().lower() in {"1", "true", "yes", "on"}


DEBUG = env_bool("TUIJIN_DEBUG")
SECRET_KEY = os.environ.get("TUIJIN_SECRET_KEY", "tuijin-insecure-development-key-change-me-in-production")
ALLOWED_HOSTS = [h for h in os.environ.get("TUIJIN_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",") if h]
CSRF_TRUSTED_ORIGINS = [o for o in os.environ.get("TUIJIN_CSRF_TRUSTED_ORIGINS", "").split(",") if o]

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_filters",
    "tuijin.core",
    "tuijin.regions",
    "tuijin.accounts",
    "tuijin.projects",
    "tuijin.investment",
    "tuijin.schedule",
    "tuijin.coordination",
    "tuijin.assessment",
    "tuijin.screen",
    "tuijin.briefing",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "tuijin.core.middleware.SecurityHeadersMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "tuijin.core.middleware.SessionRefreshMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "tuijin.core.middleware.ChangeContextMiddleware",
]

ROOT_URLCONF = "tuijin.urls"
WSGI_APPLICATION = "tuijin.wsgi.application"

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
                "django.template.context_processors.i18n",
                "tuijin.core.context_processors.site",
            ],
        },
    },
]

# Database: SQLite (WAL) in var/ by default; DATABASE_URL selects another (postgres://…).
VAR_DIR.mkdir(parents=True, exist_ok=True)
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{VAR_DIR / 'tuijin.sqlite3'}", conn_max_age=60
    )
}
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        # mmap_size: pages are read from the operating system's page cache through a memory map instead of being
        # copied in by read() calls. Connections last one request (CONN_MAX_AGE 0), so SQLite's own page cache
        # starts empty every time and a province's statistics spent ≈ 40 ms copying pages in.
        # A database larger than the map reads the rest as before.
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON; PRAGMA mmap_size=1073741824;"
        ),
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "projects:dashboard"
LOGOUT_REDIRECT_URL = "accounts:login"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "tuijin.accounts.validators.CharacterClassValidator"},
]
# Lock-out after repeated failed sign-ins (per user name), and idle session expiry.
LOGIN_MAX_FAILURES = int(os.environ.get("TUIJIN_LOGIN_MAX_FAILURES", "5"))
LOGIN_LOCKOUT_MINUTES = int(os.environ.get("TUIJIN_LOGIN_LOCKOUT_MINUTES", "15"))
SESSION_COOKIE_AGE = int(os.environ.get("TUIJIN_SESSION_IDLE_MINUTES", "30")) * 60
# Idle expiry slides forward on activity: core.middleware.SessionRefreshMiddleware saves the session at most once
# a minute (saving it on every request was a database write per page view).
SESSION_SAVE_EVERY_REQUEST = False
SESSION_REFRESH_SECONDS = 60
AUTHENTICATION_BACKENDS = ["tuijin.accounts.backends.TuijinBackend"]
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = env_bool("TUIJIN_SECURE_COOKIES")
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = os.environ.get("TUIJIN_TIME_ZONE", "Asia/Shanghai")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)
MEDIA_ROOT = VAR_DIR / "media"
MEDIA_URL = "media/"
STORAGES = {
    "default": {"BACKEND": os.environ.get("TUIJIN_FILE_STORAGE", "django.core.files.storage.FileSystemStorage")},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 50 * 1024 * 1024

TUIJIN_ZONE_TITLE = os.environ.get("TUIJIN_ZONE_TITLE", "")
# The big screen: map tiles (Leaflet-style {s} {z} {x} {y}, e.g. 天地图 with its tk; empty: the offline outline),
# the letters put in for {s}, and how often the page fetches its figures again (minutes).
TUIJIN_MAP_TILES = os.environ.get("TUIJIN_MAP_TILES", "")
TUIJIN_MAP_SUBDOMAINS = os.environ.get("TUIJIN_MAP_SUBDOMAINS", "01234567")
TUIJIN_SCREEN_REFRESH_MINUTES = float(os.environ.get("TUIJIN_SCREEN_REFRESH_MINUTES", "5"))

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("TUIJIN_LOG_LEVEL", "WARNING")},
}

SITE_NAME = _("tuijin")

# How background jobs run: "thread" (default, in the web process) or "inline" (inside the request: tests).
TUIJIN_JOB_RUNNER = os.environ.get("TUIJIN_JOB_RUNNER", "thread")

# Email for notifications (`tuijin send-notifications`): SMTP when TUIJIN_EMAIL_HOST is set, else the console.
EMAIL_HOST = os.environ.get("TUIJIN_EMAIL_HOST", "")
EMAIL_BACKEND = os.environ.get(
    "TUIJIN_EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend" if EMAIL_HOST else "django.core.mail.backends.console.EmailBackend",
)
EMAIL_PORT = int(os.environ.get("TUIJIN_EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("TUIJIN_EMAIL_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("TUIJIN_EMAIL_PASSWORD", "")
EMAIL_USE_TLS = env_bool("TUIJIN_EMAIL_USE_TLS")
EMAIL_USE_SSL = env_bool("TUIJIN_EMAIL_USE_SSL")
EMAIL_TIMEOUT = int(os.environ.get("TUIJIN_EMAIL_TIMEOUT", "20"))
DEFAULT_FROM_EMAIL = os.environ.get("TUIJIN_EMAIL_FROM", "tuijin@localhost")
# Delivery of notifications to email and group robots: give up after this many attempts (back-off doubles).
TUIJIN_NOTIFY_MAX_ATTEMPTS = int(os.environ.get("TUIJIN_NOTIFY_MAX_ATTEMPTS", "8"))
TUIJIN_NOTIFY_BACKOFF_SECONDS = int(os.environ.get("TUIJIN_NOTIFY_BACKOFF_SECONDS", "60"))
TUIJIN_SITE_URL = os.environ.get("TUIJIN_SITE_URL", "").rstrip("/")
