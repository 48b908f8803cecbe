"""Making a follow-up's one-time link: a new one replaces any unused one. Only the hash of
the token is kept (measures.models.token_hash, as for questionnaire links)."""

from __future__ import annotations

import secrets
from datetime import timedelta

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from stepwell.measures.models import token_hash

from ..models import FollowUp, FollowUpLink

LINK_DAYS_DEFAULT = 14


def link_lifetime() -> timedelta:
    """How long a follow-up link works: STEPWELL_FOLLOW_UP_LINK_DAYS (default 14)."""
    days = getattr(settings, "STEPWELL_FOLLOW_UP_LINK_DAYS", LINK_DAYS_DEFAULT)
    return timedelta(days=days if isinstance(days, int) and days > 0 else LINK_DAYS_DEFAULT)


def link_path(token: str) -> str:
    return reverse("followups:link", args=[token])


def link_url(token: str) -> str:
    return settings.STEPWELL_BASE_URL.rstrip("/") + link_path(token)


def new_link(follow_up: FollowUp) -> tuple[FollowUpLink, str]:
    """A fresh link for the follow-up (inside the caller's transaction); the token is
    returned once."""
    now = timezone.now()
    follow_up.links.filter(used_at__isnull=True, revoked_at__isnull=True).update(revoked_at=now)
    token = secrets.token_urlsafe(32)
    link = FollowUpLink.objects.create(
        follow_up=follow_up, token_hash=token_hash(token), expires_at=now + link_lifetime()
    )
    return link, token
