"""TOTP second factor with django-otp: enrolment, verification and removal."""

from __future__ import annotations

import segno
from django.db import transaction
from django_otp.plugins.otp_totp.models import TOTPDevice

from stepwell.core.errors import ApplicationError
from stepwell.privacy.access.accounts import access_staff_account_manage
from stepwell.privacy.audit import AuditAction, AuditOutcome, audit_record
from stepwell.privacy.refusals import refuse

from .enrolment import enrolment_code_consume
from .models import UserKind


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


def totp_login_verify(*, user, code: str) -> TOTPDevice:
    """The second step of a login: the code is checked, and the step is audited either way."""
    try:
        device = totp_verify(user, code)
    except ApplicationError:
        audit_record(
            user=user,
            action=AuditAction.LOGIN_FAILED,
            outcome=AuditOutcome.FAILED,
            object_type="user",
            object_id=user.pk,
            detail={"step": "totp"},
        )
        raise
    audit_record(
        user=user,
        action=AuditAction.LOGIN,
        object_type="user",
        object_id=user.pk,
        detail={"step": "totp"},
    )
    return device


def totp_enrol_confirm(*, user, code: str, enrolment_code_id: int | None) -> TOTPDevice:
    """Confirm the pending device with a current code from it, replacing any earlier one.

    `enrolment_code_id` is the one-time enrolment code the user entered first; it is
    consumed here. Only a user already verified with their current device (replacing it
    themselves) passes None, which the view decides.
    """
    code = (code or "").strip().replace(" ", "")
    device = totp_device_pending(user)
    if not code.isdigit() or not device.verify_token(code):
        raise ApplicationError(
            "That code is not valid.",
            field_errors={"code": "That code is not valid; try the current one."},
        )
    with transaction.atomic():
        if enrolment_code_id is not None:
            enrolment_code_consume(user=user, code_id=enrolment_code_id)
        TOTPDevice.objects.filter(user=user, confirmed=True).delete()
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        audit_record(
            user=user,
            action=AuditAction.PRIVILEGE_CHANGE,
            object_type="user",
            object_id=user.pk,
            detail={"mfa": "totp_enrolled", "enrolment_code_id": enrolment_code_id},
        )
    return device


def totp_devices_remove(*, actor, user) -> int:
    """An administrator removes a staff member's authenticator (a lost phone): the user
    enrols a new one at their next login, with an enrolment code. Their current session
    stops counting as verified at once, because its device is gone."""
    if not access_staff_account_manage(actor):
        raise refuse(
            actor=actor,
            action=AuditAction.PRIVILEGE_CHANGE,
            object_type="user",
            object_id=user.pk,
            message="Only administrators remove authenticators.",
        )
    if user.kind != UserKind.STAFF:
        raise ApplicationError(
            "Only staff members have authenticators.",
            field_errors={"user": "Not a staff member."},
        )
    with transaction.atomic():
        removed, _ = TOTPDevice.objects.filter(user=user).delete()
        audit_record(
            user=actor,
            action=AuditAction.PRIVILEGE_CHANGE,
            object_type="user",
            object_id=user.pk,
            detail={"mfa": "authenticator_removed", "devices_removed": removed},
        )
    return removed
