"""Settings for Smarketing, driven by environment variables (see README.md)."""

from __future__ import annotations

import datetime
import logging
import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def env(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value else default


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in env(name, default).split(",") if item.strip()]


def env_time(name: str, default: str) -> datetime.time:
    """A time of day written HH:MM; anything else stops the start with the variable's name."""
    value = env(name, default)
    try:
        return datetime.time.fromisoformat(value)
    except ValueError:
        raise ImproperlyConfigured(
            f"{name} must be a time of day such as 03:00, not {value!r}"
        ) from None


DEBUG = env_bool("DEBUG")

SECRET_KEY = env("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. Set the SECRET_KEY environment variable "
            "(a long random string), or set DEBUG=1 for local development."
        )
    SECRET_KEY = "insecure-development-key-only-used-when-DEBUG-is-on"

# Earlier keys still check shared links and decrypt two-factor secrets, so the
# key can be rotated: put the old one here, the new one in SECRET_KEY.
SECRET_KEY_FALLBACKS = env_list("SECRET_KEY_FALLBACKS")

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
SITE_URL = env("SITE_URL", "http://127.0.0.1:8000").rstrip("/")
# The site's name in page titles, every e-mail (with SITE_URL's host as its
# address) and authenticator apps.
SITE_NAME = env("SITE_NAME", "Smarketing")

INSTALLED_APPS = [
    # modeltranslation patches the admin, so it comes before django.contrib.admin.
    "modeltranslation",
    "smarketing.admin.SmarketingAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "crispy_forms",
    "crispy_bootstrap5",
    "csp",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "stages",
    # Before django_tasks_db: its db_worker command is the app's (leases, retries, recovery).
    "assessments",
    "django_tasks",
    "django_tasks_db",
]

MIDDLEWARE = [
    "smarketing.middleware.HealthCheckMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "smarketing.middleware.PrivatePagesMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "smarketing.urls"

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
                "smarketing.context_processors.site",
            ],
        },
    },
]

WSGI_APPLICATION = "smarketing.wsgi.application"

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=env_int("DB_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Several requests may write at once (two people submitting): each write
    # transaction takes the lock when it begins and waits up to 20 s for it,
    # instead of failing with "database is locked" half-way through. WAL lets
    # readers go on while one request writes.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]

# Accounts (django-allauth): log in with an e-mail address that was verified,
# sign-up that never tells whether an address has an account, password reset
# and change, e-mail addresses, optional two-factor authentication (TOTP).
ACCOUNT_ADAPTER = "assessments.adapters.AccountAdapter"
ACCOUNT_LOGIN_METHODS = {"email"}
# The sign-up form also asks for a name (assessments.forms.SignupForm).
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
# The app's labels and wording on allauth's forms (assessments/forms.py).
ACCOUNT_FORMS = {
    name: f"assessments.forms.{form}"
    for name, form in {
        "login": "LoginForm",
        "signup": "SignupForm",
        "add_email": "AddEmailForm",
        "change_password": "ChangePasswordForm",
        "set_password": "SetPasswordForm",
        "reset_password": "ResetPasswordForm",
        "reset_password_from_key": "ResetPasswordKeyForm",
        "reauthenticate": "ReauthenticateForm",
    }.items()
}
MFA_FORMS = {
    "authenticate": "assessments.forms.MFAAuthenticateForm",
    "reauthenticate": "assessments.forms.MFAReauthenticateForm",
    "activate_totp": "assessments.forms.ActivateTOTPForm",
}
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_PREVENT_ENUMERATION = True
# A password reset for an unknown address sends nothing: no mail to strangers.
ACCOUNT_EMAIL_UNKNOWN_ACCOUNTS = False
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_MAX_EMAIL_ADDRESSES = 3
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "http" if DEBUG else "https"
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_ADAPTER = "assessments.adapters.MFAAdapter"
MFA_TOTP_ISSUER = SITE_NAME

# Rate limits, counted in the shared cache by allauth's limiter for its own
# views and for the app's (assessments/throttle.py): "amount/period/per", per
# client address (ip), per account (user) or per e-mail address (key).
ACCOUNT_RATE_LIMITS = {
    # Failed logins lock an account and an address separately, so one address
    # cannot try a password against every account.
    "login_failed": "30/h/ip,5/15m/key",
    "signup": "10/h/ip",
    "reset_password": "10/h/ip,3/h/key",
    "reset_password_from_key": "20/h/ip",
    "confirm_email": "1/3m/key,5/d/key",
    "manage_email": "5/h/user",
    # Anonymous starts (the start page and a round's shared link): each writes a
    # row. A whole office behind one NAT, or a venue's Wi-Fi at a live event,
    # is one address, so the limit is set for a room of hundreds, not for one
    # person; it still stops a script from one address within seconds. A round's
    # shared link also has a cap of its own (Round.starts_per_hour).
    "start": "1000/h/ip",
    # Invitations a member sends (to respondents or new members).
    "invite": "60/h/user,200/d/user",
    # E-mails the app sends to one address because someone asked it to.
    "mail": "5/h/key,10/d/key",
    # CRM exports a member uploads as evidence: each is stored and read by the worker.
    "evidence": "20/h/user",
}
# The per-address limits count mailboxes (assessments/throttle.mailbox): lower
# case, no "+tag", and for these providers, which ignore dots in the local
# part, no dots either; the aliases fold a provider's other domains into one.
MAILBOX_DOTLESS_DOMAINS = set(env_list("MAILBOX_DOTLESS_DOMAINS", "gmail.com,googlemail.com"))
MAILBOX_DOMAIN_ALIASES = {"googlemail.com": "gmail.com"}
# Behind a proxy every request comes from the proxy's address: set the number
# of proxies that append to X-Forwarded-For, or the header that carries the
# client's address (for example X-Real-IP), so limits count real clients.
ALLAUTH_TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0)
ALLAUTH_TRUSTED_CLIENT_IP_HEADER = env("TRUSTED_CLIENT_IP_HEADER") or None

# Argon2id (Django's recommended hasher; parameters in smarketing/hashers.py):
# memory-hard, so that guessing on graphics cards costs far more than with
# PBKDF2, and a fraction of PBKDF2's time per password. PBKDF2 hashes made
# before still check, and are rehashed with Argon2 at the next login.
PASSWORD_HASHERS = [
    "smarketing.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Internationalization: English and Spanish. The visitor's choice is kept in
# the language cookie; without one, Accept-Language picks.
LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("es", _("Spanish"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
# One date format per language everywhere (pages, charts, e-mails, admin).
FORMAT_MODULE_PATH = ["smarketing.formats"]
USE_I18N = True
TIME_ZONE = env("TIME_ZONE", "UTC")
USE_TZ = True
LANGUAGE_COOKIE_AGE = 365 * 24 * 60 * 60
LANGUAGE_COOKIE_SAMESITE = "Lax"

MODELTRANSLATION_DEFAULT_LANGUAGE = "en"
MODELTRANSLATION_LANGUAGES = ("en", "es")
MODELTRANSLATION_FALLBACK_LANGUAGES = ("en",)

STATIC_URL = "static/"
STATIC_ROOT = Path(env("STATIC_ROOT", str(BASE_DIR / "staticfiles")))
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
# Every page names its static files through {% static %}, by their hashed names:
# collectstatic keeps (and compresses) those copies only, half the files and time.
WHITENOISE_KEEP_ONLY_HASHED_FILES = True

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# E-mail: through SMTP when an SMTP host is configured. Otherwise, in development
# (DEBUG), each message is written to a file in EMAIL_FILE_PATH with one line on
# the console (smarketing/mail.py); without DEBUG, printed on the console.
EMAIL_BACKEND = env(
    "EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend"
    if env("EMAIL_HOST")
    else "smarketing.mail.FolderBackend"
    if DEBUG
    else "django.core.mail.backends.console.EmailBackend",
)
EMAIL_FILE_PATH = Path(env("EMAIL_FILE_PATH", str(BASE_DIR / "tmp" / "mail")))
EMAIL_HOST = env("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 587)
EMAIL_HOST_USER = env("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", True)
# Seconds one step of an SMTP exchange may take: a mail server that stops
# answering fails the attempt (retried later) instead of holding the worker.
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 30)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", f"{SITE_NAME} <noreply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
ADMINS = [("Admin", address) for address in env_list("ADMINS")]

# Content-Security-Policy: every script and stylesheet comes from this site.
# plotly.js injects <style> rules for its charts, hence 'unsafe-inline' for
# styles only; scripts stay strictly same-origin with no inline code.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}

SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True

if not DEBUG:
    # Production hardening; set SECURE_SSL_REDIRECT=0 only behind a proxy
    # that already redirects to HTTPS.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 60 * 60 * 24 * 365)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    LANGUAGE_COOKIE_SECURE = True

# The task worker logs every task's state at INFO; TASKS_LOG_LEVEL=WARNING
# (`make run` sets it) keeps only failures, so that the console shows requests
# and e-mails. The worker sets its loggers' levels itself, hence a filter on the
# handler rather than a level on the loggers.
TASKS_LOG_LEVEL = env("TASKS_LOG_LEVEL", "INFO").upper()


def tasks_log_filter(record):
    """Let a record of the task loggers through only at TASKS_LOG_LEVEL or above."""
    if record.name.split(".")[0] in {"django_tasks", "django_tasks_db"}:
        return record.levelno >= logging.getLevelName(TASKS_LOG_LEVEL)
    return True


# Every handler masks the keys a request path can hold (private links, shared
# links, invitations, unsubscribe, confirmation and reset links): Django logs
# the path of every 404, CSRF failure and 500 (smarketing/logs.py). Django's
# own handlers are redefined here so that theirs do too; gunicorn's logs go
# through smarketing.logs.GunicornLogger (gunicorn.conf.py).
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        # Except the development mail backend's line (smarketing/mail.py), whose
        # purpose is to show a message's links: the same links it writes to its
        # .eml file beside it, as Django's console backend prints whole messages.
        # Production sends mail through SMTP and logs no such line.
        "no_secrets": {"()": "smarketing.logs.MaskSecrets", "unmasked": ["smarketing.mail"]},
        "require_debug_false": {"()": "django.utils.log.RequireDebugFalse"},
        "tasks": {"()": "django.utils.log.CallbackFilter", "callback": tasks_log_filter},
    },
    "formatters": {
        "django.server": {
            "()": "django.utils.log.ServerFormatter",
            "format": "[{server_time}] {message}",
            "style": "{",
        }
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "filters": ["tasks", "no_secrets"]},
        "django.server": {
            "class": "logging.StreamHandler",
            "formatter": "django.server",
            "filters": ["no_secrets"],
        },
        "mail_admins": {
            "class": "django.utils.log.AdminEmailHandler",
            "filters": ["require_debug_false", "no_secrets"],
            "reporter_class": "smarketing.logs.MaskedExceptionReporter",
        },
    },
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", "INFO")},
    "loggers": {
        # Errors reach the console through the root, and ADMINS by e-mail.
        "django": {"handlers": ["mail_admins"], "level": "INFO"},
        "django.server": {"handlers": ["django.server"], "level": "INFO", "propagate": False},
    },
}
DEFAULT_EXCEPTION_REPORTER_FILTER = "smarketing.logs.ReporterFilter"

CSRF_FAILURE_VIEW = "smarketing.views.csrf_failure"

LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "assessments:organizations"
LOGOUT_REDIRECT_URL = "stages:home"
PASSWORD_RESET_TIMEOUT = 60 * 60 * 24 * 3

# One cache shared by every worker process: rate limits must count the
# requests of all of them. Redis when REDIS_URL is set (several servers);
# otherwise a table in the database, which every process on the machine sees
# and which needs no extra server (its table is created by a migration).
REDIS_URL = env("REDIS_URL")
if REDIS_URL:
    # When Redis does not answer, rate limits count in each process's memory
    # instead of every page failing (smarketing/cache.py; docs/deployment.md
    # "Several app servers").
    CACHES = {
        "default": {
            "BACKEND": "smarketing.cache.FallbackRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": f"{env('CACHE_KEY_PREFIX', 'smarketing')}:default",
        }
    }
else:
    CACHES = {
        # Rate-limit counters. A full database cache deletes expired rows first,
        # then a third of the rest: the limit is high, so that a flood of new
        # counters cannot push out the ones that lock an account.
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "smarketing_cache",
            "OPTIONS": {"MAX_ENTRIES": env_int("CACHE_MAX_ENTRIES", 1_000_000)},
        },
    }
# The public pages' content (home, continuum, stages), the same for every
# visitor in a language, and the questionnaire's questions, drawn once per page
# and set of answers checked: kept in each process's own memory, so they cost
# no query and no cache round trip. Stage texts edited in the admin show after at
# most PAGE_CACHE_SECONDS (at once in the process that saved them).
PAGE_CACHE_SECONDS = env_int("PAGE_CACHE_SECONDS", 300)
CACHES["pages"] = {
    "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
    "LOCATION": "pages",
    "TIMEOUT": PAGE_CACHE_SECONDS,
    # A questionnaire page's questions take 5-10 KB: at most about 10 MB a process.
    "OPTIONS": {"MAX_ENTRIES": env_int("PAGE_CACHE_MAX_ENTRIES", 1000)},
}
# How long a process keeps a rendered result body (in the "pages" cache): edits
# to the stage texts, or to an organization's name, show on results already
# viewed after at most this long.
RESULT_CACHE_SECONDS = env_int("RESULT_CACHE_SECONDS", 600)

# Background work (e-mail, the daily sweep, large exports) through Django's
# Tasks API (the django-tasks backport). The queue is a table in the database:
# a task enqueued inside a transaction is committed with the data it reads, so
# the worker (manage.py db_worker, started by `make run`) never sees it early,
# and no extra server is needed. TASK_BACKEND may name another backend, e.g.
# the immediate one that runs each task in the request.
TASKS = {
    "default": {
        "BACKEND": env("TASK_BACKEND", "django_tasks_db.DatabaseBackend"),
    }
}
# The worker (manage.py db_worker, assessments/management/commands) adds what
# the queue lacks: a task that fails for a transient reason (smarketing.faults)
# is retried after TASK_RETRY_SECONDS (15 s), then twice as long each time up to
# every 4 minutes, for TASK_RETRY_HOURS;
# a task still running after TASK_LEASE_SECONDS belongs to a worker that died
# and runs again; every TASK_RECOVERY_SECONDS the worker queues again work
# whose task was lost (tasks.recover). See docs/deployment.md "Background work".
TASK_LEASE_SECONDS = env_int("TASK_LEASE_SECONDS", 600)
TASK_RETRY_HOURS = env_int("TASK_RETRY_HOURS", 24)
TASK_RETRY_SECONDS = env_int("TASK_RETRY_SECONDS", 15)
TASK_RECOVERY_SECONDS = env_int("TASK_RECOVERY_SECONDS", 60)
# Portfolio exports of more rows than this are prepared by the worker and
# offered as a download; smaller ones are built in the request.
EXPORT_IMMEDIATE_ROWS = env_int("EXPORT_IMMEDIATE_ROWS", 2000)
# How long a prepared export can be downloaded.
EXPORT_KEEP_HOURS = env_int("EXPORT_KEEP_HOURS", 24)

# CRM exports uploaded as evidence (docs/evidence.md "Evidence beside opinion"). An upload
# larger than EVIDENCE_MAX_UPLOAD_MB is refused before its body is read; an XLSX
# file whose parts would expand beyond EVIDENCE_MAX_UNCOMPRESSED_MB is refused
# before any part is expanded; a file waiting for its columns to be chosen is
# deleted after EVIDENCE_MAPPING_MINUTES.
EVIDENCE_MAX_UPLOAD_MB = env_int("EVIDENCE_MAX_UPLOAD_MB", 25)
EVIDENCE_MAX_UNCOMPRESSED_MB = env_int("EVIDENCE_MAX_UNCOMPRESSED_MB", 250)
EVIDENCE_MAPPING_MINUTES = env_int("EVIDENCE_MAPPING_MINUTES", 60)
# Django's own limits, stated: form fields other than files may total 2.5 MB,
# and an upload above 2.5 MB is streamed to a temporary file (deleted when the
# request ends) rather than held in memory.
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440

# A role group's figures appear only once this many of its members submitted,
# so nobody can read a colleague's individual answers off a group result.
ROUND_GROUP_MIN_RESPONDENTS = env_int("ROUND_GROUP_MIN_RESPONDENTS", 3)
# A peer group of the benchmark shows only with at least this many organizations,
# and no two groups shown may differ by fewer (assessments/benchmark.py).
BENCHMARK_MIN_ORGANIZATIONS = env_int("BENCHMARK_MIN_ORGANIZATIONS", 5)
# When the daily cron line runs materialize_benchmark, in TIME_ZONE's time (the
# README's crontab): members who opt in are told their first figures follow
# then, so the crontab and this setting name the same hour.
BENCHMARK_RUN_AT = env_time("BENCHMARK_RUN_AT", "03:00")
