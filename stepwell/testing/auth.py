"""Test helpers for logging in."""

from __future__ import annotations

from django.conf import settings

from stepwell.accounts.models import UserKind

# The session engine of the files that send thousands of requests as a few people (the
# access matrix, the extremes file): each request reads its session from a signed cookie
# instead of a row, and a refresh of the idle timer writes a new cookie instead of
# updating the row (in the matrix every request refreshed it: each runs in a savepoint
# that is rolled back, so the last refresh was never kept). Four statements fewer a
# request there, about a quarter. Those files judge access rules and bad input; sessions
# themselves are tested on the database engine (accounts, the browser tests).
COOKIE_SESSIONS = "django.contrib.sessions.backends.signed_cookies"


def verified_login(client, user):
    """Log a staff member in with their second factor done (as after a TOTP step)."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    client.force_login(user)
    if user.kind == UserKind.STAFF:
        device = TOTPDevice.objects.filter(
            user=user, confirmed=True
        ).first() or TOTPDevice.objects.create(user=user, name="test", confirmed=True)
        session = client.session
        session["otp_device_id"] = device.persistent_id
        session.save()
        # The cookie names the saved session (with signed-cookie sessions it is the data).
        client.cookies[settings.SESSION_COOKIE_NAME] = session.session_key
    return client
