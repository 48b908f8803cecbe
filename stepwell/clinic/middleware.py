"""Middleware: show times in the program's time zone (times are stored in UTC)."""

from __future__ import annotations

import zoneinfo

from django.utils import timezone

from stepwell.clinic.selectors import timezone_for_user


class ProgramTimezoneMiddleware:
    """Show times in the program's time zone: times are stored in UTC."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        zone_name = None
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            zone_name = timezone_for_user(user=user)
        if zone_name:
            timezone.activate(zoneinfo.ZoneInfo(zone_name))
        else:
            timezone.deactivate()
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()  # threads are reused: never leak a zone to the next request
