from __future__ import annotations

from datetime import datetime

from django.contrib.auth import authenticate
from ninja import Router, Schema, Status

from stepwell.core.errors import ApplicationError
from stepwell.privacy.audit import AuditAction, AuditOutcome, audit_record, client_address_of

from . import mfa, tokens
from .lockout import MESSAGE as LOCKED_MESSAGE
from .middleware import mfa_required_for
from .models import UserKind

router = Router(tags=["auth"])


class TokenRequest(Schema):
    username: str
    password: str
    totp_code: str | None = None
    name: str = "API token"
    days: int | None = None


class TokenOut(Schema):
    token: str
    expires_at: datetime
    prefix: str


class ErrorOut(Schema):
    detail: str
    errors: dict[str, str] = {}


@router.post(
    "/token",
    auth=None,
    response={201: TokenOut, 400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 429: ErrorOut},
)
def token_obtain(request, payload: TokenRequest):
    """Exchange username, password and (for staff) a current TOTP code for a personal access token.

    A locked account gets 429 with Retry-After, until the lock that began at the failure
    reaching the limit ends; attempts during the lock do not extend it."""
    user = authenticate(request, username=payload.username, password=payload.password)
    address = client_address_of(request)
    if user is None:
        locked = bool(getattr(request, "axes_locked_out", False))
        audit_record(
            action=AuditAction.LOGIN_FAILED,
            outcome=AuditOutcome.FAILED,
            object_type="api_token",
            client_address=address,
            detail={"username": payload.username[:150], "locked_out": locked},
        )
        if locked:
            # AxesMiddleware answers with lockout.lockout_response (same body, Retry-After).
            return Status(429, {"detail": LOCKED_MESSAGE})
        return Status(
            401,
            {
                "detail": "The username or password is not right.",
                "errors": {"password": "Not right."},
            },
        )
    if user.kind != UserKind.STAFF:
        return Status(403, {"detail": "Only staff members can have API tokens."})
    if mfa_required_for(user):
        if mfa.totp_device_confirmed(user) is None:
            return Status(
                403,
                {
                    "detail": "Set up two-step login on the web first.",
                    "errors": {"totp_code": "No authenticator set up."},
                },
            )
        try:
            mfa.totp_verify(user, payload.totp_code or "")
        except ApplicationError as error:
            audit_record(
                user=user,
                action=AuditAction.LOGIN_FAILED,
                outcome=AuditOutcome.FAILED,
                object_type="api_token",
                client_address=address,
                detail={"step": "totp"},
            )
            return Status(
                401,
                {
                    "detail": error.message,
                    "errors": {"totp_code": error.field_errors.get("code", error.message)},
                },
            )
    issued = tokens.token_create(user=user, name=payload.name, days=payload.days)
    audit_record(
        user=user,
        action=AuditAction.TOKEN_CREATE,
        object_type="access_token",
        object_id=issued.token.pk,
        client_address=address,
    )
    return Status(
        201,
        {
            "token": issued.plaintext,
            "expires_at": issued.token.expires_at,
            "prefix": issued.token.prefix,
        },
    )
