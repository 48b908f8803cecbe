"""One change to a patient's chart from the API (`PATCH /api/v1/patients/{id}`): the
details, the family contacts and the insurance coverages together, in one transaction, so
a refused or invalid part leaves the whole chart as it was. Each part goes through its own
service and access rule (details and family contacts: patients; coverages: billing).

It lives in billing because billing builds on patients (billing imports patients, never the
reverse: see docs/architecture.md); the patients API edge calls it."""

from __future__ import annotations

from django.db import transaction

from stepwell.core.errors import AccessDenied, ApplicationError
from stepwell.patients.contacts import (
    family_contact_add,
    family_contact_remove,
    family_contact_update,
)
from stepwell.patients.details import patient_details_update
from stepwell.patients.models import Patient

from .coverage import coverage_add, coverage_update


def _prefixed(error: ApplicationError, prefix: str) -> ApplicationError:
    if isinstance(error, AccessDenied):
        return error
    fields = error.field_errors or {"": error.message}
    return ApplicationError(
        error.message,
        field_errors={f"{prefix}.{name}" if name else prefix: msg for name, msg in fields.items()},
    )


def _contact_change(actor, patient: Patient, item: dict) -> None:
    item = dict(item)
    contact_id, remove = item.pop("id", None), item.pop("remove", False)
    if contact_id is None:
        family_contact_add(actor=actor, patient_id=patient.pk, data=item)
        return
    if not patient.family_contacts.filter(pk=contact_id).exists():
        raise ApplicationError(
            "Not a family contact of this patient.", field_errors={"id": "Unknown contact."}
        )
    if remove:
        family_contact_remove(actor=actor, contact_id=contact_id)
    else:
        family_contact_update(actor=actor, contact_id=contact_id, data=item)


def _coverage_change(actor, patient: Patient, item: dict) -> None:
    item = dict(item)
    coverage_id = item.pop("id", None)
    if coverage_id is None:
        if item.get("payer_id") is None:
            raise ApplicationError(
                "Name the payer of a new coverage.", field_errors={"payer_id": "Required."}
            )
        coverage_add(actor=actor, patient_id=patient.pk, **item)
        return
    if not patient.coverages.filter(pk=coverage_id).exists():
        raise ApplicationError(
            "Not a coverage of this patient.", field_errors={"id": "Unknown coverage."}
        )
    coverage_update(actor=actor, coverage_id=coverage_id, **item)


def patient_chart_update(
    *,
    actor,
    patient_id: int,
    details: dict,
    family_contacts: list[dict] | None = None,
    coverages: list[dict] | None = None,
) -> list[str]:
    """Change the details (a key left out keeps its value), then each family contact
    (without `id`: added; with `id`: changed, or removed with `remove`), then each coverage
    (without `id`: added; with `id`: changed). Returns the detail fields that changed. An
    error names its item, e.g. `coverages.1.member_id`; nothing is kept."""
    with transaction.atomic():
        changed = patient_details_update(actor=actor, patient_id=patient_id, data=details)
        patient = Patient.objects.get(pk=patient_id)
        for number, item in enumerate(family_contacts or []):
            try:
                _contact_change(actor, patient, item)
            except ApplicationError as error:
                raise _prefixed(error, f"family_contacts.{number}") from error
        for number, item in enumerate(coverages or []):
            try:
                _coverage_change(actor, patient, item)
            except ApplicationError as error:
                raise _prefixed(error, f"coverages.{number}") from error
    return changed
