"""Helpers shared by the plan services: access refusal, audit, locking, validation."""

from __future__ import annotations

import re

from django.conf import settings
from django.core.exceptions import ValidationError

from stepwell.billing.selectors import patient_has_medicare
from stepwell.core.errors import AccessDenied, ApplicationError
from stepwell.patients.models import EpisodeState
from stepwell.privacy.audit import AuditOutcome, audit_record

from ..models import (
    DEFAULT_FIRST_PLAN_DUE_DAYS,
    PlanStatus,
    ProgramPlanPolicy,
    TreatmentPlan,
)

PLANNABLE_STATES = (EpisodeState.ADMITTED, EpisodeState.ACTIVE, EpisodeState.ON_HOLD)
_INSTRUMENT_KEY = re.compile(r"^[a-z][a-z0-9_]*$")


def review_days_for(program) -> int:
    policy = ProgramPlanPolicy.objects.filter(program=program).first()
    if policy is not None and policy.review_days:
        return policy.review_days
    return settings.STEPWELL_PLAN_REVIEW_DAYS


def first_plan_due_days_for(program) -> int:
    policy = ProgramPlanPolicy.objects.filter(program=program).first()
    return policy.first_plan_due_days if policy is not None else DEFAULT_FIRST_PLAN_DUE_DAYS


def physician_required(episode, on) -> bool:
    """A physician signs when the program asks for it or Medicare covers the patient on
    the day (Medicare pays only for certified care; docs/clinical-sources.md §2.1)."""
    policy = ProgramPlanPolicy.objects.filter(program=episode.program).first()
    if policy is not None and policy.requires_physician_signature:
        return True
    return patient_has_medicare(patient=episode.patient, on=on)


# --- helpers ------------------------------------------------------------------------------


def _deny(actor, action, object_type, object_id, patient_id, client_address) -> AccessDenied:
    audit_record(
        user=actor,
        action=action,
        patient_id=patient_id,
        object_type=object_type,
        object_id=object_id,
        outcome=AuditOutcome.DENIED,
        client_address=client_address,
    )
    return AccessDenied()


def _audit(actor, action, plan: TreatmentPlan, client_address: str, **detail) -> None:
    audit_record(
        user=actor,
        action=action,
        patient_id=plan.patient_id,
        object_type="treatment_plan",
        object_id=plan.pk,
        client_address=client_address,
        detail=detail or None,
    )


def _plan_for(actor, plan_id, check, action, client_address) -> TreatmentPlan:
    plan = TreatmentPlan.objects.select_related("patient", "episode").filter(pk=plan_id).first()
    if plan is None or not check(actor, plan.patient):
        raise _deny(
            actor,
            action,
            "treatment_plan",
            plan_id,
            plan.patient_id if plan else None,
            client_address,
        )
    return plan


def _lock_draft(plan_id: int) -> TreatmentPlan:
    plan = TreatmentPlan.objects.select_for_update().get(pk=plan_id)
    if plan.status != PlanStatus.DRAFT:
        raise ApplicationError(
            "This plan version is signed and cannot be changed; start a revision.",
            field_errors={"plan": "Signed versions are immutable."},
        )
    return plan


def _save(instance, message: str, exclude=()) -> None:
    try:
        instance.full_clean(exclude=list(exclude))
    except ValidationError as error:
        raise ApplicationError(
            message,
            field_errors={f: " ".join(m) for f, m in error.message_dict.items()},
        ) from error
    instance.save()


def _next_position(queryset) -> int:
    last = queryset.order_by("-position").values_list("position", flat=True).first()
    return 0 if last is None else last + 1


def _is_superseded(plan: TreatmentPlan) -> bool:
    following = TreatmentPlan.objects.filter(previous=plan).first()
    return following is not None and following.is_signed


def _signed_plan(plan_id: int) -> TreatmentPlan:
    """The latest signed version, locked; drafts and superseded versions are refused."""
    plan = TreatmentPlan.objects.select_for_update().get(pk=plan_id)
    if not plan.is_signed:
        raise ApplicationError(
            "The clinician signs the plan first.", field_errors={"plan": "Still a draft."}
        )
    if _is_superseded(plan):
        raise ApplicationError(
            "A newer signed version replaces this one.", field_errors={"plan": "Superseded."}
        )
    return plan
