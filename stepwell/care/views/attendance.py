"""Taking attendance on a tablet: one row per participant, updated in place with htmx."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from stepwell.core.errors import AccessDenied, ApplicationError
from stepwell.patients.models import Patient
from stepwell.privacy.audit import AuditAction, audit_request, client_address_of
from stepwell.schedule.calendar import iso_week_of, utc_to_local

from .. import access, services
from ..attendance_states import AttendanceStatus, allowed_next
from ..models import Attendance, GroupNote
from ..services.attendance import ATTENDING_EPISODE_STATES
from ._common import error_context, local_input, parse_local, posted_id

BUTTONS = [
    (AttendanceStatus.PRESENT, "Present"),
    (AttendanceStatus.LATE, "Late"),
    (AttendanceStatus.LEFT_EARLY, "Left early"),
    (AttendanceStatus.ABSENT_EXCUSED, "Excused"),
    (AttendanceStatus.ABSENT_UNEXCUSED, "Absent"),
]


def _row_context(row: Attendance, zone: str, error=None) -> dict:
    allowed = set(allowed_next(row.status))
    if row.status != AttendanceStatus.EXPECTED:
        allowed.add(row.status)
    return {
        "row": row,
        "buttons": [(value, label, value in allowed) for value, label in BUTTONS],
        "check_in_value": local_input(zone, row.check_in_at),
        "check_out_value": local_input(zone, row.check_out_at),
        **error_context(error),
    }


@login_required
def roster(request, occurrence_id: int):
    try:
        occurrence, rows = services.attendance_roster_open(
            actor=request.user,
            occurrence_id=occurrence_id,
            client_address=client_address_of(request),
        )
    except AccessDenied:
        return render(request, "core/denied.html", status=403)
    zone = occurrence.program.timezone
    on_roster = {r.patient_id for r in rows}
    walk_in_choices = list(
        Patient.objects.filter(
            episodes__program_id=occurrence.program_id, episodes__state__in=ATTENDING_EPISODE_STATES
        )
        .exclude(pk__in=on_roster)
        .distinct()
    )
    # The walk-in list shows names and record numbers too: the event names each of them.
    audit_request(
        request,
        action=AuditAction.LIST,
        object_type="walk_in_choices",
        object_id=occurrence.pk,
        detail={"patients": sorted(p.pk for p in walk_in_choices)},
    )
    context = {
        "occurrence": occurrence,
        "rows": [_row_context(r, zone) for r in rows],
        "walk_in_choices": walk_in_choices,
        "group_note": GroupNote.objects.filter(occurrence=occurrence).first(),
        "present_count": sum(1 for r in rows if r.status in ("present", "late", "left_early")),
    }
    return render(request, "care/attendance.html", context)


def _session_of(row: Attendance | None):
    """The group meeting or the appointment the row belongs to (None for no row)."""
    if row is None:
        return None
    return row.occurrence if row.occurrence_id else row.appointment


def _may_mark(user, row: Attendance | None) -> bool:
    if row is None:
        return False
    if row.occurrence_id:
        return access.access_attendance_take(user, row.occurrence)
    return access.access_appointment_attendance(user, row.appointment)


def _after_mark_url(row: Attendance) -> str:
    """Where a plain (non-htmx) form goes back to: the roster, or the patient's week."""
    if row.occurrence_id:
        return reverse("care:attendance", kwargs={"occurrence_id": row.occurrence_id})
    zone = row.appointment.program.timezone
    week = iso_week_of(utc_to_local(zone, row.appointment.starts_at).date())
    return reverse("schedule:patient_week", kwargs={"patient_id": row.patient_id, "week": week})


@login_required
@require_POST
def mark(request, attendance_id: int):
    row = (
        Attendance.objects.select_related("occurrence__program", "appointment__program", "patient")
        .filter(pk=attendance_id)
        .first()
    )
    session = _session_of(row)
    zone = session.program.timezone if session else "UTC"
    # Everything the answer needs is worked out before the write, and the write and the
    # answer share one transaction: a failure building the answer leaves the row unchanged.
    next_url = _after_mark_url(row) if row else ""
    with transaction.atomic():
        error = None
        try:
            # Times are read only for someone who may mark the row (a field error would
            # show the row); anyone else gets the service's audited refusal.
            check_in_at = check_out_at = None
            if _may_mark(request.user, row):
                check_in_at = parse_local(zone, request.POST.get("check_in_at", ""), "check_in_at")
                check_out_at = parse_local(
                    zone, request.POST.get("check_out_at", ""), "check_out_at"
                )
            row = services.attendance_mark(
                actor=request.user,
                attendance_id=attendance_id,
                status=request.POST.get("status", ""),
                check_in_at=check_in_at,
                check_out_at=check_out_at,
                reason=request.POST.get("reason", ""),
                client_address=client_address_of(request),
            )
        except AccessDenied:
            return render(request, "core/denied.html", status=403)
        except ApplicationError as exc:
            error = exc
            row = Attendance.objects.select_related("patient").get(pk=attendance_id)
        if request.htmx:
            # htmx swaps only 2xx answers: the row shows its own error.
            return render(request, "care/_attendance_row.html", _row_context(row, zone, error))
        if error is not None:
            messages.error(request, error.message)
        return redirect(next_url)


@login_required
@require_POST
def walk_in(request, occurrence_id: int):
    try:
        patient_id = posted_id(request.POST.get("patient_id"), "patient_id") or 0
    except ApplicationError:
        patient_id = 0  # no such patient: the service answers as for any unknown one
    try:
        services.attendance_walk_in_add(
            actor=request.user,
            occurrence_id=occurrence_id,
            patient_id=patient_id,
            status=request.POST.get("status") or AttendanceStatus.PRESENT,
            client_address=client_address_of(request),
        )
    except AccessDenied:
        return render(request, "core/denied.html", status=403)  # audited by the service
    except ApplicationError as exc:
        messages.error(request, exc.message)
    return redirect("care:attendance", occurrence_id=occurrence_id)
