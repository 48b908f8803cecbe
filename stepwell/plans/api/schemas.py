"""What the plans API reads and answers, and how a plan is put into its answer."""

from __future__ import annotations

from datetime import date, datetime

from ninja import Schema

from stepwell.core.api_schemas import Out

from .. import selectors
from ..models import TreatmentPlan
from ..revisions import plan_changes


class ProblemIn(Schema):
    statement: str
    assessment_finding: str = ""
    diagnosis_ids: list[int] = []


class GoalIn(Schema):
    domain: str
    patient_words: str
    clinical_wording: str
    domain_label: str = ""


class ObjectiveIn(Schema):
    description: str
    target_date: date
    measure_kind: str = "none"
    instrument: str = ""
    comparison: str = ""
    target_value: float | None = None
    module: str = ""


class InterventionIn(Schema):
    modality: str
    minutes_per_session: int
    sessions_per_week: int
    duration_weeks: int
    responsible_id: int
    description: str = ""


class SignatureIn(Schema):
    role: str
    signer_name: str = ""
    attests_nine_hours: bool = False


class RecertifyIn(Schema):
    attests_nine_hours: bool = False


class ReviseIn(Schema):
    reason: str


class ReviewIn(Schema):
    outcome: str
    note: str
    reviewed_on: date | None = None


class StatusIn(Schema):
    status: str
    note: str = ""


class CreatedOut(Out):
    id: int


class WorklistItemOut(Out):
    kind: str
    patient_id: int
    episode_id: int
    plan_id: int | None
    due_on: date
    overdue: bool
    detail: str


class AwaitingPhysicianOut(Out):
    patient_id: int
    episode_id: int
    plan_id: int
    waiting_since: date


class PlanOut(Out):
    id: int
    patient_id: int
    episode_id: int
    version: int
    status: str
    previous_id: int | None
    superseded: bool
    signed_at: datetime | None
    review_due_on: date | None
    signatures: list[dict]
    missing_signatures: list[str]
    signature_status: str
    certification: dict | None
    changes: list[dict]
    problems: list[dict]


def _goal_out(row: selectors.GoalRow) -> dict:
    goal = row.goal
    return {
        "id": goal.pk,
        "domain": goal.domain,
        "domain_label": goal.domain_label,
        "patient_words": goal.patient_words,
        "clinical_wording": goal.clinical_wording,
        "objectives": [
            {
                "id": o.objective.pk,
                "description": o.objective.description,
                "target_date": o.objective.target_date,
                "status": o.objective.status,
                "current_status": o.status,
                "measure": o.objective.measure_text,
                "progress": o.progress.text,
            }
            for o in row.objectives
        ],
        "interventions": [
            {
                "id": i.pk,
                "modality": i.modality,
                "minutes_per_session": i.minutes_per_session,
                "sessions_per_week": i.sessions_per_week,
                "duration_weeks": i.duration_weeks,
                "description": i.description,
                "responsible_id": i.responsible_id,
                "needs_review": i.needs_review,
                "legacy_frequency": i.legacy_frequency,
            }
            for i in row.interventions
        ],
    }


def plan_out(plan: TreatmentPlan) -> dict:
    """The plan as the API answers it. `plan` was fetched through the access rules."""
    certification = selectors.latest_certification(plan.episode)
    missing = selectors.missing_signatures(plan) if plan.is_signed else []
    return {
        "id": plan.pk,
        "patient_id": plan.patient_id,
        "episode_id": plan.episode_id,
        "version": plan.version,
        "status": plan.status,
        "previous_id": plan.previous_id,
        "superseded": selectors.plan_is_superseded(plan),
        "signed_at": plan.signed_at,
        "review_due_on": selectors.plan_review_due_on(plan),
        "signatures": [
            {
                "role": s.role,
                "method": s.method,
                "signer_name": s.signer_name,
                "signed_at": s.signed_at,
            }
            for s in plan.signatures.all()
        ],
        "missing_signatures": missing,
        "signature_status": selectors.signature_status_of(
            locked=plan.is_signed, missing=missing
        ).key,
        "certification": None
        if certification is None
        else {
            "kind": certification.kind,
            "certified_on": certification.certified_on,
            "recertify_by": certification.recertify_by,
            "physician_credentials": certification.physician_credentials,
            "statement_version": certification.statement_version,
            "statement_text": certification.statement_text,
        },
        "changes": [
            {
                "kind": c.kind,
                "change": c.change,
                "label": c.label,
                "fields": [
                    {"field": f.field, "before": f.before, "after": f.after} for f in c.fields
                ],
            }
            for c in plan_changes(plan.previous, plan)
        ],
        "problems": [
            {
                "id": row.problem.pk,
                "statement": row.problem.statement,
                "assessment_finding": row.problem.assessment_finding,
                "diagnoses": [d.code for d in row.diagnoses],
                "goals": [_goal_out(goal_row) for goal_row in row.goals],
            }
            for row in selectors.plan_tree(plan)
        ],
    }
