"""Production settings: refuse to start with DEBUG on or with the default secret key."""

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import DEBUG, DEFAULT_SECRET_KEY, SECRET_KEY

if DEBUG:
    raise ImproperlyConfigured(
        "STEPWELL_DEBUG is on: production settings refuse to start with DEBUG enabled."
    )
if SECRET_KEY == DEFAULT_SECRET_KEY or len(SECRET_KEY) < 40:
    raise ImproperlyConfigured(
        "STEPWELL_SECRET_KEY is missing, the default, or shorter than 40 characters: "
        "production settings refuse to start without a real secret key."
    )

SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_SSL_REDIRECT = True
SECURE_HSTS_SECONDS = 31536000
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
# A load balancer checks /healthz over plain HTTP (HealthCheckMiddleware answers it first).
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
