"""Personal access tokens: `swp_<prefix>_<secret>`, shown once, stored as SHA-256."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from stepwell.core.errors import ApplicationError

from .models import PersonalAccessToken, User, UserKind

TOKEN_PREFIX = "swp"  # noqa: S105 - a label, not a secret


@dataclass(frozen=True)
class IssuedToken:
    token: PersonalAccessToken
    plaintext: str


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def token_create(*, user: User, name: str, days: int | None = None) -> IssuedToken:
    name = (name or "").strip()
    if not name:
        raise ApplicationError("Give the token a name.", field_errors={"name": "Required."})
    if user.kind != UserKind.STAFF:
        raise ApplicationError("Only staff members can create API tokens.")
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
    return IssuedToken(token=token, plaintext=f"{TOKEN_PREFIX}_{prefix}_{secret}")


def token_revoke(*, user: User, token_id: int) -> None:
    updated = PersonalAccessToken.objects.filter(
        pk=token_id, user=user, revoked_at__isnull=True
    ).update(revoked_at=timezone.now())
    if not updated:
        raise ApplicationError("No such active token.")


def token_authenticate(plaintext: str) -> User | None:
    """The active user behind a token, or None when unknown, expired or revoked."""
    parts = (plaintext or "").split("_", 2)
    if len(parts) != 3 or parts[0] != TOKEN_PREFIX:
        return None
    token = (
        PersonalAccessToken.objects.select_related("user")
        .filter(prefix=parts[1], revoked_at__isnull=True, expires_at__gt=timezone.now())
        .first()
    )
    if token is None or not hmac.compare_digest(token.secret_hash, _hash(parts[2])):
        return None
    if not token.user.is_active:
        return None
    PersonalAccessToken.objects.filter(pk=token.pk).update(last_used_at=timezone.now())
    return token.user
