"""Referrals, intake assessments, availability, placement and admission over JSON.

The same services, selectors and access rules as the pages: a refusal is audited where it
is decided and answered 403 by stepwell/api.py, a rule's refusal 400 (409 for a possible
duplicate). Reads are audited here.
"""

from __future__ import annotations

from datetime import date, datetime, time

from ninja import Body, Query, Router, Schema, Status

from stepwell.core.api_schemas import MAX_OFFSET, MAX_PAGE_SIZE, PAGE_SIZE, Out, responses
from stepwell.core.converters import MAX_RECORD_ID
from stepwell.privacy.audit import AuditAction, audit_request

from . import selectors, services
from .models import IntakeAssessment, Referral
from .placement_schemas import PlacementDecisionIn, PlacementInputIn

router = Router(tags=["intake"])


class ReferralOut(Out):
    id: int
    patient_id: int
    patient_name: str
    episode_id: int
    program_id: int
    state: str
    source: str
    source_detail: str
    reason: str
    urgency: str
    insurance: str
    received_on: date
    admitted_on: date | None
    days_to_admission: int | None
    closed_reason: str
    referred_to: str
    contact_attempts: int
    allowed_transitions: list[str]


class ReferralIn(Schema):
    program_id: int
    source: str
    reason: str
    urgency: str = "routine"
    source_detail: str = ""
    insurance: str = ""
    received_on: date | None = None
    patient_id: int | None = None
    patient: dict | None = None
    confirm_not_duplicate: bool = False


class ReferralTransitionIn(Schema):
    to_state: str
    effective_date: date | None = None
    reason: str = ""
    referred_to: str = ""
    level_of_care: str = ""
    screening_at: datetime | None = None


class ContactIn(Schema):
    method: str
    outcome: str
    note: str = ""
    effective_date: date | None = None


class DiagnosisOut(Out):
    id: int
    code: str
    description: str
    code_set: str
    primary: bool


class AssessmentOut(Out):
    id: int
    patient_id: int
    episode_id: int
    status: str
    presenting_problems: str
    substance_use_history: str
    psychiatric_history: str
    medical_history: str
    living_situation: str
    supports: str
    obligations: str
    risk_level: str
    risk_screening: str
    symptom_severity: str
    functional_impairment: str
    strengths: str
    patient_goals: str
    signed_at: datetime | None
    diagnoses: list[DiagnosisOut]
    addenda: list[dict]
    previous_treatments: list[dict]


class DiagnosisIn(Schema):
    code: str
    primary: bool = False


class AssessmentAddendumIn(Schema):
    text: str


class WindowSchema(Schema):
    weekday: int
    start: time
    end: time


class PlacementDecisionOut(Out):
    id: int
    assessment_id: int
    episode_id: int
    rule_set: str
    recommended_level: str
    decided_level: str
    overridden: bool
    override_reason: str
    engine_input: dict
    engine_output: dict
    decided_at: datetime


class CareTeamIn(Schema):
    user_id: int
    team_role: str


class AdmissionIn(Schema):
    care_team: list[CareTeamIn]
    effective_date: date | None = None
    admitted_from: str | None = None


class AdmissionOut(Out):
    episode_id: int
    state: str
    admitted_on: date | None


class CodeOut(Out):
    code: str
    description: str
    billable: bool
    status: str  # "billable" or "header"
    code_set: str


def _contact_attempts(referral: Referral) -> int:
    """Counted in the list's query when it annotated the rows, else counted here."""
    counted = getattr(referral, "contact_attempts", None)
    if counted is not None:
        return counted
    return referral.events.filter(kind="contact_attempt").count()


def _referral_out(referral: Referral) -> dict:
    from .referrals import allowed_next_states

    return {
        "id": referral.pk,
        "patient_id": referral.patient_id,
        "patient_name": referral.patient.display_name,
        "episode_id": referral.episode_id,
        "program_id": referral.episode.program_id,
        "state": referral.state,
        "source": referral.source,
        "source_detail": referral.source_detail,
        "reason": referral.reason,
        "urgency": referral.urgency,
        "insurance": referral.insurance,
        "received_on": referral.received_on,
        "admitted_on": referral.admitted_on,
        "days_to_admission": referral.days_to_admission,
        "closed_reason": referral.closed_reason,
        "referred_to": referral.referred_to,
        "contact_attempts": _contact_attempts(referral),
        "allowed_transitions": list(allowed_next_states(referral.state)),
    }


def _assessment_out(assessment: IntakeAssessment) -> dict:
    data = {name: getattr(assessment, name) for name in services.ASSESSMENT_FIELDS}
    data.update(
        {
            "id": assessment.pk,
            "patient_id": assessment.patient_id,
            "episode_id": assessment.episode_id,
            "status": assessment.status,
            "signed_at": assessment.signed_at,
            "diagnoses": [
                {
                    "id": d.pk,
                    "code": d.code,
                    "description": d.description,
                    "code_set": d.code_set,
                    "primary": d.primary,
                }
                for d in assessment.diagnoses.all()
            ],
            "addenda": [
                {"text": a.text, "author": str(a.author), "created_at": a.created_at}
                for a in assessment.addenda.select_related("author")
            ],
            "previous_treatments": [
                {
                    "level_of_care": t.level_of_care,
                    "outcome": t.outcome,
                    "provider": t.provider,
                    "when": t.when,
                }
                for t in assessment.previous_treatments.all()
            ],
        }
    )
    return data


def _viewed(request, object_type, object_id, patient_id):
    audit_request(
        request,
        action=AuditAction.VIEW,
        object_type=object_type,
        object_id=object_id,
        patient_id=patient_id,
        detail={"via": "api"},
    )


@router.get("/referrals", response=responses({200: list[ReferralOut]}))
def referral_list(
    request,
    program: int | None = Query(None, ge=1, le=MAX_RECORD_ID),
    state: str = "",
    urgency: str = "",
    limit: int = Query(PAGE_SIZE, ge=1, le=MAX_PAGE_SIZE),
    offset: int = Query(0, ge=0, le=MAX_OFFSET),
):
    """Referrals on the board you may see, newest first, a page at a time: `limit` (50
    unless asked, at most 500) after `offset`; `program` a program's id (out of range: a
    422 naming the parameter)."""
    rows = selectors.referrals_listed(
        user=request.user,
        program_id=program,
        state=state,
        urgency=urgency,
        limit=limit,
        offset=offset,
    )
    audit_request(
        request,
        action=AuditAction.LIST,
        object_type="referral",
        detail={"patients": [r.patient_id for r in rows], "via": "api"},
    )
    return [_referral_out(r) for r in rows]


@router.post("/referrals", response=responses({201: ReferralOut}, extra=(409,)))
def referral_create(request, payload: ReferralIn):
    """A new referral: `patient` (details) registers the patient, or `patient_id` names a
    registered one; 409 on a possible duplicate among the patients you may see."""
    referral = services.referral_create(
        actor=request.user,
        program_id=payload.program_id,
        source=payload.source,
        reason=payload.reason,
        urgency=payload.urgency,
        source_detail=payload.source_detail,
        insurance=payload.insurance,
        received_on=payload.received_on,
        patient_id=payload.patient_id,
        patient_data=payload.patient,
        confirm_not_duplicate=payload.confirm_not_duplicate,
    )
    return Status(201, _referral_out(referral))


@router.get("/referrals/{referral_id}", response=responses({200: ReferralOut}))
def referral_detail(request, referral_id: int):
    referral = selectors.referral_record(user=request.user, referral_id=referral_id)
    _viewed(request, "referral", referral.pk, referral.patient_id)
    return _referral_out(referral)


@router.post("/referrals/{referral_id}/transitions", response=responses({200: ReferralOut}))
def referral_transition(request, referral_id: int, payload: ReferralTransitionIn):
    referral = services.referral_transition(
        actor=request.user, referral_id=referral_id, **payload.dict()
    )
    return _referral_out(referral)


@router.post("/referrals/{referral_id}/contacts", response=responses({200: ReferralOut}))
def referral_contact(request, referral_id: int, payload: ContactIn):
    event = services.referral_contact_record(
        actor=request.user, referral_id=referral_id, **payload.dict()
    )
    return _referral_out(event.referral)


@router.post("/episodes/{episode_id}/assessments", response=responses({201: AssessmentOut}))
def assessment_start(request, episode_id: int):
    assessment = services.assessment_start(actor=request.user, episode_id=episode_id)
    return Status(201, _assessment_out(assessment))


@router.get("/assessments/{assessment_id}", response=responses({200: AssessmentOut}))
def assessment_detail(request, assessment_id: int):
    assessment = selectors.assessment_record(user=request.user, assessment_id=assessment_id)
    _viewed(request, "intake_assessment", assessment.pk, assessment.patient_id)
    return _assessment_out(assessment)


@router.patch("/assessments/{assessment_id}", response=responses({200: AssessmentOut}))
def assessment_update(request, assessment_id: int, payload: dict = Body(...)):  # noqa: B008
    assessment = services.assessment_update(
        actor=request.user, assessment_id=assessment_id, data=payload
    )
    return _assessment_out(assessment)


@router.post("/assessments/{assessment_id}/diagnoses", response=responses({201: DiagnosisOut}))
def diagnosis_add(request, assessment_id: int, payload: DiagnosisIn):
    diagnosis = services.assessment_diagnosis_add(
        actor=request.user, assessment_id=assessment_id, code=payload.code, primary=payload.primary
    )
    return Status(
        201,
        {
            "id": diagnosis.pk,
            "code": diagnosis.code,
            "description": diagnosis.description,
            "code_set": diagnosis.code_set,
            "primary": diagnosis.primary,
        },
    )


@router.post("/assessments/{assessment_id}/sign", response=responses({200: AssessmentOut}))
def assessment_sign(request, assessment_id: int):
    assessment = services.assessment_sign(actor=request.user, assessment_id=assessment_id)
    return _assessment_out(assessment)


@router.post("/assessments/{assessment_id}/addenda", response=responses({201: AssessmentOut}))
def addendum_add(request, assessment_id: int, payload: AssessmentAddendumIn):
    addendum = services.assessment_addendum_add(
        actor=request.user, assessment_id=assessment_id, text=payload.text
    )
    return Status(201, _assessment_out(addendum.assessment))


@router.get("/patients/{patient_id}/availability", response=responses({200: list[WindowSchema]}))
def availability_get(request, patient_id: int):
    page = selectors.availability_of(user=request.user, patient_id=patient_id, edit=False)
    _viewed(request, "availability", page.patient.pk, page.patient.pk)
    return [{"weekday": w.weekday, "start": w.start, "end": w.end} for w in page.windows]


@router.put("/patients/{patient_id}/availability", response=responses({200: list[WindowSchema]}))
def availability_put(request, patient_id: int, payload: list[WindowSchema]):
    saved = services.availability_set(
        actor=request.user,
        patient_id=patient_id,
        windows=[services.WindowIn(w.weekday, w.start, w.end) for w in payload],
    )
    return [{"weekday": w.weekday, "start": w.start, "end": w.end} for w in saved]


@router.post("/placement/recommend", response=responses({200: dict}))
def placement_recommend(request, payload: PlacementInputIn):
    """Run the level-of-care engine on an input (docs/placement-input.md); nothing is saved."""
    from stepwell.placement.rules import recommendation_to_dict

    recommendation = services.placement_preview(
        actor=request.user, engine_input=payload.engine_input()
    )
    return recommendation_to_dict(recommendation)


@router.post(
    "/assessments/{assessment_id}/placement-decisions",
    response=responses({201: PlacementDecisionOut}),
)
def placement_decide(request, assessment_id: int, payload: PlacementDecisionIn):
    decision = services.placement_decide(
        actor=request.user,
        assessment_id=assessment_id,
        engine_input=payload.engine_input.engine_input(),
        decided_level=payload.decided_level,
        override_reason=payload.override_reason,
    )
    return Status(201, decision)


@router.get("/placement-decisions/{decision_id}", response=responses({200: PlacementDecisionOut}))
def placement_decision_detail(request, decision_id: int):
    decision = selectors.placement_decision_record(user=request.user, decision_id=decision_id)
    _viewed(request, "placement_decision", decision.pk, decision.episode.patient_id)
    return decision


@router.post(
    "/placement-decisions/{decision_id}/admission", response=responses({200: AdmissionOut})
)
def admission(request, decision_id: int, payload: AdmissionIn):
    episode = services.admission_admit(
        actor=request.user,
        placement_decision_id=decision_id,
        care_team=[(member.user_id, member.team_role) for member in payload.care_team],
        effective_date=payload.effective_date,
        admitted_from=payload.admitted_from,
    )
    return {"episode_id": episode.pk, "state": episode.state, "admitted_on": episode.admitted_on}


@router.get("/diagnosis-codes", response=responses({200: list[CodeOut]}))
def diagnosis_codes(
    request,
    q: str = "",
    limit: int = Query(PAGE_SIZE, ge=1, le=MAX_PAGE_SIZE),
    offset: int = Query(0, ge=0, le=MAX_OFFSET),
):
    """Search ICD-10-CM (chapter 5 and the Z and R codes an IOP uses) by code or words:
    codes starting with `q` first, then codes whose description has every word. A page at
    a time: `limit` (50 unless asked, at most 500) after `offset`."""
    codes = selectors.diagnosis_codes_found(user=request.user, query=q, limit=limit, offset=offset)
    return [
        {
            "code": c.code,
            "description": c.description,
            "billable": c.billable,
            "status": c.status,
            "code_set": c.code_set,
        }
        for c in codes
    ]
