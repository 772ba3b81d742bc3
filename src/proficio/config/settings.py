"""Django settings, all read from the Proficio home and `PROFICIO_*` variables.

Local use (`make run`) serves plain HTTP on 127.0.0.1; a site behind TLS sets
`PROFICIO_HTTPS=1`, which turns on secure cookies, HSTS and the HTTPS redirect,
and then passes `manage.py check --deploy`.
"""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from csp.constants import NONCE, NONE, SELF

from proficio.config.mail import mail_settings
from proficio.home import database_url, home_dir, secret_key


def _flag(name: str, default: bool = False) -> bool:
    return os.environ.get(name, "1" if default else "0").lower() in {"1", "true", "yes", "on"}


HOME = home_dir()
SECRET_KEY = secret_key()
DEBUG = _flag("PROFICIO_DEBUG")
HTTPS = _flag("PROFICIO_HTTPS")
ALLOWED_HOSTS = os.environ.get("PROFICIO_ALLOWED_HOSTS", "127.0.0.1,localhost").split(",")
CSRF_TRUSTED_ORIGINS = [
    origin for origin in os.environ.get("PROFICIO_TRUSTED_ORIGINS", "").split(",") if origin
]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "axes",  # sign-in throttling and lockout; its admin lists the locks, deleting one unlocks
    "csp",
    "django_htmx",
    "ninja",  # serves the API docs' Swagger UI from its bundled static files, not a CDN
    "django_tasks",
    "django_tasks_db",
    "proficio.lib",
    "proficio.audit",
    "proficio.people",
    "proficio.frameworks",
    "proficio.evidence",
    "proficio.mastery",
    "proficio.work",
    "proficio.pathways",
    "proficio.agency",
    "proficio.calibration",
    "proficio.reports",
    "proficio.interop",
    "proficio.lrs",
    "lti_tool",  # django-lti: LTI registrations, deployments, courses, users, line items
    "proficio.lti",
    "proficio.webhooks",
    "proficio.privacy",
    "proficio.onboarding",
    "proficio.web",
]

# Order matters for proficio.lib.http: static files leave at WhiteNoise, before the headers
# below are added; the body limit runs once the session says who is asking and before
# anything reads the body (the CSRF check reads it in its process_view, after every
# request phase); axes comes last, as it asks.
MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "proficio.lib.http.headers.ResponseHeadersMiddleware",
    # Frames for an LMS that launched the session: outside the cookie and frame middleware.
    "proficio.lti.framing.LmsFramingMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # The language a signed-in person chose, over their browser's.
    "proficio.lib.http.language.PersonLanguageMiddleware",
    # The requester's roles, read once per request by every permission rule it asks.
    "proficio.lib.http.request_memo.RequestMemoMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "proficio.lib.http.sessions.SessionTimeoutMiddleware",
    "proficio.lib.http.body_limit.RequestBodyLimitMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "proficio.config.urls"
WSGI_APPLICATION = "proficio.config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]


def _database() -> dict:
    # Each server thread keeps its connection between requests (opening one costs a request
    # about 5 ms on PostgreSQL, 0.8 ms on SQLite); the health check replaces one that died
    # (ADR 0026).
    config = dj_database_url.parse(database_url(), conn_max_age=60, conn_health_checks=True)
    if config["ENGINE"] == "django.db.backends.sqlite3":
        config["OPTIONS"] = {
            # WAL lets pages read while a rating is written; IMMEDIATE takes the write
            # lock up front so concurrent writers wait (busy timeout) instead of failing.
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
        }
    return config


DATABASES = {"default": _database()}

# Background work (a policy's recompute) is queued in the database and run by the worker
# that `proficio start` starts beside the web server (`proficio manage db_worker`).
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "people.Person"

# Axes first: it refuses a locked-out sign-in before the password is checked. Every sign-in
# (the page, the admin's, the API's token) passes the request, which axes needs.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en"
# Every student and family page in English and Spanish (issue 14); the browser's
# Accept-Language chooses until a person picks one, which is kept with them.
LANGUAGES = [("en", "English"), ("es", "Español")]
LOCALE_PATHS = [Path(__file__).resolve().parent.parent / "locale"]
FORMAT_MODULE_PATH = ["proficio.formats"]
TIME_ZONE = os.environ.get("PROFICIO_TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = HOME / "static"
STATIC_ROOT.mkdir(exist_ok=True)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
# Files handed in, in an S3-compatible bucket instead of the home (several app servers share
# it): `pip install "proficio[s3]"`, then the bucket here and the keys in the usual
# AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY. Files stay private: Proficio reads them from the
# bucket and serves them itself, to who may see them; no bucket URL is ever handed out.
if os.environ.get("PROFICIO_S3_BUCKET"):
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": os.environ["PROFICIO_S3_BUCKET"],
            "endpoint_url": os.environ.get("PROFICIO_S3_ENDPOINT_URL") or None,
            "region_name": os.environ.get("PROFICIO_S3_REGION") or None,
            "default_acl": "private",
            "querystring_auth": True,
            "file_overwrite": False,
            # A file read from the bucket spills to a temporary file past 2 MB; the
            # default (0) would hold a whole video in memory while it is served.
            "max_memory_size": 2 * 1024 * 1024,
        },
    }
MEDIA_ROOT = HOME / "media"
# Uploads are the site's alone, like the rest of the home (Django's default would be 0644).
FILE_UPLOAD_PERMISSIONS = 0o600
FILE_UPLOAD_DIRECTORY_PERMISSIONS = 0o700

# Request bodies (proficio.lib.http.body_limit). Signed in, up to the largest import (the
# OneRoster package, 100 MB); not signed in, only what the sign-in forms need. Form fields and
# JSON bodies are read into memory up to DATA_UPLOAD_MAX_MEMORY_SIZE; an uploaded file over
# FILE_UPLOAD_MAX_MEMORY_SIZE goes to a temporary file, which only a signed-in person can cause.
PROFICIO_MAX_UPLOAD_MB = int(os.environ.get("PROFICIO_MAX_UPLOAD_MB", "100"))
# Files handed in (proficio.lib.files): the largest file, and what one student may keep.
PROFICIO_MAX_FILE_MB = int(os.environ.get("PROFICIO_MAX_FILE_MB", "100"))
PROFICIO_STUDENT_QUOTA_MB = int(os.environ.get("PROFICIO_STUDENT_QUOTA_MB", "1024"))
PROFICIO_ANONYMOUS_BODY_KB = int(os.environ.get("PROFICIO_ANONYMOUS_BODY_KB", "64"))
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
# The xAPI store reads its own bodies, after the tool's credentials hold: a batch of
# statements with their attachments, up to this size.
PROFICIO_XAPI_MAX_BODY_MB = int(os.environ.get("PROFICIO_XAPI_MAX_BODY_MB", "20"))
# The task worker maps a district's statements once the oldest has waited this long, so a
# tool's stream of batches becomes evidence in a few large steps (lrs.mapping).
PROFICIO_XAPI_GATHER_SECONDS = float(os.environ.get("PROFICIO_XAPI_GATHER_SECONDS", "1"))

# Sign-in lockout (django-axes): this many wrong passwords for one account from one address
# pause its sign-in there for the cool-off, on the page, the admin and the API alike. By the
# pair, not the address alone (a school signs in from one address) nor the account alone
# (anyone could lock a teacher out). A district admin unlocks in the admin (People).
PROFICIO_LOGIN_FAILURE_LIMIT = int(os.environ.get("PROFICIO_LOGIN_FAILURE_LIMIT", "5"))
PROFICIO_LOGIN_COOLOFF_MINUTES = int(os.environ.get("PROFICIO_LOGIN_COOLOFF_MINUTES", "15"))
# ... and this many from one address across accounts (password spraying) pause it entirely.
PROFICIO_LOGIN_ADDRESS_FAILURE_LIMIT = int(
    os.environ.get("PROFICIO_LOGIN_ADDRESS_FAILURE_LIMIT", "100")
)
AXES_FAILURE_LIMIT = PROFICIO_LOGIN_FAILURE_LIMIT
AXES_COOLOFF_TIME = timedelta(minutes=PROFICIO_LOGIN_COOLOFF_MINUTES)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_LOCKOUT_CALLABLE = "proficio.lib.http.lockout.lockout_response"
AXES_HANDLER = "proficio.lib.http.lockout.LockoutHandler"
AXES_RESET_ON_SUCCESS = True
# Each failure is kept (who, from where, when) so spraying and guessing leave a trace.
AXES_ENABLE_ACCESS_FAILURE_LOG = True
# No banner on stderr whenever Django starts: `proficio`'s errors are one line.
AXES_VERBOSE = False
# Behind a reverse proxy every client has the proxy's address: name the header the proxy
# sets (e.g. X-Forwarded-For); its last address, the one the proxy saw, is the client's.
PROFICIO_CLIENT_IP_HEADER = os.environ.get("PROFICIO_CLIENT_IP_HEADER", "")
AXES_CLIENT_IP_CALLABLE = "proficio.lib.http.lockout.client_address"

# Sessions (proficio.lib.http.sessions): signed out after this long without a request, and
# after the maximum in any case. One idle limit for everyone: students share classroom devices.
PROFICIO_SESSION_IDLE_MINUTES = int(os.environ.get("PROFICIO_SESSION_IDLE_MINUTES", "30"))
PROFICIO_SESSION_MAX_HOURS = int(os.environ.get("PROFICIO_SESSION_MAX_HOURS", "12"))
SESSION_COOKIE_AGE = PROFICIO_SESSION_MAX_HOURS * 3600

# Content-Security-Policy (django-csp): scripts and styles from Proficio's own static files
# only. No inline script runs (a script a page needs carries the request's nonce) and htmx
# evaluates nothing (its config in web/base.html). Style attributes stay allowed: a scale's
# level colours are data, set as `style="--level: #2e7d32"`; they cannot run code.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF, NONCE],
        "style-src-attr": ["'unsafe-inline'"],
        "img-src": [SELF, "data:"],
        "object-src": [NONE],
        "base-uri": [SELF],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
    },
}

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"
if HTTPS:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = True
    SECURE_HSTS_SECONDS = 31_536_000
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# The audit trail keeps who changed or viewed a student's record this long (seven years by
# default); `proficio audit prune` removes older entries.
PROFICIO_AUDIT_RETENTION_DAYS = int(os.environ.get("PROFICIO_AUDIT_RETENTION_DAYS", str(7 * 365)))

# What an import unpacks at most (interop/archive.py, ADR 0019): one file or zip member, all
# members of one zip, and how many members. A 20,000-student district's OneRoster package is
# about 50 MB unpacked (its enrollments.csv 32 MB, users.csv 14 MB).
PROFICIO_IMPORT_FILE_MAX_MB = int(os.environ.get("PROFICIO_IMPORT_FILE_MAX_MB", "100"))
PROFICIO_IMPORT_TOTAL_MAX_MB = int(os.environ.get("PROFICIO_IMPORT_TOTAL_MAX_MB", "200"))
PROFICIO_IMPORT_MAX_FILES = int(os.environ.get("PROFICIO_IMPORT_MAX_FILES", "100"))

# Recomputes (ADR 0018): a run reports after each chunk of this many students; one not heard
# from for the lease has lost its worker and starts again, up to this many attempts in all,
# then fails with the reason. The lease must outlast the slowest chunk.
PROFICIO_RECOMPUTE_CHUNK_STUDENTS = int(os.environ.get("PROFICIO_RECOMPUTE_CHUNK_STUDENTS", "1000"))
PROFICIO_RECOMPUTE_LEASE_SECONDS = int(os.environ.get("PROFICIO_RECOMPUTE_LEASE_SECONDS", "60"))
PROFICIO_RECOMPUTE_ATTEMPTS = int(os.environ.get("PROFICIO_RECOMPUTE_ATTEMPTS", "3"))

# The gradebook shows this many students a page (Canvas shows 20): a page costs the same
# however large the section.
PROFICIO_GRADEBOOK_PAGE_SIZE = max(1, int(os.environ.get("PROFICIO_GRADEBOOK_PAGE_SIZE", "25")))
# And this many competencies: a wide screen holds about eight columns (1280 px shows five and
# scrolls); more are a page to the side (ADR 0027).
PROFICIO_GRADEBOOK_COLUMNS = max(1, int(os.environ.get("PROFICIO_GRADEBOOK_COLUMNS", "8")))

# Policy previews: a scope with more evidence rows than this is previewed by the task worker
# while the page polls (about 2 µs a row: 50,000 rows answer inside the request in ~0.1 s);
# one not heard from for the timeout shows as stopped, to be asked again.
PROFICIO_POLICY_PREVIEW_BACKGROUND_ROWS = int(
    os.environ.get("PROFICIO_POLICY_PREVIEW_BACKGROUND_ROWS", "50000")
)
PROFICIO_POLICY_PREVIEW_TIMEOUT_SECONDS = int(
    os.environ.get("PROFICIO_POLICY_PREVIEW_TIMEOUT_SECONDS", "180")
)

# Bearer tokens for the JSON API live this long: a week covers a script's working week, and a
# leaked token is open for a week at most (ADR 0016). A password change ends them sooner.
API_TOKEN_LIFETIME_DAYS = int(os.environ.get("PROFICIO_API_TOKEN_DAYS", "7"))

# Mail (password resets), sent by the task worker: EMAIL_BACKEND, EMAIL_HOST, EMAIL_PORT,
# EMAIL_HOST_USER, EMAIL_HOST_PASSWORD, EMAIL_USE_TLS/SSL, EMAIL_FILE_PATH (default: files in
# <home>/mail) and DEFAULT_FROM_EMAIL, from PROFICIO_EMAIL_URL and friends (config/mail.py).
globals().update(mail_settings(os.environ, HOME))
# Where people reach this site, for links in mail sent outside a request (the weekly digest).
SITE_URL = os.environ.get("PROFICIO_SITE_URL", "http://127.0.0.1:8000").rstrip("/")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("PROFICIO_LOG_LEVEL", "INFO")},
}
