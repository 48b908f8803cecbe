"""Measures over JSON: instruments, a patient's administrations and outcomes, alerts. Same
services, selectors and access rules as the pages; every patient read and write is
audited. Refusals (403) and rule errors (400) are answered by stepwell.api's handlers."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from ninja import Field, Query, Router, Schema
from ninja.responses import Status

from stepwell.core.api_schemas import MAX_OFFSET, MAX_PAGE_SIZE, PAGE_SIZE, Out, responses
from stepwell.measures.instruments import instrument_registry
from stepwell.privacy.audit import AuditAction, audit_request

from . import progress, selectors, services
from .models import Administration, AdministrationStatus, Alert, AlertStatus

router = Router(tags=["measures"])


class AlertStatusFilter(StrEnum):
    OPEN = AlertStatus.OPEN.value
    ACKNOWLEDGED = AlertStatus.ACKNOWLEDGED.value
    RECLASSIFIED = AlertStatus.RECLASSIFIED.value
    ALL = "all"


class InstrumentOut(Out):
    key: str
    abbreviation: str
    name: str
    version: str
    time_frame: str
    items: list[dict]
    attribution: str
    licence: str
    shipped: bool
    enabled: bool  # false: switched off in this clinic (cannot be sent or recorded)
    switched_off_reason: str


class AdministrationOut(Out):
    id: int
    patient_id: int
    episode_id: int | None
    instrument: str
    instrument_version: str
    status: str
    occurrence: str
    due_on: date | None
    source: str
    completed_at: datetime | None
    answers: dict | None
    total: int | None
    band: str
    suggested_band: str  # AUDIT: one zone higher when item answers call for it
    subscales: dict | None
    flags: list[str]
    problems: list[str]  # status "incomplete": what was missing or invalid


class AlertOut(Out):
    id: int
    patient_id: int
    administration_id: int
    kind: str
    reason: str
    immediate: bool
    status: str
    created_at: datetime
    acknowledged_by: str | None
    acknowledged_at: datetime | None
    action_note: str


class RecordedOut(Out):
    administration: AdministrationOut
    alerts: list[AlertOut]


class AdministrationIn(Schema):
    instrument: str = Field(min_length=1, max_length=64)
    answers: dict[str, int | str | None]  # null or left out: not answered
    episode_id: int | None = None
    administration_id: int | None = None
    completed_at: datetime | None = None


class AcknowledgeIn(Schema):
    note: str = Field(max_length=2000)


def _administration(a: Administration) -> dict:
    return {
        "id": a.pk,
        "patient_id": a.patient_id,
        "episode_id": a.episode_id,
        "instrument": a.instrument_key,
        "instrument_version": a.instrument_version,
        "status": a.status,
        "occurrence": a.occurrence,
        "due_on": a.due_on,
        "source": a.source,
        "completed_at": a.completed_at,
        "answers": a.answers,
        "total": a.total,
        "band": a.band,
        "suggested_band": a.suggested_band,
        "subscales": a.subscales,
        "flags": list(a.flags or []),
        "problems": list(a.problems or []),
    }


def _alert(a: Alert) -> dict:
    return {
        "id": a.pk,
        "patient_id": a.patient_id,
        "administration_id": a.administration_id,
        "kind": a.kind,
        "reason": a.reason,
        "immediate": a.immediate,
        "status": a.status,
        "created_at": a.created_at,
        "acknowledged_by": str(a.acknowledged_by) if a.acknowledged_by else None,
        "acknowledged_at": a.acknowledged_at,
        "action_note": a.action_note,
    }


@router.get("/instruments", response=responses({200: list[InstrumentOut]}))
def instruments_list(request):
    """Shipped instruments and the newest version of each loaded one (no patient data)."""
    shipped = set(instrument_registry())
    switched_off = selectors.instruments_switched_off()
    return [
        {
            "key": i.key,
            "abbreviation": i.abbreviation,
            "name": i.name,
            "version": i.version,
            "time_frame": i.time_frame,
            "items": [
                {
                    "key": item.key,
                    "text": item.text,
                    "options": [{"value": o.value, "label": o.label} for o in item.options],
                }
                for item in i.items
            ],
            "attribution": i.licence.attribution,
            "licence": i.licence.text,
            "shipped": i.key in shipped,
            "enabled": i.key not in switched_off,
            "switched_off_reason": switched_off.get(i.key, ""),
        }
        for i in selectors.instruments_available()
    ]


@router.get(
    "/patients/{patient_id}/administrations",
    response=responses({200: list[AdministrationOut]}),
)
def administrations_list(
    request,
    patient_id: int,
    status: AdministrationStatus | None = None,
    limit: int = Query(PAGE_SIZE, ge=1, le=MAX_PAGE_SIZE),
    offset: int = Query(0, ge=0, le=MAX_OFFSET),
):
    """A patient's administrations, newest first; `status`: due, completed, incomplete,
    missed or cancelled. A page at a time: `limit` (50 unless asked, at most 500) after
    `offset`."""
    rows = selectors.administrations_listed(
        user=request.user, patient_id=patient_id, status=status, limit=limit, offset=offset
    )
    audit_request(
        request,
        action=AuditAction.LIST,
        patient_id=patient_id,
        object_type="administration",
        detail={"via": "api", "administrations": [a.pk for a in rows]},
    )
    return [_administration(a) for a in rows]


@router.post(
    "/patients/{patient_id}/administrations",
    response=responses({201: RecordedOut}),
)
def administration_create(request, patient_id: int, payload: AdministrationIn):
    """Record the answers given in session (by item key or item number); alerts come back.

    Answers with an item missing or invalid are refused (400), unless they hold a safety
    answer (suicide risk or an acute item): then they are stored with status
    `incomplete` (no total or band; `problems` says what is missing), the alert is raised,
    and the answer is 201.
    """
    recorded = services.administration_record(
        actor=request.user,
        patient_id=patient_id,
        instrument_key=payload.instrument,
        answers=payload.answers,
        episode_id=payload.episode_id,
        administration_id=payload.administration_id,
        completed_at=payload.completed_at,
    )
    return Status(
        201,
        {
            "administration": _administration(recorded.administration),
            "alerts": [_alert(a) for a in recorded.alerts],
        },
    )


class ThresholdOut(Out):
    points: int
    verified: bool  # false: shown as unverified, never used to classify change
    source: str


class InstrumentOutcomeOut(Out):
    instrument: str
    baseline: int
    baseline_on: date
    latest: int
    latest_on: date
    change: int
    classification: str | None  # null: no verified threshold, never reliable change
    threshold: ThresholdOut | None
    response: bool | None
    remission: bool | None


class ReliableRecoveryOut(Out):
    reliable_recovery: bool | None  # null: not applicable (see reason)
    reason: str
    caseness_at_baseline: bool
    below_caseness_on_both: bool
    reliable_improvement: bool
    reliable_deterioration: bool


class OutcomesOut(Out):
    instruments: list[InstrumentOutcomeOut]
    reliable_recovery: ReliableRecoveryOut | None  # PHQ-9 and GAD-7 together (IAPT)


@router.get("/patients/{patient_id}/outcomes", response=responses({200: OutcomesOut}))
def outcomes(request, patient_id: int):
    """Change from the first to the latest score of each instrument, and the joint PHQ-9 +
    GAD-7 reliable recovery. A change is called reliable only by a verified threshold."""
    administrations = selectors.administrations_for_patient(
        user=request.user,
        patient_id=patient_id,
        action=AuditAction.VIEW,
        object_type="measure_outcomes",
    )
    series_list = progress.series_of(list(administrations))
    rows = []
    for series in series_list:
        change = series.change()
        if change is None:
            continue
        threshold = series.instrument.change.reliable_change
        rows.append(
            {
                "instrument": series.instrument.key,
                "baseline": change.baseline,
                "baseline_on": series.points[0].completed_on,
                "latest": change.current,
                "latest_on": series.points[-1].completed_on,
                "change": change.change,
                "classification": change.classification and str(change.classification),
                "threshold": threshold
                and {
                    "points": threshold.points,
                    "verified": threshold.verified,
                    "source": threshold.source,
                },
                "response": change.response,
                "remission": change.remission,
            }
        )
    joint = progress.joint_recovery(series_list)
    audit_request(
        request,
        action=AuditAction.VIEW,
        patient_id=patient_id,
        object_type="measure_outcomes",
        detail={"via": "api", "instruments": [row["instrument"] for row in rows]},
    )
    return {"instruments": rows, "reliable_recovery": joint and joint.as_dict()}


@router.get("/alerts", response=responses({200: list[AlertOut]}))
def alerts_list(
    request,
    status: AlertStatusFilter = AlertStatusFilter.OPEN,
    patient_id: int | None = None,
    limit: int = Query(PAGE_SIZE, ge=1, le=MAX_PAGE_SIZE),
    offset: int = Query(0, ge=0, le=MAX_OFFSET),
):
    """Alerts of the patients you may act on: urgent first, then your care team's, newest
    first. `status`: open, acknowledged, reclassified or all. A page at a time: `limit`
    (50 unless asked, at most 500) after `offset`."""
    rows = selectors.alerts_listed(
        user=request.user,
        status=None if status == AlertStatusFilter.ALL else str(status),
        patient_id=patient_id,
        limit=limit,
        offset=offset,
    )
    audit_request(
        request,
        action=AuditAction.LIST,
        object_type="alert",
        detail={
            "via": "api",
            "status": status,
            "alerts": [a.pk for a in rows],
            "patients": sorted({a.patient_id for a in rows}),
        },
    )
    return [_alert(a) for a in rows]


@router.post("/alerts/{alert_id}/acknowledge", response=responses({200: AlertOut}))
def alert_acknowledge(request, alert_id: int, payload: AcknowledgeIn):
    """Close an open alert with a note of the action taken."""
    alert = services.alert_acknowledge(actor=request.user, alert_id=alert_id, note=payload.note)
    return _alert(alert)
