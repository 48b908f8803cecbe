from __future__ import annotations

from datetime import datetime

from ninja import Router, Schema, Status

from stepwell.core.api_schemas import Out, responses

from .token_exchange import api_token_exchange

router = Router(tags=["auth"])


class TokenRequest(Schema):
    username: str
    password: str
    totp_code: str | None = None
    name: str = "API token"
    days: int | None = None


class TokenOut(Out):
    token: str
    expires_at: datetime
    prefix: str


@router.post("/token", auth=None, response=responses({201: TokenOut}, extra=(429,)))
def token_obtain(request, payload: TokenRequest):
    """Exchange username, password and (for staff) a current TOTP code for a personal access token.

    A locked account gets 429 with Retry-After, until the lock that began at the failure
    reaching the limit ends; attempts during the lock do not extend it."""
    issued = api_token_exchange(
        request=request,
        username=payload.username,
        password=payload.password,
        totp_code=payload.totp_code,
        name=payload.name,
        days=payload.days,
    )
    return Status(
        201,
        {
            "token": issued.plaintext,
            "expires_at": issued.token.expires_at,
            "prefix": issued.token.prefix,
        },
    )
