"""Writes of a patient's coverages and their eligibility checks: one transaction each,
audited. Billing staff, intake coordinators and directors of the patient's programs
(privacy/access/billing.py)."""

from __future__ import annotations

import re
from datetime import date

from django.db import transaction
from django.utils import timezone

from stepwell.core.errors import ApplicationError
from stepwell.patients.details import detail_changes_record
from stepwell.privacy.access.billing import access_coverage_by_id, access_coverage_patient_by_id
from stepwell.privacy.audit import AuditAction, audit_record

from ..models import (
    Coverage,
    CoveragePriority,
    EligibilityCheck,
    Payer,
    SubscriberRelationship,
)
from .validation import validated

TEXT_FIELDS = (
    "plan_name",
    "member_id",
    "group_number",
    "subscriber_name",
    "address_line",
    "city",
    "state",
    "postal_code",
)
FIELDS = (
    "payer_id",
    "priority",
    "subscriber_relationship",
    "effective_from",
    "effective_to",
    *TEXT_FIELDS,
)


def _overlap(other: Coverage, starts: date | None, ends: date | None) -> bool:
    if other.effective_to and starts and other.effective_to < starts:
        return False
    return not (ends and other.effective_from and ends < other.effective_from)


def _check(coverage: Coverage) -> None:
    """The coverage's own rules, naming the field at fault."""
    ends_first = coverage.effective_to and coverage.effective_from
    if ends_first and coverage.effective_to < coverage.effective_from:
        raise ApplicationError(
            "The coverage ends before it starts.",
            field_errors={"effective_to": "On or after the start date."},
        )
    if coverage.state and not re.fullmatch(r"[A-Z]{2}", coverage.state):
        raise ApplicationError(
            "The state is two letters.", field_errors={"state": "Two letters, e.g. IL."}
        )
    if coverage.postal_code and not re.fullmatch(r"\d{5}(\d{4})?", coverage.postal_code):
        raise ApplicationError(
            "The ZIP code is 5 or 9 digits.", field_errors={"postal_code": "5 or 9 digits."}
        )
    if not coverage.subscriber_is_patient and not coverage.subscriber_name:
        raise ApplicationError(
            "Name the subscriber when it is not the patient.",
            field_errors={"subscriber_name": "The subscriber's name, as on the card."},
        )
    validated(coverage, "The coverage could not be saved.", exclude=["created_by"])


def _normalised(values: dict) -> dict:
    clean = {}
    for field, value in values.items():
        if field in TEXT_FIELDS:
            value = " ".join((value or "").split())
        if field == "state":
            value = value.upper()
        if field == "postal_code":
            value = value.replace("-", "")
        clean[field] = value
    return clean


def _payer(payer_id) -> Payer:
    payer = Payer.objects.filter(pk=payer_id).first() if str(payer_id).isdigit() else None
    if payer is None:
        raise ApplicationError("Unknown payer.", field_errors={"payer": "Unknown payer."})
    return payer


def _refuse_a_second_of_the_priority(coverage: Coverage) -> None:
    others = Coverage.objects.select_for_update().filter(
        patient=coverage.patient, priority=coverage.priority
    )
    if coverage.pk:
        others = others.exclude(pk=coverage.pk)
    for other in others.select_related("payer"):
        if _overlap(other, coverage.effective_from, coverage.effective_to):
            raise ApplicationError(
                f"{coverage.patient.display_name} already has a "
                f"{coverage.get_priority_display().lower()} coverage ({other.payer.name}) "
                "for those dates.",
                field_errors={"priority": "Already taken for those dates."},
            )


def _history(actor, coverage: Coverage, changes) -> None:
    """Each changed field of a coverage in the patient's detail history."""
    detail_changes_record(
        patient_id=coverage.patient_id,
        actor=actor,
        changes=[
            (f"coverage {coverage.payer.name}: {field.replace('_', ' ')}", old, new)
            for field, old, new in changes
        ],
    )


def coverage_add(
    *,
    actor,
    patient_id: int,
    payer_id: int,
    priority: str = CoveragePriority.PRIMARY,
    subscriber_relationship: str = SubscriberRelationship.SELF,
    effective_from: date | None = None,
    effective_to: date | None = None,
    **text,
) -> Coverage:
    """Record one coverage of a patient. A second coverage of the same priority whose
    dates overlap is refused: the hours rule and the claims come from one primary payer.
    `text` takes any of TEXT_FIELDS."""
    patient = access_coverage_patient_by_id(actor, patient_id)
    unknown = set(text) - set(TEXT_FIELDS)
    if unknown:
        raise TypeError(f"coverage_add() got unexpected arguments {sorted(unknown)}")
    coverage = Coverage(
        patient=patient,
        payer=_payer(payer_id),
        priority=priority,
        subscriber_relationship=subscriber_relationship,
        effective_from=effective_from,
        effective_to=effective_to,
        created_by=actor if getattr(actor, "pk", None) else None,
        **_normalised(text),
    )
    _check(coverage)
    with transaction.atomic():
        _refuse_a_second_of_the_priority(coverage)
        coverage.save()
        _history(
            actor,
            coverage,
            [
                (f, "", getattr(coverage, f))
                for f in ("priority", "member_id", "subscriber_name", "effective_from")
                if getattr(coverage, f)
            ],
        )
        audit_record(
            user=actor,
            action=AuditAction.CREATE,
            patient_id=patient.pk,
            object_type="coverage",
            object_id=coverage.pk,
            detail={"payer": coverage.payer_id, "priority": priority},
        )
    return coverage


def coverage_update(*, actor, coverage_id: int, **values) -> Coverage:
    """Change a coverage's details (any of FIELDS); the changed fields are audited."""
    coverage = access_coverage_by_id(actor, coverage_id)
    unknown = set(values) - set(FIELDS)
    if unknown:
        raise TypeError(f"coverage_update() got unexpected arguments {sorted(unknown)}")
    values = _normalised(values)
    changes = []
    if "payer_id" in values:
        payer = _payer(values.pop("payer_id"))
        if payer.pk != coverage.payer_id:
            changes.append(("payer", coverage.payer.name, payer.name))
        coverage.payer = payer
    changes += [
        (f, getattr(coverage, f), v) for f, v in values.items() if getattr(coverage, f) != v
    ]
    changed = [f for f, _, _ in changes if f != "payer"]
    if any(f == "payer" for f, _, _ in changes):
        changed.append("payer_id")
    for field, value in values.items():
        setattr(coverage, field, value)
    _check(coverage)
    with transaction.atomic():
        _refuse_a_second_of_the_priority(coverage)
        coverage.save()
        _history(actor, coverage, changes)
        audit_record(
            user=actor,
            action=AuditAction.UPDATE,
            patient_id=coverage.patient_id,
            object_type="coverage",
            object_id=coverage.pk,
            detail={"changed": sorted(changed)},
        )
    return coverage


def coverage_end(*, actor, coverage_id: int, ends_on: date, reason: str) -> Coverage:
    """End a coverage on a day (its last covered day), with the reason."""
    coverage = access_coverage_by_id(actor, coverage_id)
    reason = " ".join((reason or "").split())
    if not reason:
        raise ApplicationError(
            "Say why the coverage ends.", field_errors={"reason": "Why it ends."}
        )
    if coverage.effective_from and ends_on < coverage.effective_from:
        raise ApplicationError(
            "The coverage ends before it starts.",
            field_errors={"ends_on": f"On or after {coverage.effective_from:%Y-%m-%d}."},
        )
    changes = [
        ("effective_to", coverage.effective_to, ends_on),
        ("end_reason", coverage.end_reason, reason[:200]),
    ]
    coverage.effective_to = ends_on
    coverage.end_reason = reason[:200]
    with transaction.atomic():
        coverage.save(update_fields=["effective_to", "end_reason"])
        _history(actor, coverage, changes)
        audit_record(
            user=actor,
            action=AuditAction.UPDATE,
            patient_id=coverage.patient_id,
            object_type="coverage",
            object_id=coverage.pk,
            detail={"ended_on": ends_on.isoformat()},
        )
    return coverage


def eligibility_check_record(
    *,
    actor,
    coverage_id: int,
    checked_on: date,
    method: str,
    result: str,
    reference: str = "",
    comment: str = "",
    today: date | None = None,
) -> EligibilityCheck:
    """Record that someone checked the coverage with the payer: when, how, the answer."""
    coverage = access_coverage_by_id(actor, coverage_id, action=AuditAction.CREATE)
    today = today or timezone.localdate()
    if checked_on > today:
        raise ApplicationError(
            "A check cannot be in the future.", field_errors={"checked_on": "Today or earlier."}
        )
    check = EligibilityCheck(
        coverage=coverage,
        checked_on=checked_on,
        method=method,
        result=result,
        reference=" ".join((reference or "").split()),
        comment=" ".join((comment or "").split()),
        checked_by=actor,
    )
    validated(check, "The check could not be recorded.", exclude=["checked_by"])
    with transaction.atomic():
        check.save()
        audit_record(
            user=actor,
            action=AuditAction.CREATE,
            patient_id=coverage.patient_id,
            object_type="eligibility_check",
            object_id=check.pk,
            detail={"coverage": coverage.pk, "result": result},
        )
    return check
