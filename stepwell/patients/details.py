"""Keeping a patient's details up to date: demographics, contact, emergency contact (with
the patient's consent to their involvement) and the insurance written on the chart. Each
changed field is kept as history (PatientDetailChange) and named in the audit event."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from stepwell.core.errors import ApplicationError
from stepwell.privacy.access.patients import access_patient_details_by_id
from stepwell.privacy.audit import AuditAction, audit_record

from .models import Patient, PatientDetailChange

DETAIL_FIELDS = (
    "legal_first_name",
    "legal_last_name",
    "preferred_name",
    "pronouns",
    "date_of_birth",
    "sex_assigned_at_birth",
    "gender_identity",
    "phone",
    "email",
    "address",
    "emergency_contact_name",
    "emergency_contact_relationship",
    "emergency_contact_phone",
    "emergency_contact_consented",
    "insurance_payer",
    "insurance_member_id",
    "insurance_group_number",
)
REQUIRED = ("legal_first_name", "legal_last_name", "date_of_birth", "sex_assigned_at_birth")


def _shown(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def detail_changes_record(*, patient_id: int, actor, changes) -> None:
    """Keep each changed field as history: `changes` is (field, old, new) triples. A
    building block of the services that change the chart (details, family contacts,
    coverages), called inside their transaction after their own access check."""
    PatientDetailChange.objects.bulk_create(
        [
            PatientDetailChange(
                patient_id=patient_id,
                field=field[:64],
                old_value=_shown(old),
                new_value=_shown(new),
                changed_by=actor if getattr(actor, "pk", None) else None,
            )
            for field, old, new in changes
        ]
    )


def patient_details_update(*, actor, patient_id: int, data: dict) -> list[str]:
    """Change the given fields (a key left out keeps its value); returns the names of the
    fields that changed. Bad input names its field and changes nothing."""
    patient = access_patient_details_by_id(actor, patient_id)
    unknown = sorted(set(data) - set(DETAIL_FIELDS))
    if unknown:
        raise ApplicationError(
            "Unknown fields.", field_errors={f: "Cannot be changed here." for f in unknown}
        )
    errors = {f: "Required." for f in REQUIRED if f in data and data[f] in (None, "")}
    if errors:
        raise ApplicationError("The details could not be saved.", field_errors=errors)
    with transaction.atomic():
        patient = Patient.objects.select_for_update().get(pk=patient.pk)
        changes = []
        for field in DETAIL_FIELDS:
            if field not in data:
                continue
            value = data[field].strip() if isinstance(data[field], str) else data[field]
            if getattr(patient, field) != value:
                changes.append((field, getattr(patient, field), value))
                setattr(patient, field, value)
        if patient.date_of_birth and patient.date_of_birth > timezone.localdate():
            raise ApplicationError(
                "Date of birth is in the future.",
                field_errors={"date_of_birth": "Is in the future."},
            )
        try:
            patient.full_clean(exclude=["mrn", "user", "created_by"])
        except ValidationError as error:
            raise ApplicationError(
                "The details could not be saved.",
                field_errors={k: " ".join(v) for k, v in error.message_dict.items()},
            ) from error
        if not changes:
            return []
        patient.save(update_fields=[field for field, _, _ in changes])
        detail_changes_record(patient_id=patient.pk, actor=actor, changes=changes)
        audit_record(
            user=actor,
            action=AuditAction.UPDATE,
            patient_id=patient.pk,
            object_type="patient_details",
            object_id=patient.pk,
            detail={"fields": [field for field, _, _ in changes]},
        )
    return [field for field, _, _ in changes]
