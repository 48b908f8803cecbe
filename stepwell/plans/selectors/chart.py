"""The intake-and-plans section of a patient's chart, read for the user who opens it.

Per episode: the referral, the intake assessments (for those who read assessments), the
plan versions with their signature status, the first plan's due date, the next review
and the physician's certification (for those who read the episode's plans).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from stepwell.clinic.time import program_today
from stepwell.intake.models import Referral
from stepwell.patients.models import Episode, Patient
from stepwell.privacy.access import intake as intake_access
from stepwell.privacy.access.plans import (
    PlanNeed,
    access_plan_chart_by_id,
    plan_episodes_for,
)
from stepwell.privacy.audit import AuditAction, audit_record

from ..models import PhysicianCertification
from ..policy import PLANNABLE_STATES
from .due import first_plan_due_on, first_plan_state, latest_certification, plan_review_due_on
from .versions import plan_latest_signed, plan_signature_status, plans_of_episode


@dataclass(frozen=True)
class EpisodePlans:
    episode: Episode
    referral: Referral | None
    assessments: list
    plans: list[tuple]  # (plan, its SignatureStatus)
    first_plan_due_on: date | None
    first_plan_overdue: bool
    review_due_on: date | None
    certification: PhysicianCertification | None
    can_start_plan: bool


@dataclass(frozen=True)
class ChartPlans:
    patient: Patient
    rows: list[EpisodePlans]
    can_read_intake: bool
    can_read_plans: bool
    can_start_assessment: bool


def _first_plan_due(episode: Episode) -> tuple[date | None, bool]:
    """The first plan's due date while an open episode has no fully signed plan."""
    if episode.state not in PLANNABLE_STATES:
        return None, False
    due = first_plan_due_on(episode)
    if due is None or first_plan_state(episode)[0]:
        return None, False
    return due, due < program_today(episode.program)


def _row(episode: Episode, *, intake: bool, plans: bool, can_start: bool) -> EpisodePlans:
    versions = plans_of_episode(episode) if plans else []
    first_due, first_overdue = _first_plan_due(episode) if plans else (None, False)
    latest = plan_latest_signed(episode) if plans else None
    return EpisodePlans(
        episode=episode,
        referral=Referral.objects.filter(episode=episode).first(),
        assessments=list(episode.assessments.order_by("-created_at")) if intake else [],
        plans=[(plan, plan_signature_status(plan)) for plan in versions],
        first_plan_due_on=first_due,
        first_plan_overdue=first_overdue,
        review_due_on=plan_review_due_on(latest) if latest else None,
        certification=latest_certification(episode) if plans else None,
        can_start_plan=can_start and not versions and episode.state in PLANNABLE_STATES,
    )


def chart_plans_opened(*, user, patient_id) -> ChartPlans:
    """The section for staff who may read the patient's chart; refused and audited for
    anyone else. The read is in the audit trail."""
    patient = access_plan_chart_by_id(user, patient_id)
    readable = set(
        plan_episodes_for(user, PlanNeed.READ).filter(patient=patient).values_list("pk", flat=True)
    )
    startable = set(
        plan_episodes_for(user, PlanNeed.EDIT).filter(patient=patient).values_list("pk", flat=True)
    )
    can_read_intake = intake_access.access_assessment_read(user, patient)
    rows = [
        _row(
            episode,
            intake=can_read_intake,
            plans=episode.pk in readable,
            can_start=episode.pk in startable,
        )
        for episode in patient.episodes.select_related("program").order_by("-created_at")
    ]
    audit_record(
        user=user,
        action=AuditAction.VIEW,
        patient_id=patient.pk,
        object_type="plan_chart_section",
        object_id=patient.pk,
    )
    return ChartPlans(
        patient=patient,
        rows=rows,
        can_read_intake=can_read_intake,
        can_read_plans=bool(readable),
        can_start_assessment=intake_access.access_assessment_write(user, patient),
    )
