"""A patient's family contacts: added, changed and removed by whoever keeps the patient's
details (privacy/access/patients.py). Each change is kept as field-level history (on the
details page) and audited; whether the patient consented to a contact's involvement is
part of each contact (docs/clinical-sources.md §5)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction

from stepwell.core.errors import ApplicationError
from stepwell.privacy.access.patients import (
    access_family_contact_by_id,
    access_patient_details_by_id,
)
from stepwell.privacy.audit import AuditAction, audit_record

from .details import detail_changes_record
from .models import FamilyContact

CONTACT_FIELDS = ("name", "relationship", "phone", "email", "consented_to_involvement")
REQUIRED = ("name", "relationship")
LABELS = {"consented_to_involvement": "consent to involvement"}


def _clean(data: dict) -> dict:
    unknown = sorted(set(data) - set(CONTACT_FIELDS))
    if unknown:
        raise ApplicationError(
            "Unknown fields.", field_errors={f: "Cannot be changed here." for f in unknown}
        )
    clean = {}
    for field, value in data.items():
        if field == "consented_to_involvement":
            if not isinstance(value, bool):
                raise ApplicationError("Say yes or no.", field_errors={field: "Yes or no."})
            clean[field] = value
        else:
            clean[field] = " ".join(str(value or "").split())
    missing = {f: "Required." for f in REQUIRED if f in clean and not clean[f]}
    if missing:
        raise ApplicationError("The contact could not be saved.", field_errors=missing)
    return clean


def _validated(contact: FamilyContact) -> None:
    try:
        contact.full_clean(exclude=["patient", "created_by"])
    except ValidationError as error:
        raise ApplicationError(
            "The contact could not be saved.",
            field_errors={k: " ".join(v) for k, v in error.message_dict.items()},
        ) from error


def _history_name(contact: FamilyContact, field: str) -> str:
    return f"family contact {contact.name}: {LABELS.get(field, field)}"


def family_contact_add(*, actor, patient_id: int, data: dict) -> FamilyContact:
    """Add a family contact (name and relationship required)."""
    patient = access_patient_details_by_id(actor, patient_id)
    clean = _clean(data)
    missing = {f: "Required." for f in REQUIRED if not clean.get(f)}
    if missing:
        raise ApplicationError("The contact could not be saved.", field_errors=missing)
    contact = FamilyContact(
        patient=patient, created_by=actor if getattr(actor, "pk", None) else None, **clean
    )
    _validated(contact)
    with transaction.atomic():
        contact.save()
        detail_changes_record(
            patient_id=patient.pk,
            actor=actor,
            changes=[
                (_history_name(contact, f), "", getattr(contact, f))
                for f in CONTACT_FIELDS
                if getattr(contact, f)
            ],
        )
        audit_record(
            user=actor,
            action=AuditAction.CREATE,
            patient_id=patient.pk,
            object_type="family_contact",
            object_id=contact.pk,
            detail={"fields": [f for f in CONTACT_FIELDS if f in clean]},
        )
    return contact


def family_contact_update(*, actor, contact_id: int, data: dict) -> list[str]:
    """Change the given fields of a family contact; returns the fields that changed."""
    contact = access_family_contact_by_id(actor, contact_id)
    clean = _clean(data)
    with transaction.atomic():
        contact = FamilyContact.objects.select_for_update().get(pk=contact.pk)
        changes = [
            (field, getattr(contact, field), value)
            for field, value in clean.items()
            if getattr(contact, field) != value
        ]
        if not changes:
            return []
        before = FamilyContact(name=contact.name)
        for field, _old, new in changes:
            setattr(contact, field, new)
        _validated(contact)
        contact.save(update_fields=[field for field, _, _ in changes])
        detail_changes_record(
            patient_id=contact.patient_id,
            actor=actor,
            changes=[(_history_name(before, f), old, new) for f, old, new in changes],
        )
        audit_record(
            user=actor,
            action=AuditAction.UPDATE,
            patient_id=contact.patient_id,
            object_type="family_contact",
            object_id=contact.pk,
            detail={"fields": [field for field, _, _ in changes]},
        )
    return [field for field, _, _ in changes]


def family_contact_remove(*, actor, contact_id: int) -> None:
    """Remove a family contact; the history keeps who they were."""
    contact = access_family_contact_by_id(actor, contact_id)
    with transaction.atomic():
        detail_changes_record(
            patient_id=contact.patient_id,
            actor=actor,
            changes=[(f"family contact {contact.name}", str(contact), "removed")],
        )
        audit_record(
            user=actor,
            action=AuditAction.UPDATE,
            patient_id=contact.patient_id,
            object_type="family_contact",
            object_id=contact.pk,
            detail={"removed": True},
        )
        contact.delete()
