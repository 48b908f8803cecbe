"""Measures over JSON: instruments, a patient's administrations, alerts. Same services and
access rules as the pages; every patient read and write is audited."""

from __future__ import annotations

from datetime import date, datetime

from ninja import Field, Router, Schema
from ninja.responses import Status

from stepwell.patients.models import Patient
from stepwell.privacy.audit import AuditAction, AuditOutcome, audit_request, client_address_of

from . import selectors, services
from .models import Administration, Alert, AlertStatus

router = Router(tags=["measures"])
NOT_AVAILABLE = "Not found, or you do not have access to this record."


class ErrorOut(Schema):
    detail: str
    errors: dict[str, str] = {}


class InstrumentOut(Schema):
    key: str
    abbreviation: str
    name: str
    version: str
    time_frame: str
    items: list[dict]
    attribution: str
    shipped: bool


class AdministrationOut(Schema):
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
    subscales: dict | None
    flags: list[str]


class AlertOut(Schema):
    id: int
    patient_id: int
    administration_id: int
    kind: str
    reason: str
    status: str
    created_at: datetime
    acknowledged_by: str | None
    acknowledged_at: datetime | None
    action_note: str


class RecordedOut(Schema):
    administration: AdministrationOut
    alerts: list[AlertOut]


class AdministrationIn(Schema):
    instrument: str = Field(min_length=1, max_length=64)
    answers: dict[str, int | str]
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
        "subscales": a.subscales,
        "flags": list(a.flags or []),
    }


def _alert(a: Alert) -> dict:
    return {
        "id": a.pk,
        "patient_id": a.patient_id,
        "administration_id": a.administration_id,
        "kind": a.kind,
        "reason": a.reason,
        "status": a.status,
        "created_at": a.created_at,
        "acknowledged_by": str(a.acknowledged_by) if a.acknowledged_by else None,
        "acknowledged_at": a.acknowledged_at,
        "action_note": a.action_note,
    }


def _existing(patient_id: int) -> int | None:
    return patient_id if Patient.objects.filter(pk=patient_id).exists() else None


@router.get("/instruments", response=list[InstrumentOut])
def instruments_list(request):
    """Shipped instruments and the newest version of each loaded one (no patient data)."""
    from stepwell.measures.instruments import instrument_registry

    shipped = set(instrument_registry())
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
            "shipped": i.key in shipped,
        }
        for i in selectors.instruments_available()
    ]


@router.get(
    "/patients/{patient_id}/administrations",
    response={200: list[AdministrationOut], 403: ErrorOut},
)
def administrations_list(request, patient_id: int, status: str | None = None):
    """A patient's administrations, newest first; `status`: due, completed, missed, cancelled."""
    administrations = selectors.administrations_for_patient(
        user=request.user, patient_id=patient_id
    )
    if administrations is None:
        audit_request(
            request,
            action=AuditAction.LIST,
            patient_id=_existing(patient_id),
            object_type="administration",
            outcome=AuditOutcome.DENIED,
            detail={"via": "api"},
        )
        return Status(403, {"detail": NOT_AVAILABLE})
    if status:
        administrations = administrations.filter(status=status)
    rows = list(administrations[:500])
    audit_request(
        request,
        action=AuditAction.LIST,
        patient_id=patient_id,
        object_type="administration",
        detail={"via": "api", "administrations": [a.pk for a in rows]},
    )
    return Status(200, [_administration(a) for a in rows])


@router.post(
    "/patients/{patient_id}/administrations",
    response={201: RecordedOut, 400: ErrorOut, 403: ErrorOut},
)
def administration_create(request, patient_id: int, payload: AdministrationIn):
    """Record the answers given in session (by item key or item number); alerts come back."""
    recorded = services.administration_record(
        actor=request.user,
        patient_id=patient_id,
        instrument_key=payload.instrument,
        answers=payload.answers,
        episode_id=payload.episode_id,
        administration_id=payload.administration_id,
        completed_at=payload.completed_at,
        client_address=client_address_of(request),
    )
    return Status(
        201,
        {
            "administration": _administration(recorded.administration),
            "alerts": [_alert(a) for a in recorded.alerts],
        },
    )


@router.get("/alerts", response=list[AlertOut])
def alerts_list(request, status: str = AlertStatus.OPEN, patient_id: int | None = None):
    """Alerts of the patients you may act on, your care team first. `status`: open,
    acknowledged or all."""
    alerts = selectors.alerts_for_user(
        user=request.user, status=None if status == "all" else status
    )
    if patient_id is not None:
        alerts = alerts.filter(patient_id=patient_id)
    rows = list(alerts[:500])
    audit_request(
        request,
        action=AuditAction.LIST,
        object_type="alert",
        detail={"via": "api", "status": status, "alerts": [a.pk for a in rows]},
    )
    return [_alert(a) for a in rows]


@router.post(
    "/alerts/{alert_id}/acknowledge", response={200: AlertOut, 400: ErrorOut, 403: ErrorOut}
)
def alert_acknowledge(request, alert_id: int, payload: AcknowledgeIn):
    """Close an open alert with a note of the action taken."""
    alert = services.alert_acknowledge(
        actor=request.user,
        alert_id=alert_id,
        note=payload.note,
        client_address=client_address_of(request),
    )
    return Status(200, _alert(alert))
