"""Staff who signed in with a password finish with their second factor before anything else."""

from __future__ import annotations

from django.conf import settings
from django.shortcuts import redirect

from .models import UserKind

OPEN_PATHS = (
    "/accounts/login/",
    "/accounts/mfa/",
    "/accounts/logout/",
    "/accounts/password/reset/",
    "/static/",
    "/healthz",
    "/api/",
)


def mfa_required_for(user) -> bool:
    return bool(settings.STEPWELL_MFA_REQUIRED) and user.kind == UserKind.STAFF


class MultiFactorRequiredMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and mfa_required_for(user)
            and not user.is_verified()
            and not request.path.startswith(OPEN_PATHS)
        ):
            return redirect("accounts:mfa")
        return self.get_response(request)
