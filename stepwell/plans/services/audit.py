"""How a plan service writes its change to the audit trail."""

from __future__ import annotations

from stepwell.privacy.audit import audit_record

from ..models import TreatmentPlan


def plan_audit(actor, action: str, plan: TreatmentPlan, **detail) -> None:
    """One event about the plan, naming its patient; `detail` says what changed."""
    audit_record(
        user=actor,
        action=action,
        patient_id=plan.patient_id,
        object_type="treatment_plan",
        object_id=plan.pk,
        detail=detail or None,
    )
