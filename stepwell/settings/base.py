"""Settings shared by every environment, read from the environment (see .env.example)."""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from dotenv import load_dotenv

BASE_DIR = Path(__file__).resolve().parent.parent.parent
load_dotenv(BASE_DIR / ".env", override=False)
# PDFs the same bytes each time (a signed consent printed again must be what was signed):
# where the system's HarfBuzz subsetter is missing, WeasyPrint subsets fonts with
# fontTools, which stamps each embedded font with the current second unless
# SOURCE_DATE_EPOCH (the reproducible-builds convention) names one. Two prints of a
# consent a second apart differed. An operator's own value is kept.
os.environ.setdefault("SOURCE_DATE_EPOCH", "315532800")  # 1980-01-01 UTC


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value else default


DEFAULT_SECRET_KEY = "insecure-development-key-change-me"  # noqa: S105 - refused in production
SECRET_KEY = os.environ.get("STEPWELL_SECRET_KEY", DEFAULT_SECRET_KEY)
STEPWELL_AUDIT_KEY = os.environ.get("STEPWELL_AUDIT_KEY", "")
# Retired audit keys, comma-separated: they only verify events signed before a rotation.
STEPWELL_AUDIT_PREVIOUS_KEYS = os.environ.get("STEPWELL_AUDIT_PREVIOUS_KEYS", "")
DEBUG = env_bool("STEPWELL_DEBUG", False)
ALLOWED_HOSTS = [
    h.strip()
    for h in os.environ.get("STEPWELL_ALLOWED_HOSTS", "127.0.0.1,localhost").split(",")
    if h.strip()
]
CSRF_TRUSTED_ORIGINS = [
    o.strip() for o in os.environ.get("STEPWELL_CSRF_TRUSTED_ORIGINS", "").split(",") if o.strip()
]

VAR_DIR = Path(os.environ.get("STEPWELL_VAR_DIR", BASE_DIR / "var"))
DEFAULT_DATABASE_URL = f"sqlite:///{VAR_DIR / 'stepwell.sqlite3'}"


def database_from_url(url: str) -> dict:
    config = dj_database_url.parse(url, conn_max_age=60, conn_health_checks=True)
    if config["ENGINE"] == "django.db.backends.sqlite3":
        if config["NAME"] not in ("", ":memory:"):
            Path(config["NAME"]).parent.mkdir(parents=True, exist_ok=True)
        config["CONN_MAX_AGE"] = 0
        # WAL lets readers work while one writer writes; IMMEDIATE takes the write lock at
        # BEGIN so two writers queue instead of failing half-way (audit chain, bookings).
        config["OPTIONS"] = {
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
        }
    elif config["ENGINE"] == "django.db.backends.postgresql":
        # No JIT compilation: the app's queries take milliseconds, and PostgreSQL compiles
        # any query its planner prices high (the audit trail's count over a large trail:
        # 196 ms of compiling for a 1.7 s query) before running it once.
        config["OPTIONS"] = {**config.get("OPTIONS", {}), "options": "-c jit=off"}
    return config


DATABASES = {
    "default": database_from_url(os.environ.get("STEPWELL_DATABASE_URL", DEFAULT_DATABASE_URL))
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

INSTALLED_APPS = [
    "stepwell.core.setup_config.SetupAdminConfig",
    # Before django.contrib.auth, so its `createsuperuser` command replaces Django's.
    "stepwell.accounts",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_htmx",
    "template_partials",
    "ninja",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "axes",
    "django_tasks",
    "django_tasks_db",
    "stepwell.core",
    "stepwell.clinic",
    "stepwell.patients",
    "stepwell.privacy",
    "stepwell.measures",
    "stepwell.placement",
    "stepwell.schedule",
    "stepwell.portal",
    "stepwell.intake",
    "stepwell.plans",
    "stepwell.care",
    "stepwell.billing",
    "stepwell.interop",
    "stepwell.reports",
    "stepwell.meds",
    "stepwell.consent",
    "stepwell.messaging",
    "stepwell.alumni",
    "stepwell.daily",
    "stepwell.milestones",
    "stepwell.demo",
    "stepwell.followups",
    "stepwell.discharge",
]

MIDDLEWARE = [
    "stepwell.core.middleware.HealthCheckMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "stepwell.core.middleware.SecurityHeadersMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "stepwell.accounts.middleware.IdleSessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "stepwell.accounts.middleware.VerifiedDeviceMiddleware",
    "stepwell.accounts.middleware.MultiFactorRequiredMiddleware",
    "stepwell.clinic.middleware.ProgramTimezoneMiddleware",
    "stepwell.core.middleware.AuditContextMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "axes.middleware.AxesMiddleware",
    "stepwell.core.middleware.RefusalMiddleware",
]

ROOT_URLCONF = "stepwell.urls"
WSGI_APPLICATION = "stepwell.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "stepwell" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "stepwell.core.context_processors.stepwell",
            ],
            # Django's date filter and url tag, quicker for what the pages repeat most.
            "builtins": ["stepwell.core.templatetags.dates", "stepwell.core.templatetags.urls"],
        },
    }
]

# Django's form renderer, with the common widgets written directly (core/form_renderer.py).
FORM_RENDERER = "stepwell.core.form_renderer.FormRenderer"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "stepwell.privacy.backends.StepwellBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "core:home"

# Idle sessions end after STEPWELL_SESSION_IDLE_MINUTES: the expiry slides with activity
# (accounts.middleware.IdleSessionMiddleware pushes it forward at most once a minute, so
# a session ends 14-15 minutes after the last request), so only inactivity ends one.
SESSION_IDLE_MINUTES = env_int("STEPWELL_SESSION_IDLE_MINUTES", 15)
SESSION_COOKIE_AGE = SESSION_IDLE_MINUTES * 60
SESSION_SAVE_EVERY_REQUEST = False
# Django's database sessions, the session read kept compiled (accounts/sessions.py).
SESSION_ENGINE = "stepwell.accounts.sessions"
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
# Sent on every page and API answer by stepwell.core.middleware.SecurityHeadersMiddleware,
# with Cache-Control: no-store. No inline scripts: htmx and our script are static files.
STEPWELL_CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self' 'unsafe-inline'",  # style="" attributes in templates; no scripts
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)
STEPWELL_PERMISSIONS_POLICY = ", ".join(
    f"{feature}=()"
    for feature in [
        "accelerometer",
        "camera",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "payment",
        "usb",
    ]
)

# Staff sign in with a second factor (TOTP) unless a deployment turns it off (demo only).
STEPWELL_MFA_REQUIRED = env_bool("STEPWELL_MFA_REQUIRED", True)
OTP_TOTP_ISSUER = "Stepwell"

AXES_FAILURE_LIMIT = env_int("STEPWELL_LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("STEPWELL_LOGIN_LOCKOUT_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = ["username"]
AXES_RESET_ON_SUCCESS = True
# The lock runs from the failure that reaches the limit; attempts during it are refused
# without restarting it, so nobody can keep another person's account locked forever.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_LOCKOUT_CALLABLE = "stepwell.accounts.lockout.lockout_response"  # JSON for the API
AXES_VERBOSE = False
# Lock the account, not the address: a clinic's staff share one NAT address, and one
# person's typos must not lock out the whole front desk.
SILENCED_SYSTEM_CHECKS = ["axes.W006"]

API_TOKEN_DAYS = env_int("STEPWELL_API_TOKEN_DAYS", 90)
# Links to set a password (sent to the user's own address) and portal invitations.
PASSWORD_RESET_TIMEOUT = env_int("STEPWELL_PASSWORD_RESET_HOURS", 24) * 3600
STEPWELL_PORTAL_INVITE_DAYS = env_int("STEPWELL_PORTAL_INVITE_DAYS", 7)
# One-time codes an administrator gives staff out of band to enrol an authenticator.
STEPWELL_ENROLMENT_CODE_HOURS = env_int("STEPWELL_ENROLMENT_CODE_HOURS", 72)

# Email (password links): SMTP unless STEPWELL_EMAIL_BACKEND says otherwise.
EMAIL_BACKEND = os.environ.get(
    "STEPWELL_EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend"
)
EMAIL_HOST = os.environ.get("STEPWELL_EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("STEPWELL_EMAIL_PORT", 25)
EMAIL_HOST_USER = os.environ.get("STEPWELL_EMAIL_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("STEPWELL_EMAIL_PASSWORD", "")
EMAIL_USE_TLS = env_bool("STEPWELL_EMAIL_USE_TLS", False)
EMAIL_TIMEOUT = 20
DEFAULT_FROM_EMAIL = os.environ.get("STEPWELL_EMAIL_FROM", "stepwell@localhost")
STEPWELL_DEMO = False
# Billing: an authorization shows as running out with this many units (days or sessions)
# left, or this many calendar days before its last day.
STEPWELL_AUTH_WARN_UNITS = env_int("STEPWELL_AUTH_WARN_UNITS", 3)
STEPWELL_AUTH_WARN_DAYS = env_int("STEPWELL_AUTH_WARN_DAYS", 7)
STEPWELL_CRISIS_RESOURCES = (
    os.environ.get("STEPWELL_CRISIS_RESOURCES")
    or "Call or text 988 (Suicide & Crisis Lifeline), or 911 in an emergency"
)
# Measures: how long a one-time questionnaire link works, and how many links that open
# nothing one client address may try in a window before it is refused (guessing throttle).
STEPWELL_QUESTIONNAIRE_LINK_HOURS = env_int("STEPWELL_QUESTIONNAIRE_LINK_HOURS", 72)
STEPWELL_FOLLOW_UP_LINK_DAYS = env_int("STEPWELL_FOLLOW_UP_LINK_DAYS", 14)
STEPWELL_QUESTIONNAIRE_LINK_FAILURES = env_int("STEPWELL_QUESTIONNAIRE_LINK_FAILURES", 10)
STEPWELL_QUESTIONNAIRE_LINK_FAILURE_MINUTES = env_int(
    "STEPWELL_QUESTIONNAIRE_LINK_FAILURE_MINUTES", 15
)
STEPWELL_PLAN_REVIEW_DAYS = env_int("STEPWELL_PLAN_REVIEW_DAYS", 30)
STEPWELL_RECERTIFICATION_DAYS = env_int("STEPWELL_RECERTIFICATION_DAYS", 60)
STEPWELL_OPTIMIZER_SECONDS = env_int("STEPWELL_OPTIMIZER_SECONDS", 20)
# care: licences that practise independently; any other (or no) credential needs a co-signer
STEPWELL_INDEPENDENT_CREDENTIALS = [
    c.strip()
    for c in os.environ.get(
        "STEPWELL_INDEPENDENT_CREDENTIALS",
        "MD,DO,PhD,PsyD,PMHNP,NP,APRN,LCSW,LICSW,LISW,LPC,LPCC,LMHC,LMFT,LCPC",
    ).split(",")
    if c.strip()
]
STEPWELL_NOTE_LATE_HOURS = env_int("STEPWELL_NOTE_LATE_HOURS", 24)  # care: author worklist
STEPWELL_NOTE_DIRECTOR_HOURS = env_int("STEPWELL_NOTE_DIRECTOR_HOURS", 72)  # care: director
STEPWELL_EXPORT_DIR = Path(os.environ.get("STEPWELL_EXPORT_DIR", VAR_DIR / "exports"))  # interop
STEPWELL_EXPORT_KEEP_HOURS = env_int("STEPWELL_EXPORT_KEEP_HOURS", 24)  # interop: bulk files
# reports: outcome counts from 1 to this minus 1 are hidden (0 or 1: nothing hidden)
STEPWELL_REPORT_MIN_CELL = env_int("STEPWELL_REPORT_MIN_CELL", 5)
# consent: how long emergency (break-glass) access to a chart lasts
STEPWELL_BREAK_GLASS_MINUTES = env_int("STEPWELL_BREAK_GLASS_MINUTES", 60)
# messaging: the address links in messages point to (jobs have no request to take it from)
STEPWELL_BASE_URL = os.environ.get("STEPWELL_BASE_URL", "http://127.0.0.1:8000").rstrip("/")
STEPWELL_MESSAGE_ATTEMPTS = env_int("STEPWELL_MESSAGE_ATTEMPTS", 5)  # tries before "failed"
STEPWELL_MESSAGE_RETRY_MINUTES = env_int("STEPWELL_MESSAGE_RETRY_MINUTES", 5)  # doubles each try
# Text messages: an HTTP provider with Twilio's Messages API, or the console (demo).
STEPWELL_SMS_BACKEND = os.environ.get(
    "STEPWELL_SMS_BACKEND", "stepwell.messaging.sms.TwilioBackend"
)
STEPWELL_SMS_API_URL = os.environ.get("STEPWELL_SMS_API_URL", "https://api.twilio.com")
STEPWELL_SMS_ACCOUNT = os.environ.get("STEPWELL_SMS_ACCOUNT", "")
STEPWELL_SMS_TOKEN = os.environ.get("STEPWELL_SMS_TOKEN", "")
STEPWELL_SMS_FROM = os.environ.get("STEPWELL_SMS_FROM", "")
# Daily jobs (`stepwell daily`): a program's day starts at this hour, local time.
STEPWELL_DAILY_START_HOUR = env_int("STEPWELL_DAILY_START_HOUR", 2)
if not 0 <= STEPWELL_DAILY_START_HOUR <= 23:
    raise ImproperlyConfigured(
        f"STEPWELL_DAILY_START_HOUR is {STEPWELL_DAILY_START_HOUR}: give an hour from 0 to 23."
    )

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "stepwell" / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True

TASKS = {"default": {"BACKEND": "django_tasks_db.backend.DatabaseBackend"}}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("STEPWELL_LOG_LEVEL", "WARNING")},
}
FORMS_URLFIELD_ASSUME_HTTPS = True  # Django 6 default; telehealth links are https
