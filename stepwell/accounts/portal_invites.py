"""Patients get a portal login by invitation: a one-time link where they set a password.

The link carries Django's password-reset token, so it stops working once the password is
set, after STEPWELL_PORTAL_INVITE_DAYS (PASSWORD_RESET_TIMEOUT), or when the account
changes. Only a care-team clinician or a director of the patient's program may invite.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.tokens import default_token_generator
from django.db import transaction
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from stepwell.core.errors import AccessDenied, ApplicationError
from stepwell.privacy import access
from stepwell.privacy.audit import AuditAction, audit_record

from .models import User, UserKind


@dataclass(frozen=True)
class PortalInvite:
    user: User
    path: str


def portal_invite_create(*, actor, patient, client_address: str = "") -> PortalInvite:
    if not access.access_care_team_edit(actor, patient):
        raise AccessDenied("You cannot invite this patient to the portal.")
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
                "The patient already has a portal password; they can use it, or an administrator can reset it.",
                field_errors={"patient": "Already has a portal password."},
            )
        audit_record(
            user=actor,
            action=AuditAction.PRIVILEGE_CHANGE,
            patient_id=patient.pk,
            object_type="portal_invite",
            object_id=user.pk,
            client_address=client_address,
        )
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    return PortalInvite(user=user, path=reverse("accounts:portal_activate", args=[uid, token]))
