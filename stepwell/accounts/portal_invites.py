"""Patients get a portal login by invitation: a one-time link where they set a password.

The link carries a token like Django's password-reset token (its own salt, so it is no
password-reset link): it stops working once the password is set, after
STEPWELL_PORTAL_INVITE_DAYS, or when the account changes. A new invitation voids the
previous link, because it renews the account's (unusable) password, which the token
covers. A clinician or director of the program of one of the patient's open episodes
invites (privacy.access.accounts).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.conf import settings
from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.db import transaction
from django.urls import reverse
from django.utils.crypto import constant_time_compare
from django.utils.encoding import force_bytes
from django.utils.http import base36_to_int, urlsafe_base64_encode

from stepwell.core.errors import ApplicationError
from stepwell.privacy.access.accounts import access_portal_invite_patient_by_id
from stepwell.privacy.audit import AuditAction, audit_record

from .models import User, UserKind

if TYPE_CHECKING:
    from stepwell.patients.models import Patient


class PortalInviteTokenGenerator(PasswordResetTokenGenerator):
    """Django's reset token with its own salt and lifetime (STEPWELL_PORTAL_INVITE_DAYS)."""

    key_salt = "stepwell.accounts.portal_invite"

    def check_token(self, user, token) -> bool:
        if not (user and token):
            return False
        try:
            timestamp_b36, _ = token.split("-")
            timestamp = base36_to_int(timestamp_b36)
        except ValueError:
            return False
        if not any(
            constant_time_compare(self._make_token_with_timestamp(user, timestamp, secret), token)
            for secret in [self.secret, *self.secret_fallbacks]
        ):
            return False
        age = self._num_seconds(self._now()) - timestamp
        return age <= settings.STEPWELL_PORTAL_INVITE_DAYS * 24 * 3600


portal_invite_token_generator = PortalInviteTokenGenerator()


@dataclass(frozen=True)
class PortalInvite:
    patient: Patient
    user: User
    path: str


def portal_invite_create(*, actor, patient_id: int) -> PortalInvite:
    patient = access_portal_invite_patient_by_id(actor, patient_id)
    with transaction.atomic():
        user = patient.user
        if user is None:
            base = f"p{patient.mrn.lower()}"
            user = User(
                username=base,
                kind=UserKind.PATIENT,
                first_name=patient.legal_first_name,
                last_name=patient.legal_last_name,
                email=patient.email,
            )
            user.set_unusable_password()
            user.save()
            patient.user = user
            patient.save(update_fields=["user"])
        elif user.kind != UserKind.PATIENT:
            raise ApplicationError("This record is linked to a staff account.")
        elif user.has_usable_password():
            raise ApplicationError(
                "The patient already has a portal password; they can use it, or get a new one "
                "with 'Forgot your password?' on the login page.",
                field_errors={"patient": "Already has a portal password."},
            )
        else:
            user.set_unusable_password()  # a fresh one: the previous invitation stops working
            user.save(update_fields=["password"])
        audit_record(
            user=actor,
            action=AuditAction.PRIVILEGE_CHANGE,
            patient_id=patient.pk,
            object_type="portal_invite",
            object_id=user.pk,
        )
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = portal_invite_token_generator.make_token(user)
    return PortalInvite(
        patient=patient, user=user, path=reverse("accounts:portal_activate", args=[uid, token])
    )
