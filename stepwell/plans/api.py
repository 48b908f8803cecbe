"""Treatment plans over JSON: the same services and access rules as the plan pages."""

from __future__ import annotations

from datetime import date, datetime

from ninja import Router, Schema, Status

from stepwell.accounts.models import User
from stepwell.core.errors import AccessDenied, ApplicationError
from stepwell.privacy.audit import AuditAction, AuditOutcome, audit_request, client_address_of

from . import selectors, services
from .models import TreatmentPlan
from .progress import objective_progress
from .revisions import plan_changes
from .services import MeasureIn

router = Router(tags=["treatment plans"])
NOT_AVAILABLE = "Not found, or you do not have access to this record."


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


class CreatedOut(Schema):
    id: int


class WorklistItemOut(Schema):
    kind: str
    patient_id: int
    episode_id: int
    plan_id: int | None
    due_on: date
    overdue: bool
    detail: str


class AwaitingPhysicianOut(Schema):
    patient_id: int
    episode_id: int
    plan_id: int
    waiting_since: date


def _plan_out(plan: TreatmentPlan) -> dict:
    problems = []
    for problem in plan.problems.prefetch_related(
        "diagnoses", "goals__objectives", "goals__interventions"
    ):
        goals = []
        for goal in problem.goals.all():
            goals.append(
                {
                    "id": goal.pk,
                    "domain": goal.domain,
                    "domain_label": goal.domain_label,
                    "patient_words": goal.patient_words,
                    "clinical_wording": goal.clinical_wording,
                    "objectives": [
                        {
                            "id": o.pk,
                            "description": o.description,
                            "target_date": o.target_date,
                            "status": o.status,
                            "current_status": services.objective_current_status(o),
                            "measure": o.measure_text,
                            "progress": objective_progress(o, plan.patient).text,
                        }
                        for o in goal.objectives.all()
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
                        for i in goal.interventions.all()
                    ],
                }
            )
        problems.append(
            {
                "id": problem.pk,
                "statement": problem.statement,
                "assessment_finding": problem.assessment_finding,
                "diagnoses": [d.code for d in problem.diagnoses.all()],
                "goals": goals,
            }
        )
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
        "problems": problems,
    }


class PlanOut(Schema):
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


@router.get("/worklist", response=list[WorklistItemOut])
def worklist(request, within_days: int = 7):
    """First plans (no fully signed plan yet), plan reviews and physician recertifications
    due within `within_days`, or overdue."""
    items = selectors.plan_worklist(user=request.user, within_days=max(0, min(within_days, 365)))
    audit_request(
        request,
        action=AuditAction.LIST,
        object_type="plan_worklist",
        detail={"patients": sorted({i.patient.pk for i in items}), "via": "api"},
    )
    return [
        {
            "kind": i.kind,
            "patient_id": i.patient.pk,
            "episode_id": i.episode.pk,
            "plan_id": i.plan.pk if i.plan else None,
            "due_on": i.due_on,
            "overdue": i.overdue,
            "detail": i.detail,
        }
        for i in items
    ]


@router.get("/worklist/physician", response=list[AwaitingPhysicianOut])
def physician_worklist(request):
    """For a physician (MD or DO): current plans waiting for the physician's signature."""
    items = selectors.physician_signature_worklist(user=request.user)
    audit_request(
        request,
        action=AuditAction.LIST,
        object_type="plan_worklist",
        detail={"patients": sorted({i.patient.pk for i in items}), "via": "api"},
    )
    return [
        {
            "patient_id": i.patient.pk,
            "episode_id": i.episode.pk,
            "plan_id": i.plan.pk,
            "waiting_since": i.waiting_since,
        }
        for i in items
    ]


@router.get("/{plan_id}", response=PlanOut)
def plan_detail(request, plan_id: int):
    plan = selectors.plan_for_user(user=request.user, plan_id=plan_id)
    outcome = AuditOutcome.ALLOWED if plan else AuditOutcome.DENIED
    patient_id = (
        plan.patient_id
        if plan
        else (TreatmentPlan.objects.filter(pk=plan_id).values_list("patient_id", flat=True).first())
    )
    audit_request(
        request,
        action=AuditAction.VIEW,
        object_type="treatment_plan",
        object_id=plan_id,
        patient_id=patient_id,
        outcome=outcome,
        detail={"via": "api"},
    )
    if plan is None:
        raise AccessDenied(NOT_AVAILABLE)
    return _plan_out(plan)


@router.post("/episodes/{episode_id}", response={201: PlanOut})
def plan_create(request, episode_id: int):
    plan = services.plan_create(
        actor=request.user, episode_id=episode_id, client_address=client_address_of(request)
    )
    return Status(201, _plan_out(plan))


@router.post("/{plan_id}/problems", response={201: CreatedOut})
def problem_add(request, plan_id: int, payload: ProblemIn):
    problem = services.problem_add(
        actor=request.user,
        plan_id=plan_id,
        client_address=client_address_of(request),
        **payload.dict(),
    )
    return Status(201, {"id": problem.pk})


@router.post("/problems/{problem_id}/goals", response={201: CreatedOut})
def goal_add(request, problem_id: int, payload: GoalIn):
    goal = services.goal_add(
        actor=request.user,
        problem_id=problem_id,
        client_address=client_address_of(request),
        **payload.dict(),
    )
    return Status(201, {"id": goal.pk})


@router.post("/goals/{goal_id}/objectives", response={201: CreatedOut})
def objective_add(request, goal_id: int, payload: ObjectiveIn):
    objective = services.objective_add(
        actor=request.user,
        goal_id=goal_id,
        description=payload.description,
        target_date=payload.target_date,
        measure=MeasureIn(
            kind=payload.measure_kind,
            instrument=payload.instrument,
            comparison=payload.comparison,
            target_value=payload.target_value,
            module=payload.module,
        ),
        client_address=client_address_of(request),
    )
    return Status(201, {"id": objective.pk})


@router.post("/goals/{goal_id}/interventions", response={201: CreatedOut})
def intervention_add(request, goal_id: int, payload: InterventionIn):
    responsible = User.objects.filter(pk=payload.responsible_id).first()
    intervention = services.intervention_add(
        actor=request.user,
        goal_id=goal_id,
        modality=payload.modality,
        minutes_per_session=payload.minutes_per_session,
        sessions_per_week=payload.sessions_per_week,
        duration_weeks=payload.duration_weeks,
        responsible=responsible,
        description=payload.description,
        client_address=client_address_of(request),
    )
    return Status(201, {"id": intervention.pk})


@router.delete("/items/{kind}/{item_id}", response={204: None})
def item_remove(request, kind: str, item_id: int):
    services.plan_item_remove(
        actor=request.user, kind=kind, item_id=item_id, client_address=client_address_of(request)
    )
    return Status(204, None)


@router.post("/{plan_id}/signatures", response=PlanOut)
def plan_sign(request, plan_id: int, payload: SignatureIn):
    client = client_address_of(request)
    if payload.role == "clinician":
        services.plan_sign_clinician(actor=request.user, plan_id=plan_id, client_address=client)
    elif payload.role == "physician":
        services.plan_sign_physician(
            actor=request.user,
            plan_id=plan_id,
            attests_nine_hours=payload.attests_nine_hours,
            client_address=client,
        )
    elif payload.role == "patient":
        services.plan_sign_patient(
            actor=request.user,
            plan_id=plan_id,
            method="portal" if request.user.kind == "patient" else "in_person",
            signer_name=payload.signer_name,
            client_address=client,
        )
    else:
        raise ApplicationError(
            "Unknown role.", field_errors={"role": "One of: clinician, patient, physician."}
        )
    return _plan_out(TreatmentPlan.objects.get(pk=plan_id))


@router.post("/{plan_id}/recertifications", response=PlanOut)
def recertify(request, plan_id: int, payload: RecertifyIn):
    services.physician_recertify(
        actor=request.user,
        plan_id=plan_id,
        attests_nine_hours=payload.attests_nine_hours,
        client_address=client_address_of(request),
    )
    return _plan_out(TreatmentPlan.objects.get(pk=plan_id))


@router.post("/{plan_id}/revisions", response={201: PlanOut})
def revise(request, plan_id: int, payload: ReviseIn):
    plan = services.plan_revise(
        actor=request.user,
        plan_id=plan_id,
        reason=payload.reason,
        client_address=client_address_of(request),
    )
    return Status(201, _plan_out(plan))


@router.post("/{plan_id}/reviews", response={201: CreatedOut})
def review(request, plan_id: int, payload: ReviewIn):
    recorded = services.plan_review_record(
        actor=request.user,
        plan_id=plan_id,
        client_address=client_address_of(request),
        **payload.dict(),
    )
    return Status(201, {"id": recorded.pk})


@router.post("/objectives/{objective_id}/status", response={201: CreatedOut})
def objective_status(request, objective_id: int, payload: StatusIn):
    result = services.objective_status_record(
        actor=request.user,
        objective_id=objective_id,
        client_address=client_address_of(request),
        **payload.dict(),
    )
    return Status(201, {"id": result.pk})
