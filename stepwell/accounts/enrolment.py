"""One-time enrolment codes: the second thing, besides the password, that a staff member
needs to enrol a new authenticator app.

An administrator (or the operator, from the command line) creates a code and gives it
to the staff member out of band, in person or by phone. The code is shown once and only
its SHA-256 is stored; it expires after STEPWELL_ENROLMENT_CODE_HOURS, works once, and a
new code voids the user's earlier ones. Five wrong entries void it too, so a stolen
password alone can neither enrol an authenticator nor guess its way to one.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from stepwell.core.errors import ApplicationError
from stepwell.privacy.access.accounts import access_enrolment_code_create
from stepwell.privacy.actors import is_system
from stepwell.privacy.audit import AuditAction, AuditOutcome, audit_record
from stepwell.privacy.refusals import refuse

from .models import EnrolmentCode, User, UserKind

# No 0/O, 1/I/L: the code is read aloud or copied from paper.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 12  # 31**12, about 59 bits
MAX_FAILED_ATTEMPTS = 5
FIELD = "enrolment_code"


@dataclass(frozen=True)
class IssuedEnrolmentCode:
    record: EnrolmentCode
    plaintext: str


def _normalise(code: str) -> str:
    return "".join(ch for ch in (code or "").upper() if ch.isalnum())


def _hash(code: str) -> str:
    return hashlib.sha256(_normalise(code).encode()).hexdigest()


def _active_codes(user: User):
    return EnrolmentCode.objects.filter(
        user=user, used_at__isnull=True, voided_at__isnull=True, expires_at__gt=timezone.now()
    )


def enrolment_code_active(user: User) -> EnrolmentCode | None:
    return _active_codes(user).first()


def enrolment_code_create(*, actor, user: User) -> IssuedEnrolmentCode:
    """A new code for `user`, voiding earlier ones. The actor is an administrator, or the
    operator at the command line as a system actor (`stepwell enrolment-code USERNAME`)."""
    if not access_enrolment_code_create(actor):
        raise refuse(
            actor=actor,
            action=AuditAction.PRIVILEGE_CHANGE,
            object_type="user",
            object_id=user.pk,
            message="Only administrators create enrolment codes.",
        )
    from_command_line = is_system(actor)
    if user.kind != UserKind.STAFF:
        raise ApplicationError(
            "Only staff members enrol an authenticator.",
            field_errors={"user": "Not a staff member."},
        )
    if not user.is_active:
        raise ApplicationError(
            "This account is deactivated.", field_errors={"user": "Account deactivated."}
        )
    plaintext = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
    now = timezone.now()
    with transaction.atomic():
        voided = _active_codes(user).update(voided_at=now)
        record = EnrolmentCode.objects.create(
            user=user,
            code_hash=_hash(plaintext),
            created_by=None if from_command_line else actor,
            expires_at=now + timedelta(hours=settings.STEPWELL_ENROLMENT_CODE_HOURS),
        )
        audit_record(
            user=actor,
            action=AuditAction.PRIVILEGE_CHANGE,
            object_type="user",
            object_id=user.pk,
            detail={
                "mfa": "enrolment_code_created",
                "code_id": record.pk,
                "expires_at": record.expires_at.isoformat(),
                "earlier_codes_voided": voided,
                "via": "command line" if from_command_line else "setup",
            },
        )
    grouped = "-".join(plaintext[i : i + 4] for i in range(0, CODE_LENGTH, 4))
    return IssuedEnrolmentCode(record=record, plaintext=grouped)


def enrolment_code_check(*, user: User, code: str) -> EnrolmentCode:
    """The user's active code if `code` matches it. A wrong code counts against the
    active code, and voids it at the fifth; nothing is consumed here (see
    `enrolment_code_consume`)."""
    active = enrolment_code_active(user)
    if active is not None and hmac.compare_digest(active.code_hash, _hash(code)):
        return active
    voided = False
    if active is not None:
        with transaction.atomic():
            EnrolmentCode.objects.filter(pk=active.pk).update(
                failed_attempts=F("failed_attempts") + 1
            )
            voided = bool(
                EnrolmentCode.objects.filter(
                    pk=active.pk, failed_attempts__gte=MAX_FAILED_ATTEMPTS
                ).update(voided_at=timezone.now())
            )
    audit_record(
        user=user,
        action=AuditAction.LOGIN_FAILED,
        outcome=AuditOutcome.FAILED,
        object_type="user",
        object_id=user.pk,
        detail={"step": "enrolment_code", "active_code": active is not None, "voided": voided},
    )
    if active is None or voided:
        message = "You have no valid enrolment code. Ask your administrator for a new one."
    else:
        message = "That enrolment code is not right. Check it and try again."
    raise ApplicationError(message, field_errors={FIELD: message})


def enrolment_code_consume(*, user: User, code_id: int) -> EnrolmentCode:
    """Mark the code used, inside the caller's transaction; refuses a code that was used,
    voided or expired in the meantime."""
    code = (
        EnrolmentCode.objects.select_for_update()
        .filter(pk=code_id, user=user, used_at__isnull=True, voided_at__isnull=True)
        .filter(expires_at__gt=timezone.now())
        .first()
    )
    if code is None:
        message = "Your enrolment code is no longer valid. Ask your administrator for a new one."
        raise ApplicationError(message, field_errors={FIELD: message})
    code.used_at = timezone.now()
    code.save(update_fields=["used_at"])
    return code
