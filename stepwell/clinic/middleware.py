"""Middleware: show times in the program's time zone (times are stored in UTC)."""

from __future__ import annotations

import zoneinfo

from django.utils import timezone

from stepwell.accounts.middleware import SESSION_REFRESHED
from stepwell.clinic.selectors import timezone_for_user

# The zone last read for the session's user, kept as [user id, zone name or None].
ZONE_KEY = "_stepwell_zone"


def _zone_of(request, user) -> str | None:
    """The user's zone, kept in the session between the session's refreshes.

    It is read again when the session is pushed forward (at most once a minute of
    activity), so a change of program or of a program's zone shows within that minute,
    and kept then, in the save the refresh makes anyway: keeping it never adds a session
    write. Until a session's first refresh (the first minute after signing in) it is read
    on every page, as it always was; after that, every other page is spared the query."""
    session = getattr(request, "session", None)
    refreshing = getattr(request, SESSION_REFRESHED, True)
    kept = session.get(ZONE_KEY) if session is not None else None
    if not refreshing and isinstance(kept, list) and len(kept) == 2 and kept[0] == user.pk:
        return kept[1]
    zone = timezone_for_user(user=user)
    if session is not None and (refreshing or session.modified):
        session[ZONE_KEY] = [user.pk, zone]
    return zone


class ProgramTimezoneMiddleware:
    """Show times in the program's time zone: times are stored in UTC."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        zone_name = None
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            zone_name = _zone_of(request, user)
        if zone_name:
            timezone.activate(zoneinfo.ZoneInfo(zone_name))
        else:
            timezone.deactivate()
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()  # threads are reused: never leak a zone to the next request
