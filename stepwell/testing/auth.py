"""Test helpers for logging in."""

from __future__ import annotations

from stepwell.accounts.models import UserKind


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
    return client
