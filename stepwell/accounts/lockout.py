"""What a locked account is told (django-axes' AXES_LOCKOUT_CALLABLE).

The lock is per account. It starts at the failure that reaches the limit and lasts
STEPWELL_LOGIN_LOCKOUT_MINUTES from then: attempts during the lock are refused without
being counted (AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT is off), so nobody can keep
someone else's account locked by trying again and again. The API gets its JSON error
shape, pages get a page; both answer 429 with Retry-After.
"""

from __future__ import annotations

import math
from datetime import datetime

from axes.helpers import get_client_username, get_cool_off
from axes.models import AccessAttempt
from django.db.models import Max
from django.http import JsonResponse
from django.shortcuts import render
from django.utils import timezone

MESSAGE = "Account locked after too many failed logins; try again later."


def lockout_ends_at(username: str | None) -> datetime | None:
    if not username:
        return None
    last = AccessAttempt.objects.filter(username=username).aggregate(last=Max("attempt_time"))[
        "last"
    ]
    cool_off = get_cool_off()
    if last is None or cool_off is None:
        return None
    return last + cool_off


def lockout_response(request, original_response=None, credentials=None):
    ends_at = lockout_ends_at(get_client_username(request, credentials))
    seconds = None
    if ends_at is not None:
        seconds = max(1, math.ceil((ends_at - timezone.now()).total_seconds()))
    if request.path.startswith("/api/"):
        response = JsonResponse({"detail": MESSAGE}, status=429)
    else:
        response = render(
            request,
            "accounts/locked_out.html",
            {"minutes": math.ceil(seconds / 60) if seconds else None},
            status=429,
        )
    if seconds:
        response["Retry-After"] = str(seconds)
    return response
