"""Reads of the audit trail, scoped to what the acting user may review."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time

from django.db.models import QuerySet
from django.utils import timezone

from . import access
from .models import AuditEvent

SORTABLE_FIELDS = (
    "seq",
    "occurred_at",
    "username",
    "role",
    "patient_id",
    "action",
    "object_type",
    "object_id",
    "outcome",
    "client_address",
)


@dataclass(frozen=True)
class AuditFilter:
    username: str = ""
    patient_id: int | None = None
    action: str = ""
    outcome: str = ""
    object_type: str = ""
    role: str = ""
    client_address: str = ""
    date_from: date | None = None
    date_to: date | None = None
    sort: str = "-seq"


def audit_events_for(*, user, criteria: AuditFilter) -> QuerySet[AuditEvent]:
    events = AuditEvent.objects.filter(access.audit_patient_scope(user))
    if criteria.username:
        events = events.filter(username__icontains=criteria.username)
    if criteria.patient_id is not None:
        events = events.filter(patient_id=criteria.patient_id)
    if criteria.action:
        events = events.filter(action=criteria.action)
    if criteria.outcome:
        events = events.filter(outcome=criteria.outcome)
    if criteria.object_type:
        events = events.filter(object_type=criteria.object_type)
    if criteria.role:
        events = events.filter(role__icontains=criteria.role)
    if criteria.client_address:
        events = events.filter(client_address__startswith=criteria.client_address)
    zone = timezone.get_current_timezone()
    if criteria.date_from:
        events = events.filter(
            occurred_at__gte=datetime.combine(criteria.date_from, time.min, tzinfo=zone)
        )
    if criteria.date_to:
        events = events.filter(
            occurred_at__lte=datetime.combine(criteria.date_to, time.max, tzinfo=zone)
        )
    sort = criteria.sort if criteria.sort.lstrip("-") in SORTABLE_FIELDS else "-seq"
    return events.order_by(sort, "-seq" if sort.startswith("-") else "seq")
