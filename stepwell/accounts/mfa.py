"""TOTP second factor with django-otp: enrolment and verification."""

from __future__ import annotations

import segno
from django.db import transaction
from django_otp.plugins.otp_totp.models import TOTPDevice

from stepwell.core.errors import ApplicationError


def totp_device_confirmed(user) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


def totp_device_pending(user) -> TOTPDevice:
    """The unconfirmed device being enrolled, created on first use."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=False)
    return device


def totp_qr_svg(device: TOTPDevice) -> str:
    return segno.make(device.config_url, error="m").svg_inline(scale=4)


def totp_verify(user, code: str) -> TOTPDevice:
    code = (code or "").strip().replace(" ", "")
    if not code.isdigit() or len(code) != 6:
        raise ApplicationError(
            "Enter the 6-digit code.",
            field_errors={"code": "Enter the 6-digit code from your app."},
        )
    device = totp_device_confirmed(user)
    if device is None or not device.verify_token(code):
        raise ApplicationError(
            "That code is not valid.",
            field_errors={"code": "That code is not valid; try the current one."},
        )
    return device


def totp_enrol_confirm(user, code: str) -> TOTPDevice:
    code = (code or "").strip().replace(" ", "")
    device = totp_device_pending(user)
    if not code.isdigit() or not device.verify_token(code):
        raise ApplicationError(
            "That code is not valid.",
            field_errors={"code": "That code is not valid; try the current one."},
        )
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user, confirmed=True).delete()
        device.confirmed = True
        device.save(update_fields=["confirmed"])
    return device
