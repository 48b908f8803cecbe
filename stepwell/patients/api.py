"""Patients and episodes over JSON; the same services and access rules as the pages."""

from __future__ import annotations

from datetime import date, datetime

from ninja import Field, Router, Schema, Status

from stepwell.clinic.models import Program
from stepwell.core.errors import AccessDenied, ApplicationError
from stepwell.privacy import access
from stepwell.privacy.audit import AuditAction, AuditOutcome, audit_request, client_address_of

from . import selectors, services
from .models import Episode, Patient

router = Router(tags=["patients"])
NOT_AVAILABLE = "Not found, or you do not have access to this record."


class ErrorOut(Schema):
    detail: str
    errors: dict[str, str] = {}


class EpisodeSummary(Schema):
    id: int
    program_id: int
    program: str
    state: str
    referred_on: date
    admitted_on: date | None
    discharged_on: date | None


class PatientSummary(Schema):
    id: int
    mrn: str
    display_name: str
    legal_first_name: str
    legal_last_name: str
    date_of_birth: date
    episodes: list[EpisodeSummary]


class PatientOut(PatientSummary):
    preferred_name: str
    pronouns: str
    sex_assigned_at_birth: str
    gender_identity: str
    phone: str
    email: str
    address: str
    emergency_contact_name: str
    emergency_contact_relationship: str
    emergency_contact_phone: str
    insurance_payer: str
    insurance_member_id: str
    insurance_group_number: str
    care_team: list[dict]


class PatientBillingOut(PatientSummary):
    address: str
    insurance_payer: str
    insurance_member_id: str
    insurance_group_number: str


class PatientIn(Schema):
    program_id: int
    legal_first_name: str = Field(min_length=1, max_length=100)
    legal_last_name: str = Field(min_length=1, max_length=100)
    date_of_birth: date
    sex_assigned_at_birth: str
    preferred_name: str = ""
    pronouns: str = ""
    gender_identity: str = ""
    phone: str = ""
    email: str = ""
    address: str = ""
    emergency_contact_name: str = ""
    emergency_contact_relationship: str = ""
    emergency_contact_phone: str = ""
    insurance_payer: str = ""
    insurance_member_id: str = ""
    insurance_group_number: str = ""
    referred_on: date | None = None
    confirm_not_duplicate: bool = False


class EpisodeEventOut(Schema):
    from_state: str
    to_state: str
    effective_date: date
    reason: str
    disposition: str
    occurred_at: datetime


class LevelOfCareOut(Schema):
    direction: str
    level_of_care: str
    effective_date: date
    reason: str


class EpisodeOut(EpisodeSummary):
    patient_id: int
    discharge_reason: str
    discharge_disposition: str
    allowed_transitions: list[str]
    events: list[EpisodeEventOut]
    level_of_care_history: list[LevelOfCareOut]


class TransitionIn(Schema):
    to_state: str
    effective_date: date | None = None
    reason: str = ""
    disposition: str = ""
    level_of_care: str = ""


def _episode_summary(e: Episode) -> dict:
    return {
        "id": e.pk,
        "program_id": e.program_id,
        "program": e.program.name,
        "state": e.state,
        "referred_on": e.referred_on,
        "admitted_on": e.admitted_on,
        "discharged_on": e.discharged_on,
    }


def _summary(p: Patient) -> dict:
    return {
        "id": p.pk,
        "mrn": p.mrn,
        "display_name": p.display_name,
        "legal_first_name": p.legal_first_name,
        "legal_last_name": p.legal_last_name,
        "date_of_birth": p.date_of_birth,
        "episodes": [_episode_summary(e) for e in p.episodes.all()],
    }


def _full(p: Patient) -> dict:
    data = _summary(p)
    for field in services.PATIENT_FIELDS:
        data.setdefault(field, getattr(p, field))
    data["care_team"] = [
        {"user_id": m.user_id, "name": str(m.user), "team_role": m.team_role}
        for m in p.care_team.select_related("user")
    ]
    return data


def _billing(p: Patient) -> dict:
    data = _summary(p)
    data.update(
        {
            f: getattr(p, f)
            for f in ("address", "insurance_payer", "insurance_member_id", "insurance_group_number")
        }
    )
    return data


def _episode_full(e: Episode) -> dict:
    from .episodes import allowed_next_states

    data = _episode_summary(e)
    data.update(
        {
            "patient_id": e.patient_id,
            "discharge_reason": e.discharge_reason,
            "discharge_disposition": e.discharge_disposition,
            "allowed_transitions": list(allowed_next_states(e.state)),
            "events": [
                {
                    "from_state": ev.from_state,
                    "to_state": ev.to_state,
                    "effective_date": ev.effective_date,
                    "reason": ev.reason,
                    "disposition": ev.disposition,
                    "occurred_at": ev.occurred_at,
                }
                for ev in e.events.all()
            ],
            "level_of_care_history": [
                {
                    "direction": c.direction,
                    "level_of_care": c.level_of_care,
                    "effective_date": c.effective_date,
                    "reason": c.reason,
                }
                for c in e.level_of_care_changes.all()
            ],
        }
    )
    return data


@router.get("/patients", response=list[PatientSummary])
def patients_list(
    request,
    program: int | None = None,
    state: str | None = None,
    q: str = "",
    limit: int = 100,
    offset: int = 0,
):
    """Patients you may see, with their episodes. `state`: open (default), all, or one state."""
    limit = max(1, min(limit, 500))
    episodes = selectors.caseload_episodes(
        user=request.user, program_id=program, state=state or "open", query=q
    )
    patient_ids = list(dict.fromkeys(episodes.values_list("patient_id", flat=True)))[
        offset : offset + limit
    ]
    patients = (
        Patient.objects.filter(pk__in=patient_ids)
        .prefetch_related("episodes__program")
        .order_by("legal_last_name", "legal_first_name", "pk")
    )
    audit_request(
        request,
        action=AuditAction.LIST,
        object_type="patient",
        detail={"patients": patient_ids, "via": "api"},
    )
    return [_summary(p) for p in patients]


@router.get("/patients/{patient_id}", response={200: PatientOut | PatientBillingOut, 403: ErrorOut})
def patient_detail(request, patient_id: int):
    patient = selectors.patient_for_chart(user=request.user, patient_id=patient_id)
    if patient is not None:
        audit_request(
            request,
            action=AuditAction.VIEW,
            patient_id=patient.pk,
            object_type="patient",
            object_id=patient.pk,
            detail={"via": "api"},
        )
        return Status(200, PatientOut(**_full(patient)))
    billing_patient = selectors.patient_for_billing(user=request.user, patient_id=patient_id)
    if billing_patient is not None:
        audit_request(
            request,
            action=AuditAction.VIEW,
            patient_id=patient_id,
            object_type="patient_billing",
            object_id=patient_id,
            detail={"via": "api"},
        )
        return Status(200, PatientBillingOut(**_billing(billing_patient)))
    existing = patient_id if Patient.objects.filter(pk=patient_id).exists() else None
    audit_request(
        request,
        action=AuditAction.VIEW,
        patient_id=existing,
        object_type="patient",
        object_id=patient_id,
        outcome=AuditOutcome.DENIED,
        detail={"via": "api"},
    )
    return Status(403, {"detail": NOT_AVAILABLE})


@router.post("/patients", response={201: PatientOut, 400: ErrorOut, 403: ErrorOut, 409: ErrorOut})
def patient_create(request, payload: PatientIn):
    program = Program.objects.filter(pk=payload.program_id).first()
    if program is None or not access.access_patient_register(request.user, program.pk):
        audit_request(
            request,
            action=AuditAction.CREATE,
            object_type="patient",
            outcome=AuditOutcome.DENIED,
            detail={"program_id": payload.program_id, "via": "api"},
        )
        return Status(
            403,
            {
                "detail": "You cannot register patients in this program.",
                "errors": {"program_id": "Not one of your programs."},
            },
        )
    data = payload.dict(exclude={"program_id", "referred_on", "confirm_not_duplicate"})
    try:
        registration = services.patient_register(
            actor=request.user,
            program=program,
            data=data,
            referred_on=payload.referred_on,
            confirm_not_duplicate=payload.confirm_not_duplicate,
            client_address=client_address_of(request),
        )
    except services.PossibleDuplicate as error:
        return Status(409, {"detail": error.message, "errors": error.field_errors})
    return Status(201, PatientOut(**_full(registration.patient)))


@router.get("/episodes/{episode_id}", response={200: EpisodeOut, 403: ErrorOut})
def episode_detail(request, episode_id: int):
    episode = selectors.episode_for_user(user=request.user, episode_id=episode_id)
    if episode is None:
        audit_request(
            request,
            action=AuditAction.VIEW,
            object_type="episode",
            object_id=episode_id,
            outcome=AuditOutcome.DENIED,
            patient_id=Episode.objects.filter(pk=episode_id)
            .values_list("patient_id", flat=True)
            .first(),
        )
        return Status(403, {"detail": NOT_AVAILABLE})
    audit_request(
        request,
        action=AuditAction.VIEW,
        patient_id=episode.patient_id,
        object_type="episode",
        object_id=episode.pk,
        detail={"via": "api"},
    )
    return Status(200, EpisodeOut(**_episode_full(episode)))


@router.post(
    "/episodes/{episode_id}/transitions", response={200: EpisodeOut, 400: ErrorOut, 403: ErrorOut}
)
def episode_transition(request, episode_id: int, payload: TransitionIn):
    try:
        episode = services.episode_transition(
            actor=request.user,
            episode_id=episode_id,
            to_state=payload.to_state,
            effective_date=payload.effective_date,
            reason=payload.reason,
            disposition=payload.disposition,
            level_of_care=payload.level_of_care,
            client_address=client_address_of(request),
        )
    except AccessDenied:
        audit_request(
            request,
            action=AuditAction.TRANSITION,
            object_type="episode",
            object_id=episode_id,
            outcome=AuditOutcome.DENIED,
            patient_id=Episode.objects.filter(pk=episode_id)
            .values_list("patient_id", flat=True)
            .first(),
        )
        return Status(403, {"detail": NOT_AVAILABLE})
    except ApplicationError as error:
        return Status(400, {"detail": error.message, "errors": error.field_errors})
    episode = Episode.objects.select_related("program").get(pk=episode.pk)
    return Status(200, EpisodeOut(**_episode_full(episode)))
