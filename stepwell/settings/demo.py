"""Demo settings: a laptop clinic with synthetic data. Never for real patients."""

import os

from .base import *  # noqa: F403
from .base import env_bool

# DEBUG stays off even here: a traceback page shows the data of the request (patients'
# names too). Errors get the friendly 404/500 pages; WhiteNoise serves static files.
DEBUG = env_bool("STEPWELL_DEBUG", False)
STEPWELL_DEMO = True
STEPWELL_MFA_REQUIRED = env_bool("STEPWELL_MFA_REQUIRED", False)
SECRET_KEY = os.environ.get(
    "STEPWELL_SECRET_KEY", "demo-only-key-not-for-production-use-0123456789"
)
EMAIL_BACKEND = os.environ.get(
    "STEPWELL_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend"
)  # password links appear in the terminal that runs `make demo`
STEPWELL_SMS_BACKEND = os.environ.get(
    "STEPWELL_SMS_BACKEND", "stepwell.messaging.sms.ConsoleBackend"
)  # text messages appear in the terminal too
