"""Writes of the payer table and of patients' coverages: one transaction each, audited."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction

from stepwell.care.hours import RULE_DEFAULTS, RuleKind
from stepwell.core.errors import ApplicationError
from stepwell.privacy.access.billing import access_coverage_patient_by_id, access_payer_edit
from stepwell.privacy.audit import AuditAction, audit_record
from stepwell.privacy.refusals import refuse

from .models import Coverage, CoveragePriority, Payer


def _validated(row, message: str) -> None:
    try:
        row.full_clean()
    except ValidationError as error:
        raise ApplicationError(
            message, field_errors={k: " ".join(v) for k, v in error.message_dict.items()}
        ) from error


def payer_create(
    *,
    actor,
    name: str,
    kind: str,
    hours_rule: str,
    min_weekly_minutes: int | None = None,
    min_daily_minutes: int | None = None,
    min_days: int | None = None,
    day_counts_from_minutes: int | None = None,
) -> Payer:
    """A payer, its numbers starting from its rule's defaults (care/hours.py RULE_DEFAULTS)
    where not given."""
    if not access_payer_edit(actor):
        raise refuse(
            actor=actor,
            action=AuditAction.CREATE,
            object_type="payer",
            object_id="new",
            message="Only an administrator sets up payers.",
        )
    if hours_rule not in {kind.value for kind in RuleKind}:
        raise ApplicationError(
            "Unknown hours rule.",
            field_errors={"hours_rule": f"One of {', '.join(k.value for k in RuleKind)}."},
        )
    defaults = RULE_DEFAULTS[RuleKind(hours_rule)]
    payer = Payer(
        name=(name or "").strip(),
        kind=kind,
        hours_rule=hours_rule,
        min_weekly_minutes=defaults.min_weekly_minutes
        if min_weekly_minutes is None
        else min_weekly_minutes,
        min_daily_minutes=defaults.min_daily_minutes
        if min_daily_minutes is None
        else min_daily_minutes,
        min_days=defaults.min_days if min_days is None else min_days,
        day_counts_from_minutes=defaults.day_counts_from_minutes
        if day_counts_from_minutes is None
        else day_counts_from_minutes,
    )
    if not 0 <= payer.min_days <= 7:
        raise ApplicationError("A week has 7 days.", field_errors={"min_days": "0 to 7."})
    _validated(payer, "The payer could not be saved.")
    with transaction.atomic():
        payer.save()
        audit_record(
            user=actor,
            action=AuditAction.CREATE,
            object_type="payer",
            object_id=payer.pk,
            detail={"name": payer.name, "hours_rule": payer.hours_rule},
        )
    return payer


def coverage_add(
    *,
    actor,
    patient_id: int,
    payer_id: int,
    priority: str = CoveragePriority.PRIMARY,
    member_id: str = "",
    group_number: str = "",
    plan_name: str = "",
    effective_from: date | None = None,
    effective_to: date | None = None,
) -> Coverage:
    """Record one coverage of a patient. A second coverage of the same priority whose
    dates overlap is refused: the hours rule must come from one primary payer."""
    patient = access_coverage_patient_by_id(actor, patient_id)
    payer = Payer.objects.filter(pk=payer_id).first()
    if payer is None:
        raise ApplicationError("Unknown payer.", field_errors={"payer": "Unknown payer."})
    coverage = Coverage(
        patient=patient,
        payer=payer,
        priority=priority,
        member_id=(member_id or "").strip(),
        group_number=(group_number or "").strip(),
        plan_name=(plan_name or "").strip(),
        effective_from=effective_from,
        effective_to=effective_to,
        created_by=actor,
    )
    if effective_from and effective_to and effective_to < effective_from:
        raise ApplicationError(
            "The coverage ends before it starts.",
            field_errors={"effective_to": "On or after the start date."},
        )
    _validated(coverage, "The coverage could not be saved.")
    with transaction.atomic():
        for other in Coverage.objects.select_for_update().filter(
            patient=patient, priority=priority
        ):
            if _overlap(other, effective_from, effective_to):
                raise ApplicationError(
                    f"{patient.display_name} already has a {coverage.get_priority_display().lower()}"
                    f" coverage ({other.payer.name}) for those dates.",
                    field_errors={"priority": "Already taken for those dates."},
                )
        coverage.save()
        audit_record(
            user=actor,
            action=AuditAction.CREATE,
            patient_id=patient.pk,
            object_type="coverage",
            object_id=coverage.pk,
            detail={"payer": payer.pk, "priority": priority},
        )
    return coverage


def _overlap(other: Coverage, starts: date | None, ends: date | None) -> bool:
    if other.effective_to and starts and other.effective_to < starts:
        return False
    return not (ends and other.effective_from and ends < other.effective_from)
