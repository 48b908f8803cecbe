"""Personal access tokens: `swp_<prefix>_<secret>`, shown once, stored as SHA-256.

A staff member makes and revokes their own tokens (the acting user is the token's
owner); both are audited.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core.paginator import Page
from django.db import transaction
from django.utils import timezone

from stepwell.core.errors import ApplicationError
from stepwell.core.kept import RecordRead
from stepwell.core.paging import page_of
from stepwell.privacy.access.accounts import access_api_token_by_id, access_api_tokens
from stepwell.privacy.audit import AuditAction, audit_record
from stepwell.privacy.refusals import refuse

from .models import PersonalAccessToken, User

TOKEN_PREFIX = "swp"  # noqa: S105 - a label, not a secret
# "Last used" is written at most once a minute per token (the tokens page shows minutes):
# a script calling the API many times a second does not write the token's row each time.
LAST_USED_PRECISION = timedelta(minutes=1)
# A token and its user by the token's unique prefix: every API request reads it, so its
# SQL is kept compiled (stepwell/core/kept.py).
_BY_PREFIX = RecordRead(PersonalAccessToken, "user", key="prefix")


@dataclass(frozen=True)
class IssuedToken:
    token: PersonalAccessToken
    plaintext: str


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def token_create(*, user: User, name: str, days: int | None = None) -> IssuedToken:
    """A token for the acting user themselves (staff only)."""
    if not access_api_tokens(user):
        raise refuse(
            actor=user,
            action=AuditAction.TOKEN_CREATE,
            object_type="access_token",
            object_id="new",
            message="Only staff members can have API tokens.",
        )
    name = (name or "").strip()
    if not name:
        raise ApplicationError("Give the token a name.", field_errors={"name": "Required."})
    days = settings.API_TOKEN_DAYS if days is None else days
    if not 1 <= days <= 365:
        raise ApplicationError(
            "A token lasts between 1 and 365 days.", field_errors={"days": "Between 1 and 365."}
        )
    prefix = secrets.token_hex(6)
    secret = secrets.token_urlsafe(32)
    with transaction.atomic():
        token = PersonalAccessToken.objects.create(
            user=user,
            name=name[:100],
            prefix=prefix,
            secret_hash=_hash(secret),
            expires_at=timezone.now() + timedelta(days=days),
        )
        audit_record(
            user=user,
            action=AuditAction.TOKEN_CREATE,
            object_type="access_token",
            object_id=token.pk,
        )
    return IssuedToken(token=token, plaintext=f"{TOKEN_PREFIX}_{prefix}_{secret}")


def tokens_of(*, user: User, page_number=None) -> Page:
    """The acting user's own tokens, newest first, 50 a page (staff only)."""
    if not access_api_tokens(user):
        raise refuse(actor=user, action=AuditAction.LIST, object_type="access_token")
    return page_of(user.access_tokens.order_by("-created_at", "-pk"), page_number)


def token_revoke(*, user: User, token_id: int) -> int:
    """Revoke one of the acting user's own active tokens; returns how many (1).
    Someone else's token, or one that does not exist, is an audited refusal."""
    token = access_api_token_by_id(user, token_id)
    with transaction.atomic():
        updated = PersonalAccessToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(
            revoked_at=timezone.now()
        )
        if not updated:
            raise ApplicationError("This token is already revoked.")
        audit_record(
            user=user,
            action=AuditAction.TOKEN_REVOKE,
            object_type="access_token",
            object_id=token_id,
        )
    return updated


def token_authenticate(plaintext: str) -> User | None:
    """The active user behind a token, or None when unknown, expired or revoked. Notes
    when it was last used, to the minute."""
    parts = (plaintext or "").split("_", 2)
    if len(parts) != 3 or parts[0] != TOKEN_PREFIX:
        return None
    token = _BY_PREFIX.one(parts[1])  # the prefix is unique
    if token is None or token.revoked_at is not None or token.expires_at <= timezone.now():
        return None
    if not hmac.compare_digest(token.secret_hash, _hash(parts[2])):
        return None
    if not token.user.is_active:
        return None
    now = timezone.now()
    last = token.last_used_at
    if last is None or not timedelta(0) <= now - last < LAST_USED_PRECISION:
        PersonalAccessToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user
