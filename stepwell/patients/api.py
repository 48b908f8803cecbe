"""Patients and episodes over JSON; the same services and access rules as the pages.

Refusals (403) and rule errors (400, 409 for a possible duplicate) are answered by the
handlers of stepwell/api.py; reads are audited here, as on the pages.
"""

from __future__ import annotations

from datetime import date, datetime

from ninja import Field, Query, Router, Schema, Status

from stepwell.billing.services.chart import patient_chart_update
from stepwell.core.api_schemas import MAX_OFFSET, MAX_PAGE_SIZE, PAGE_SIZE, Out, responses
from stepwell.privacy.audit import AuditAction, audit_request

from . import selectors, services
from .details import DETAIL_FIELDS
from .episodes import allowed_next_states
from .models import Episode, Patient

router = Router(tags=["patients"])


class EpisodeSummary(Out):
    id: int
    program_id: int
    program: str
    state: str
    referred_on: date
    admitted_on: date | None
    discharged_on: date | None


class PatientSummary(Out):
    id: int
    mrn: str
    display_name: str
    legal_first_name: str
    legal_last_name: str
    date_of_birth: date
    episodes: list[EpisodeSummary]


class FamilyContactOut(Out):
    id: int
    name: str
    relationship: str
    phone: str
    email: str
    consented_to_involvement: bool


class CoverageOut(Out):
    id: int
    payer_id: int
    payer: str
    priority: str
    plan_name: str
    member_id: str
    group_number: str
    subscriber_name: str
    subscriber_relationship: str
    effective_from: date | None
    effective_to: date | None


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
    emergency_contact_consented: bool
    insurance_payer: str
    insurance_member_id: str
    insurance_group_number: str
    care_team: list[dict]
    family_contacts: list[FamilyContactOut]
    coverages: list[CoverageOut]


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


class FamilyContactPatch(Schema):
    """Without `id`: a new contact (name and relationship required). With `id`: the fields
    given change, or the contact is removed with `remove: true`."""

    id: int | None = None
    remove: bool = False
    name: str | None = Field(None, max_length=200)
    relationship: str | None = Field(None, max_length=100)
    phone: str | None = Field(None, max_length=32)
    email: str | None = None
    consented_to_involvement: bool | None = None


class CoveragePatch(Schema):
    """Without `id`: a new coverage (`payer_id` required). With `id`: the fields given
    change; set `effective_to` to end it."""

    id: int | None = None
    payer_id: int | None = None
    priority: str | None = None
    plan_name: str | None = Field(None, max_length=200)
    member_id: str | None = Field(None, max_length=64)
    group_number: str | None = Field(None, max_length=64)
    subscriber_name: str | None = Field(None, max_length=200)
    subscriber_relationship: str | None = None
    effective_from: date | None = None
    effective_to: date | None = None
    address_line: str | None = Field(None, max_length=55)
    city: str | None = Field(None, max_length=60)
    state: str | None = Field(None, max_length=2)
    postal_code: str | None = Field(None, max_length=10)


class PatientDetailsPatch(Schema):
    """The fields to change; a field left out keeps its value. `family_contacts` and
    `coverages` list only the contacts and coverages to add, change or remove."""

    legal_first_name: str | None = Field(None, min_length=1, max_length=100)
    legal_last_name: str | None = Field(None, min_length=1, max_length=100)
    preferred_name: str | None = None
    pronouns: str | None = None
    date_of_birth: date | None = None
    sex_assigned_at_birth: str | None = None
    gender_identity: str | None = None
    phone: str | None = None
    email: str | None = None
    address: str | None = None
    emergency_contact_name: str | None = None
    emergency_contact_relationship: str | None = None
    emergency_contact_phone: str | None = None
    emergency_contact_consented: bool | None = None
    insurance_payer: str | None = None
    insurance_member_id: str | None = None
    insurance_group_number: str | None = None
    family_contacts: list[FamilyContactPatch] | None = None
    coverages: list[CoveragePatch] | None = None


class EpisodeEventOut(Out):
    from_state: str
    to_state: str
    effective_date: date
    reason: str
    disposition: str
    occurred_at: datetime


class LevelOfCareOut(Out):
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
    for field in DETAIL_FIELDS:
        data.setdefault(field, getattr(p, field))
    data["care_team"] = [
        {"user_id": m.user_id, "name": str(m.user), "team_role": m.team_role}
        for m in p.care_team.select_related("user")
    ]
    data["family_contacts"] = [
        {f: getattr(c, f) for f in FamilyContactOut.model_fields} for c in p.family_contacts.all()
    ]
    data["coverages"] = [
        {
            **{f: getattr(c, f) for f in CoverageOut.model_fields if f != "payer"},
            "payer": c.payer.name,
        }
        for c in p.coverages.select_related("payer")
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


@router.get("/patients", response=responses({200: list[PatientSummary]}))
def patients_list(
    request,
    program: int | None = None,
    state: str | None = None,
    q: str = "",
    limit: int = Query(PAGE_SIZE, ge=1, le=MAX_PAGE_SIZE),
    offset: int = Query(0, ge=0, le=MAX_OFFSET),
):
    """Patients you may see, with their episodes. `state`: open (default), all, or one state.
    A page at a time: `limit` patients (50 unless asked, at most 500) after `offset`."""
    patients = selectors.patients_listed(
        user=request.user,
        program_id=program,
        state=state or "open",
        query=q,
        limit=limit,
        offset=offset,
    )
    audit_request(
        request,
        action=AuditAction.LIST,
        object_type="patient",
        detail={"patients": [p.pk for p in patients], "via": "api"},
    )
    return [_summary(p) for p in patients]


@router.get("/patients/{patient_id}", response=responses({200: PatientOut | PatientBillingOut}))
def patient_detail(request, patient_id: int):
    """The patient's record; billing staff get the billing fields only."""
    record = selectors.patient_record(user=request.user, patient_id=patient_id)
    billing = record.view == selectors.RecordView.BILLING
    audit_request(
        request,
        action=AuditAction.VIEW,
        patient_id=record.patient.pk,
        object_type="patient_billing" if billing else "patient",
        object_id=record.patient.pk,
        detail={"via": "api"},
    )
    if billing:
        return PatientBillingOut(**_billing(record.patient))
    return PatientOut(**_full(record.patient))


@router.patch("/patients/{patient_id}", response=responses({200: PatientOut}))
def patient_details_patch(request, patient_id: int, payload: PatientDetailsPatch):
    """Keep the patient's details up to date; each changed field is kept as history."""
    details = payload.dict(exclude_unset=True, exclude={"family_contacts", "coverages"})
    patient_chart_update(
        actor=request.user,
        patient_id=patient_id,
        details=details,
        family_contacts=[
            c.dict(exclude_unset=True, exclude_none=True) for c in payload.family_contacts or []
        ],
        coverages=[c.dict(exclude_unset=True) for c in payload.coverages or []],
    )
    record = selectors.patient_record(user=request.user, patient_id=patient_id)
    return PatientOut(**_full(record.patient))


@router.post("/patients", response=responses({201: PatientOut}, extra=(409,)))
def patient_create(request, payload: PatientIn):
    """Register a patient and open a referred episode; 409 on a possible duplicate."""
    registration = services.patient_register(
        actor=request.user,
        program_id=payload.program_id,
        data=payload.dict(exclude={"program_id", "referred_on", "confirm_not_duplicate"}),
        referred_on=payload.referred_on,
        confirm_not_duplicate=payload.confirm_not_duplicate,
    )
    return Status(201, PatientOut(**_full(registration.patient)))


@router.get("/episodes/{episode_id}", response=responses({200: EpisodeOut}))
def episode_detail(request, episode_id: int):
    episode = selectors.episode_record(user=request.user, episode_id=episode_id)
    audit_request(
        request,
        action=AuditAction.VIEW,
        patient_id=episode.patient_id,
        object_type="episode",
        object_id=episode.pk,
        detail={"via": "api"},
    )
    return EpisodeOut(**_episode_full(episode))


@router.post("/episodes/{episode_id}/transitions", response=responses({200: EpisodeOut}))
def episode_transition(request, episode_id: int, payload: TransitionIn):
    episode = services.episode_transition(
        actor=request.user, episode_id=episode_id, **payload.dict()
    )
    return EpisodeOut(**_episode_full(episode))
