"""Exchanging a staff member's username, password and TOTP code for an API token.

Every failure is audited and raised as AuthenticationFailed, which the API answers with
its status: 401 for a wrong password or code, 403 when no authenticator is set up yet,
429 while the account is locked (django-axes counts the failures; its middleware adds
Retry-After). A patient gets the token service's refusal (403, audited).
"""

from __future__ import annotations

from django.contrib.auth import authenticate

from stepwell.core.errors import ApplicationError, AuthenticationFailed
from stepwell.privacy.audit import AuditAction, AuditOutcome, audit_record

from . import mfa
from .lockout import MESSAGE as LOCKED_MESSAGE
from .middleware import mfa_required_for
from .tokens import IssuedToken, token_create


def api_token_exchange(
    *,
    request,
    username: str,
    password: str,
    totp_code: str | None,
    name: str,
    days: int | None,
) -> IssuedToken:
    user = authenticate(request, username=username, password=password)
    if user is None:
        locked = bool(getattr(request, "axes_locked_out", False))
        audit_record(
            action=AuditAction.LOGIN_FAILED,
            outcome=AuditOutcome.FAILED,
            object_type="api_token",
            detail={"username": username[:150], "locked_out": locked},
        )
        if locked:
            raise AuthenticationFailed(LOCKED_MESSAGE, status=429)
        raise AuthenticationFailed(
            "The username or password is not right.", field_errors={"password": "Not right."}
        )
    if mfa_required_for(user):
        _second_step(user, totp_code)
    return token_create(user=user, name=name, days=days)


def _second_step(user, totp_code: str | None) -> None:
    if mfa.totp_device_confirmed(user) is None:
        raise AuthenticationFailed(
            "Set up two-step login on the web first.",
            field_errors={"totp_code": "No authenticator set up."},
            status=403,
        )
    try:
        mfa.totp_verify(user, totp_code or "")
    except ApplicationError as error:
        audit_record(
            user=user,
            action=AuditAction.LOGIN_FAILED,
            outcome=AuditOutcome.FAILED,
            object_type="api_token",
            detail={"step": "totp"},
        )
        raise AuthenticationFailed(
            error.message,
            field_errors={"totp_code": error.field_errors.get("code", error.message)},
        ) from error
