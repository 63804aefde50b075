"""Egide settings: one file, driven by the environment (Healthchecks-style).

Embedded default (nothing set): SQLite under var/, Celery tasks run eagerly in-process,
mail printed to the console. ``EGIDE_ENV=production`` turns on the hardening that
``manage.py check --deploy`` expects and refuses to start without real secrets.
"""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
import django_stubs_ext
from celery.schedules import crontab
from csp import constants as csp_constants
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

# Lets runtime code write ModelForm[Organisation] and friends, as the type checker does.
django_stubs_ext.monkeypatch()

BASE_DIR = Path(__file__).resolve().parent.parent


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value else default


def redis_url_next_database(url: str) -> str:
    """``url`` with its database number plus one (``redis://h:6379/0`` → ``.../1``)."""
    from urllib.parse import urlsplit, urlunsplit

    parts = urlsplit(url)
    database = int(parts.path.strip("/") or 0)
    return urlunsplit(parts._replace(path=f"/{(database + 1) % 16}"))


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


EGIDE_ENV = env_str("EGIDE_ENV", "development")
PRODUCTION = EGIDE_ENV == "production"
TESTING = env_bool("EGIDE_TESTING")

DEBUG = env_bool("DEBUG", default=not PRODUCTION)

if PRODUCTION:
    SECRET_KEY = env_str("SECRET_KEY")
    if len(SECRET_KEY) < 50:
        raise ImproperlyConfigured("SECRET_KEY must be set (50+ random characters) in production.")
    ALLOWED_HOSTS = env_list("ALLOWED_HOSTS")
    if not ALLOWED_HOSTS:
        raise ImproperlyConfigured("ALLOWED_HOSTS must be set in production.")
else:
    # A fixed development key: never used when EGIDE_ENV=production.
    SECRET_KEY = env_str(
        "SECRET_KEY", "dev-only-insecure-key-egide-0123456789-abcdefghijklmnopqrstuvwxyz"
    )
    ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")

CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "axes",
    "csp",
    "django_htmx",
    "compliance",
    "controls",
    "evidence",
    "audits",
    "reports",
    "privacy",
    "incidents",
    "risks",
    "anonymity",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "compliance.middleware.RequestLogMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "compliance.middleware.TwoFactorEnforcementMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "compliance.queue.QueueUnavailableMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Axes must come last: it turns a lockout raised by the backend into a response.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "compliance.urls"
WSGI_APPLICATION = "compliance.wsgi.application"
AUTH_USER_MODEL = "compliance.User"

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
                "compliance.context_processors.navigation",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------
VAR_DIR = Path(env_str("EGIDE_VAR_DIR", str(BASE_DIR / "var")))
DATABASE_URL = env_str("DATABASE_URL")
if DATABASE_URL:
    DATABASES = {
        "default": dj_database_url.parse(
            DATABASE_URL, conn_max_age=env_int("CONN_MAX_AGE", 60), conn_health_checks=True
        )
    }
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(VAR_DIR / "egide.sqlite3"),
            "OPTIONS": {"transaction_mode": "IMMEDIATE", "timeout": 20},
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache, Celery --------------------------------------------------------------------
REDIS_URL = env_str("REDIS_URL")
if REDIS_URL:
    CACHES = {
        # A Redis that stops answering is a cache miss, not an error (compliance/cache.py).
        # The cache has a database of its own, because clearing a cache is FLUSHDB: on the
        # broker's database it would also drop every queued job (it did, in CI).
        "default": {
            "BACKEND": "compliance.cache.ResilientRedisCache",
            "LOCATION": env_str("REDIS_CACHE_URL") or redis_url_next_database(REDIS_URL),
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
    CELERY_BROKER_URL = REDIS_URL
    CELERY_RESULT_BACKEND = REDIS_URL
    CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", False)
else:
    # Embedded default: no broker, tasks run in-process as soon as they are queued.
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    CELERY_BROKER_URL = "memory://"
    CELERY_RESULT_BACKEND = "cache+memory://"
    CELERY_TASK_ALWAYS_EAGER = True
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = 600
CELERY_TASK_SOFT_TIME_LIMIT = 540
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# A web request that queues work tries the broker once and quickly (compliance/queue.py):
# with Redis down it answers 503 in about a second instead of hanging.
CELERY_BROKER_CONNECTION_TIMEOUT = 1
CELERY_BROKER_TRANSPORT_OPTIONS = {"socket_connect_timeout": 1, "socket_timeout": 5}
CELERY_REDIS_SOCKET_CONNECT_TIMEOUT = 1
CELERY_REDIS_SOCKET_TIMEOUT = 5
CELERY_TIMEZONE = "Europe/Paris"
CELERY_BEAT_SCHEDULE = {
    "verify-audit-trail-nightly": {
        "task": "compliance.tasks.verify_audit_trail_task",
        "schedule": crontab(hour=3, minute=17),
    },
    # Today's score per framework, so the dashboard can draw its trend.
    "record-score-snapshots-nightly": {
        "task": "controls.tasks.record_score_snapshots_task",
        "schedule": crontab(hour=23, minute=50),
    },
}

# --- Authentication -------------------------------------------------------------------
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
PASSWORD_RESET_TIMEOUT = 7 * 24 * 3600  # invitation links stay valid a week

# Brute-force protection (django-axes): 5 failures from one source on one account lock
# that pair for 15 minutes. Locking the pair, not the account alone, stops a stranger from
# locking a clinic manager out on purpose.
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("AXES_COOLOFF_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_RESET_ON_SUCCESS = True
AXES_USERNAME_FORM_FIELD = "username"
AXES_IPWARE_PROXY_COUNT = env_int("AXES_PROXY_COUNT", 0)
AXES_VERBOSE = False

# Two-factor (django-otp): roles for which TOTP is mandatory. Production enforces it for
# managers and lead auditors; an organisation can require it for every member.
EGIDE_TWO_FACTOR_ROLES = env_list(
    "EGIDE_TWO_FACTOR_ROLES", "manager,lead_auditor" if PRODUCTION else ""
)
OTP_TOTP_ISSUER = "Egide"

# --- Internationalisation -------------------------------------------------------------
LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", _("French")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Paris"
USE_I18N = True
USE_TZ = True

# --- Static files ---------------------------------------------------------------------
STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
# Outside var/: in the image, collectstatic runs at build time and var/ is a volume.
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(BASE_DIR / "staticfiles")))
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
MEDIA_ROOT = VAR_DIR / "media"

# --- Mail -----------------------------------------------------------------------------
EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Egide <no-reply@egide.localhost>")
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)

# --- REST API -------------------------------------------------------------------------
REST_FRAMEWORK = {
    "EXCEPTION_HANDLER": "compliance.api.exceptions.egide_exception_handler",
    "DEFAULT_AUTHENTICATION_CLASSES": ["compliance.api.authentication.ApiKeyAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["compliance.api.permissions.HasApiKeyScope"],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "compliance.api.pagination.StandardPagination",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "UNAUTHENTICATED_USER": None,
    "DEFAULT_THROTTLE_CLASSES": ["compliance.api.throttling.ApiKeyRateThrottle"],
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Egide API",
    "DESCRIPTION": (
        "REST API for health-data hosts and clinics. Authenticate with an organisation "
        "API key: `Authorization: Bearer <key>`. Every object is scoped to the key's "
        "organisation; anything else answers 404."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SERVE_AUTHENTICATION": [],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "compliance.api.schema.add_error_responses",
    ],
    "ENUM_NAME_OVERRIDES": {
        "OrganisationKindEnum": "compliance.choices.OrganisationKind",
        "RequirementKindEnum": "controls.choices.RequirementKind",
        "ImplementationStatusEnum": "controls.choices.ImplementationStatus",
    },
}

# --- Security -------------------------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = 12 * 3600
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
# bench/load/run.py serves a constant endpoint (the stack's ceiling) on its own server.
EGIDE_BENCH_ENDPOINTS = env_bool("EGIDE_BENCH_ENDPOINTS") and not PRODUCTION
# Content-Security-Policy (django-csp): scripts and style sheets only from Egide's own
# static files, never inline; style attributes stay allowed (progress widths, chart
# colours), a <style> element does not. Nothing is framed, nothing is posted elsewhere.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [csp_constants.SELF],
        "script-src": [csp_constants.SELF],
        "style-src": [csp_constants.SELF],
        "style-src-elem": [csp_constants.SELF],
        "style-src-attr": [csp_constants.UNSAFE_INLINE],
        "img-src": [csp_constants.SELF, "data:"],
        "font-src": [csp_constants.SELF],
        "connect-src": [csp_constants.SELF],
        "object-src": [csp_constants.NONE],
        "base-uri": [csp_constants.SELF],
        "form-action": [csp_constants.SELF],
        "frame-ancestors": [csp_constants.NONE],
    }
}
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
if PRODUCTION:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True

# --- Logging: one JSON object per line in production, readable text in development ----
LOG_FORMAT = env_str("LOG_FORMAT", "json" if PRODUCTION else "text")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
        },
        "text": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": LOG_FORMAT}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {
        "egide.requests": {"level": "INFO" if PRODUCTION else "WARNING"},
    },
}

EGIDE_API_RATE = env_str("EGIDE_API_RATE", "1200/min")

# --- Evidence (evidence app) ----------------------------------------------------------
# Uploaded evidence lives in Django's default storage (FileSystemStorage under MEDIA_ROOT
# here; an S3-compatible backend is a STORAGES["default"] change away), under its SHA-256.
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(VAR_DIR / "media")))
# Enforced while the body is read (evidence.uploads): past either, the answer is a 413
# and nothing is stored.
EGIDE_EVIDENCE_MAX_FILE_BYTES = env_int("EGIDE_EVIDENCE_MAX_FILE_BYTES", 50 * 1024 * 1024)
EGIDE_EVIDENCE_MAX_REQUEST_BYTES = env_int("EGIDE_EVIDENCE_MAX_REQUEST_BYTES", 50 * 1024 * 1024)
# Media types accepted, as detected from the content (never from the file name):
# documents, images, archives (kept as they are, never unpacked) and plain text.
EGIDE_EVIDENCE_ALLOWED_TYPES = env_list(
    "EGIDE_EVIDENCE_ALLOWED_TYPES",
    ",".join(
        [
            "application/pdf",
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            "application/vnd.openxmlformats-officedocument.presentationml.presentation",
            "application/vnd.oasis.opendocument.text",
            "application/vnd.oasis.opendocument.spreadsheet",
            "application/vnd.oasis.opendocument.presentation",
            "application/rtf",
            "image/png",
            "image/jpeg",
            "image/gif",
            "image/webp",
            "image/tiff",
            "application/zip",
            "application/gzip",
            "application/x-tar",
            "application/x-7z-compressed",
            "text/plain",
            "text/csv",
        ]
    ),
)
CELERY_BEAT_SCHEDULE["verify-evidence-nightly"] = {
    "task": "evidence.tasks.verify_evidence_task",
    "schedule": crontab(hour=3, minute=41),
}

# --- PDF documents (reports/) ---------------------------------------------------------
# PKCS#12 per organisation: <dir>/<slug>.p12 and its passphrase in <dir>/<slug>.p12.pass.
EGIDE_REPORT_SIGNING_DIR = Path(env_str("EGIDE_REPORT_SIGNING_DIR", str(VAR_DIR / "signing")))
# "pdf/a-3b" keeps documents archivable with their manifest attached; "" for plain PDF.
EGIDE_REPORT_PDF_VARIANT = env_str("EGIDE_REPORT_PDF_VARIANT", "pdf/a-3b")
# A running job whose worker has not refreshed its heartbeat for this long is re-queued.
EGIDE_REPORT_LEASE_SECONDS = env_int("EGIDE_REPORT_LEASE_SECONDS", 120)
EGIDE_REPORT_TIME_LIMIT = env_int("EGIDE_REPORT_TIME_LIMIT", 900)
# Queue of the rendering task ("" = Celery's default queue, which every worker consumes).
EGIDE_REPORT_QUEUE = env_str("EGIDE_REPORT_QUEUE")
CELERY_BEAT_SCHEDULE["requeue-stale-report-jobs"] = {
    "task": "reports.tasks.requeue_stale_jobs",
    "schedule": 60.0,
}
SPECTACULAR_SETTINGS["ENUM_NAME_OVERRIDES"].update(  # type: ignore[attr-defined]
    {
        "ReportJobStatusEnum": "reports.choices.JobStatus",
        "DocumentLanguageEnum": "reports.choices.DocumentLanguage",
    }
)
LOGGING["loggers"]["weasyprint.progress"] = {"level": "WARNING"}  # type: ignore[index]

# --- Audits, findings and remediation plans (audits app) ------------------------------
# Days before an action's due date on which its owner gets a reminder e-mail.
AUDITS_REMINDER_DAYS = [int(d) for d in env_list("AUDITS_REMINDER_DAYS", "7,1")]
# Base of the links in reminder e-mails (the site's public address).
EGIDE_BASE_URL = env_str("EGIDE_BASE_URL", "http://127.0.0.1:8000")
CELERY_BEAT_SCHEDULE["audits-action-reminders-daily"] = {
    "task": "audits.tasks.send_action_reminders_task",
    "schedule": crontab(hour=7, minute=5),
}
SPECTACULAR_SETTINGS["ENUM_NAME_OVERRIDES"].update(  # type: ignore[attr-defined]
    {
        "AuditKindEnum": "audits.choices.AuditKind",
        "AuditStatusEnum": "audits.choices.AuditStatus",
        "CheckResultEnum": "audits.choices.CheckResult",
        "FindingSeverityEnum": "audits.choices.FindingSeverity",
        "FindingSourceEnum": "audits.choices.FindingSource",
        "FindingStatusEnum": "audits.choices.FindingStatus",
        "ActionPriorityEnum": "audits.choices.Priority",
        "ActionStatusEnum": "audits.choices.ActionStatus",
    }
)

# --- Processing register (privacy app) -----------------------------------------------
# Every morning: recompute the register's findings (expiry dates pass without a write)
# and warn 90, 30 and 7 days before an Article 66 authorisation or an HDS certificate
# expires (privacy.reminders).
CELERY_BEAT_SCHEDULE["privacy-daily"] = {
    "task": "privacy.tasks.privacy_daily_task",
    "schedule": crontab(hour=6, minute=40),
}
# Register imports whose message a Redis restart lost are published again; those whose
# worker died are recorded as failed.
CELERY_BEAT_SCHEDULE["sweep-register-imports"] = {
    "task": "privacy.tasks.sweep_register_imports_task",
    "schedule": 300.0,
}
SPECTACULAR_SETTINGS["ENUM_NAME_OVERRIDES"].update(  # type: ignore[attr-defined]
    {
        "ProcessingRoleEnum": "privacy.choices.ProcessingRole",
        "ProcessingUseEnum": "privacy.choices.Use",
        "SpecialCategoryEnum": "privacy.choices.SpecialCategory",
        "DirectIdentifierEnum": "privacy.choices.DirectIdentifier",
        "DataLocationEnum": "privacy.choices.Location",
        "RecipientKindEnum": "privacy.choices.RecipientKind",
        "Article66RouteKindEnum": "privacy.choices.RouteKind",
        "PrivacyFindingSeverityEnum": "privacy.choices.Severity",
    }
)

# --- Incidents (issue 8): reminders before each notification deadline ----------------
# Fractions of the time elapsed (0.5 = half-time) and hours before the deadline at which
# the incident owner and the managers are e-mailed; one more e-mail when it passes.
EGIDE_INCIDENT_REMINDER_FRACTIONS = [
    float(value) for value in env_list("EGIDE_INCIDENT_REMINDER_FRACTIONS", "0.5")
]
EGIDE_INCIDENT_REMINDER_HOURS_BEFORE = [
    float(value) for value in env_list("EGIDE_INCIDENT_REMINDER_HOURS_BEFORE", "2")
]
CELERY_BEAT_SCHEDULE["incidents-reminders"] = {
    "task": "incidents.tasks.incident_reminders_task",
    "schedule": 300.0,  # every 5 minutes: a 24 h clock is never reminded late by much
}

# --- Risks (issue 11): periodic review reminders --------------------------------------
# Every morning, the owner of each risk whose review date has come gets one e-mail per
# review date (ISO/IEC 27001:2022 8.2: risk assessments at planned intervals).
CELERY_BEAT_SCHEDULE["risks-review-reminders"] = {
    "task": "risks.tasks.risk_review_reminders_task",
    "schedule": crontab(hour=7, minute=5),
}
SPECTACULAR_SETTINGS["ENUM_NAME_OVERRIDES"].update(  # type: ignore[attr-defined]
    {
        "AssetKindEnum": "risks.choices.AssetKind",
        "AssetClassificationEnum": "risks.choices.Classification",
        "RiskTreatmentEnum": "risks.choices.Treatment",
    }
)

# --- Anonymity assessments and free-text scanning (anonymity app) ----------------------
# Assessments whose message a Redis restart lost are published again; those whose worker
# died are recorded as failed.
CELERY_BEAT_SCHEDULE["sweep-anonymity-assessments"] = {
    "task": "anonymity.tasks.sweep_assessments_task",
    "schedule": 300.0,
}
# Largest extract accepted by upload (web and API); the file is hashed, measured and
# deleted, never kept. Pending uploads (between upload and role confirmation) live here.
ANONYMITY_MAX_UPLOAD_BYTES = env_int("ANONYMITY_MAX_UPLOAD_BYTES", 200 * 1024 * 1024)
ANONYMITY_UPLOAD_DIR = Path(env_str("ANONYMITY_UPLOAD_DIR", str(VAR_DIR / "anonymity-uploads")))
