"""Discharge summaries and aftercare plans over JSON: the same services and access rules
as the pages."""

from __future__ import annotations

from datetime import date, datetime

from ninja import Field, Router, Schema
from ninja.errors import HttpError
from ninja.responses import Status

from stepwell.core.api_schemas import Out, responses

from . import selectors, services
from .models import DischargeSummary

router = Router(tags=["discharge"])


class SummaryAddendumOut(Out):
    id: int
    text: str
    author: str
    created_at: datetime


class SummaryOut(Out):
    episode_id: int
    patient_id: int
    status: str
    facts: dict
    facts_drafted_at: datetime
    discharge_date: date | None
    disposition: str
    disposition_reason: str
    presenting_problem: str
    course_of_treatment: str
    condition_at_discharge: str
    recommendations: str
    referrals: str
    signed_by: str | None
    signed_at: datetime | None
    addenda: list[SummaryAddendumOut]


class SummaryPatch(Schema):
    discharge_date: date | None = None
    disposition: str | None = Field(None, max_length=32)
    disposition_reason: str | None = Field(None, max_length=10000)
    presenting_problem: str | None = Field(None, max_length=10000)
    course_of_treatment: str | None = Field(None, max_length=10000)
    condition_at_discharge: str | None = Field(None, max_length=10000)
    recommendations: str | None = Field(None, max_length=10000)
    referrals: str | None = Field(None, max_length=10000)


class SummaryAddendumIn(Schema):
    text: str = Field(max_length=10000)


class ContactOut(Out):
    name: str
    relationship: str
    phone: str


class AppointmentOut(Out):
    kind: str
    provider: str
    starts_at: datetime
    place: str
    phone: str


class SupportGroupOut(Out):
    id: int
    kind: str
    name: str
    meeting_day: str
    meeting_time: str
    place: str
    link: str
    phone: str


class CrisisOut(Out):
    label: str
    number: str


class AftercareOut(Out):
    episode_id: int
    patient_id: int
    status: str
    warning_signs: str
    triggers: str
    coping_strategies: str
    alumni_group: str
    signed_at: datetime | None
    signature_method: str
    contacts: list[ContactOut]
    appointments: list[AppointmentOut]
    support_groups: list[SupportGroupOut]
    crisis_resources: list[CrisisOut]


def _summary_out(summary: DischargeSummary) -> dict:
    return {
        "episode_id": summary.episode_id,
        "patient_id": summary.episode.patient_id,
        "status": summary.status,
        "facts": summary.facts,
        "facts_drafted_at": summary.facts_drafted_at,
        "discharge_date": summary.discharge_date,
        "disposition": summary.disposition,
        "disposition_reason": summary.disposition_reason,
        "presenting_problem": summary.presenting_problem,
        "course_of_treatment": summary.course_of_treatment,
        "condition_at_discharge": summary.condition_at_discharge,
        "recommendations": summary.recommendations,
        "referrals": summary.referrals,
        "signed_by": str(summary.signed_by) if summary.signed_by_id else None,
        "signed_at": summary.signed_at,
        "addenda": [
            {"id": a.pk, "text": a.text, "author": str(a.author), "created_at": a.created_at}
            for a in summary.addenda.select_related("author")
        ],
    }


@router.post(
    "/episodes/{episode_id}/discharge-summary",
    response=responses({201: SummaryOut}),
    summary="Draft the discharge summary from the episode (or re-draft a draft's facts)",
)
def summary_draft(request, episode_id: int):
    summary = services.discharge_summary_draft(actor=request.auth, episode_id=episode_id)
    return Status(201, _summary_out(summary))


@router.get("/episodes/{episode_id}/discharge-summary", response=responses({200: SummaryOut}))
def summary_get(request, episode_id: int):
    summary = selectors.summary_for_api(user=request.auth, episode_id=episode_id)
    if summary is None:
        raise HttpError(404, "No discharge summary yet: draft it first.")
    return _summary_out(summary)


@router.patch("/episodes/{episode_id}/discharge-summary", response=responses({200: SummaryOut}))
def summary_patch(request, episode_id: int, payload: SummaryPatch):
    summary = services.discharge_summary_update(
        actor=request.auth, episode_id=episode_id, changes=payload.dict(exclude_unset=True)
    )
    return _summary_out(summary)


@router.post("/episodes/{episode_id}/discharge-summary/sign", response=responses({200: SummaryOut}))
def summary_sign(request, episode_id: int):
    summary = services.discharge_summary_sign(actor=request.auth, episode_id=episode_id)
    return _summary_out(summary)


@router.post(
    "/episodes/{episode_id}/discharge-summary/addenda",
    response=responses({201: SummaryAddendumOut}),
)
def summary_addendum(request, episode_id: int, payload: SummaryAddendumIn):
    addendum = services.discharge_summary_addendum_add(
        actor=request.auth, episode_id=episode_id, text=payload.text
    )
    return Status(
        201,
        {
            "id": addendum.pk,
            "text": addendum.text,
            "author": str(addendum.author),
            "created_at": addendum.created_at,
        },
    )


@router.get("/episodes/{episode_id}/aftercare-plan", response=responses({200: AftercareOut}))
def aftercare_get(request, episode_id: int):
    document = selectors.aftercare_for_api(user=request.auth, episode_id=episode_id)
    plan = document.plan
    if plan is None:
        raise HttpError(404, "No aftercare plan yet.")
    return {
        "episode_id": plan.episode_id,
        "patient_id": plan.episode.patient_id,
        "status": plan.status,
        "warning_signs": plan.warning_signs,
        "triggers": plan.triggers,
        "coping_strategies": plan.coping_strategies,
        "alumni_group": plan.alumni_group,
        "signed_at": plan.patient_signed_at,
        "signature_method": plan.signature_method,
        "contacts": [
            {"name": c.name, "relationship": c.relationship, "phone": c.phone}
            for c in document.contacts
        ],
        "appointments": [
            {
                "kind": a.kind,
                "provider": a.provider,
                "starts_at": a.starts_at,
                "place": a.place,
                "phone": a.phone,
            }
            for a in document.appointments
        ],
        "support_groups": [
            {
                "id": g.pk,
                "kind": g.kind,
                "name": g.name,
                "meeting_day": g.get_meeting_day_display(),
                "meeting_time": g.meeting_time.strftime("%H:%M"),
                "place": g.place,
                "link": g.link,
                "phone": g.phone,
            }
            for g in document.support_groups
        ],
        "crisis_resources": [{"label": c.label, "number": c.number} for c in document.crisis],
    }
