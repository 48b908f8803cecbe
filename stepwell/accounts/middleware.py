"""Sessions: staff finish their second factor before anything else; idle sessions end."""

from __future__ import annotations

import time

from django.conf import settings
from django.contrib.auth.middleware import get_user
from django.db import connections, router
from django.shortcuts import redirect
from django.utils.functional import LazyObject
from django_otp.middleware import OTPMiddleware
from django_otp.plugins.otp_totp.models import TOTPDevice

from stepwell.core.kept import RecordRead

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


_TOTP_DEVICE = RecordRead(TOTPDevice)


class VerifiedDeviceMiddleware(OTPMiddleware):
    """django-otp's OTPMiddleware (``request.user.otp_device``, ``is_verified()``), reading
    the session's TOTP device (the one kind Stepwell enrolls) with a read kept compiled
    (stepwell/core/kept.py) instead of a query the ORM built and compiled on every staff
    request. Whether the device verifies the user (theirs, confirmed) is still decided by
    django-otp; a device of another kind is read as django-otp reads it.

    ``request.user`` is the user itself, read here, not django-otp's lazy object around
    Django's: the next middleware asks on every request whether the user is signed in
    and verified, so nothing is read that was not read before, and every attribute a
    page's rules ask of the user (a chart asks about a thousand) no longer goes through
    two lazy wrappers (1 to 1.5 ms of a chart). ``request.auser()`` gives the same user."""

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is None or self._is_async:
            return super().__call__(request)
        # Django's lazy user is get_user(request)'s answer, which it keeps on the request
        concrete = get_user(request) if isinstance(user, LazyObject) else user
        verified = self._verify_user_sync(request, concrete)

        async def same_user():
            return verified

        request.user, request.auser = verified, same_user
        return self.get_response(request)

    def _device_from_persistent_id(self, persistent_id: str):
        label, _, device_id = self._normalize_persistent_id(persistent_id).rpartition("/")
        if label != TOTPDevice._meta.label_lower:
            return super()._device_from_persistent_id(persistent_id)
        try:
            number = int(device_id)
        except ValueError:  # not a number: no device, as django-otp answers
            return None
        field = TOTPDevice._meta.pk
        low, high = connections[router.db_for_read(TOTPDevice)].ops.integer_field_range(
            field.get_internal_type()
        )
        # Past the column's range, no device (as the ORM answers such a lookup).
        return _TOTP_DEVICE.one(number) if low <= number <= high else None


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


# When the session's expiry was last pushed forward (seconds since the epoch).
REFRESHED_AT = "_stepwell_refreshed_at"
# Set on a request whose session is pushed forward (and so saved) this time: what a
# later middleware keeps in the session (the time zone) may be read again then, at no
# extra write.
SESSION_REFRESHED = "stepwell_session_refreshed"
IDLE_SECONDS_HEADER = "X-Idle-Seconds"


def refresh_interval(idle_seconds: int) -> int:
    """How often the expiry is pushed forward: a minute of fifteen (1/15 of the idle time,
    at least a second), so a session ends at most that much before the idle time."""
    return max(1, min(60, idle_seconds // 15))


class IdleSessionMiddleware:
    """Idle sessions end SESSION_COOKIE_AGE seconds after the last request.

    The expiry slides with activity, but it is written at most once per refresh interval
    instead of on every request (writing it each time was a transaction per page, a tenth
    of a simple page's time). A session therefore ends between the idle time less one
    interval and the idle time after the last request: never later. Every page and every
    answer says how many seconds are left (the body's data-idle-seconds and the
    X-Idle-Seconds header, read by stepwell.js after htmx requests), so the warning comes
    a minute before the session really ends. A session holding nothing (an anonymous
    visitor) is never written.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        session = request.session
        age = settings.SESSION_COOKIE_AGE
        now = time.time()
        left = None
        if session.keys():
            last = session.get(REFRESHED_AT)
            stale = not isinstance(last, int | float) or not 0 <= now - last < (
                refresh_interval(age)
            )
            if stale:
                session[REFRESHED_AT] = last = now  # saved, and so pushed forward, below
            setattr(request, SESSION_REFRESHED, stale)
            left = max(0, int(age - (now - last)))
        request.idle_seconds_left = age if left is None else left
        response = self.get_response(request)
        if session.modified and session.keys():
            # Saved anyway (a sign-in, a message): the expiry moves with this save.
            session[REFRESHED_AT] = time.time()
            left = age
        if left is not None and session.keys():
            response[IDLE_SECONDS_HEADER] = str(left)
        return response
