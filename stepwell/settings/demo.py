"""Demo settings: a laptop clinic with synthetic data. Never for real patients."""

import os

from .base import *  # noqa: F403
from .base import env_bool

DEBUG = env_bool("STEPWELL_DEBUG", True)
STEPWELL_DEMO = True
STEPWELL_MFA_REQUIRED = env_bool("STEPWELL_MFA_REQUIRED", False)
SECRET_KEY = os.environ.get(
    "STEPWELL_SECRET_KEY", "demo-only-key-not-for-production-use-0123456789"
)
