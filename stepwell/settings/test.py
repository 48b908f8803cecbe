"""Test settings: fast hashing, the database chosen by STEPWELL_DATABASE_URL."""

import os

from .base import *  # noqa: F403
from .base import database_from_url

DEBUG = False
SECRET_KEY = "test-only-key-not-secret-0123456789abcdefghijklmnop"  # noqa: S105
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
DATABASES = {
    "default": database_from_url(os.environ.get("STEPWELL_DATABASE_URL", "sqlite:///:memory:"))
}
STEPWELL_DEMO = True  # lets tests call seed-demo; MFA stays on as in production
STEPWELL_MFA_REQUIRED = True
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
STEPWELL_AUDIT_DB_TRIGGERS = (
    False  # installed per test in privacy/tests/test_audit.py; see privacy/triggers.py
)
STEPWELL_SIGNED_RECORD_DB_TRIGGERS = (
    False  # installed per test by the tests of privacy/signed_records.py and its migrations
)
STEPWELL_SMS_BACKEND = "stepwell.messaging.sms.MemoryBackend"
# Each test client loads the middleware anew, and WhiteNoise would list and stat every
# static file each time (about 10 ms a client, thousands of clients a run). In autorefresh
# mode it looks a file up when one is asked for. The demo and production settings keep
# the listing; tests of them run those settings in a process of their own
# (core/tests/test_headers.py).
WHITENOISE_AUTOREFRESH = True
