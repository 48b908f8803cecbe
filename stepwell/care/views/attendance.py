"""Taking attendance on a tablet: one row per participant, updated in place with htmx."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from stepwell.care.attendance import selectors as attendance_selectors
from stepwell.care.attendance import services as attendance_services
from stepwell.care.attendance.states import ATTENDED, AttendanceStatus, allowed_next
from stepwell.care.forms import AttendanceMarkForm, WalkInForm, form_errors, local_input
from stepwell.care.models import Attendance
from stepwell.core.forms import form_call
from stepwell.schedule.calendar.weeks import iso_week_of, utc_to_local

BUTTONS = [
    (AttendanceStatus.PRESENT, "Present"),
    (AttendanceStatus.LATE, "Late"),
    (AttendanceStatus.LEFT_EARLY, "Left early"),
    (AttendanceStatus.ABSENT_EXCUSED, "Excused"),
    (AttendanceStatus.ABSENT_UNEXCUSED, "Absent"),
]


def _row_context(row: Attendance, zone: str, form: AttendanceMarkForm | None = None) -> dict:
    allowed = set(allowed_next(row.status))
    if row.status != AttendanceStatus.EXPECTED:
        allowed.add(row.status)
    error, field_errors = form_errors(form)
    return {
        "row": row,
        "buttons": [(value, label, value in allowed) for value, label in BUTTONS],
        "check_in_value": local_input(zone, row.check_in_at),
        "check_out_value": local_input(zone, row.check_out_at),
        "error": error,
        "field_errors": field_errors,
    }


@login_required
def roster(request, occurrence_id: int):
    occurrence, rows = attendance_services.attendance_roster_open(
        actor=request.user, occurrence_id=occurrence_id
    )
    extras = attendance_selectors.roster_extras(user=request.user, occurrence_id=occurrence.pk)
    zone = occurrence.program.timezone
    context = {
        "occurrence": occurrence,
        "rows": [_row_context(r, zone) for r in rows],
        "walk_in_choices": extras.walk_in_choices,
        "group_note": extras.group_note,
        "present_count": sum(1 for r in rows if r.status in ATTENDED),
    }
    return render(request, "care/attendance.html", context)


def _zone_of(row: Attendance) -> str:
    session = row.occurrence if row.occurrence_id else row.appointment
    return session.program.timezone


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
    # Refused first (audited, nothing of the row shown), then the form is read.
    row = attendance_selectors.attendance_row(user=request.user, attendance_id=attendance_id)
    zone = _zone_of(row)
    # Everything the answer needs is worked out before the write, and the write and the
    # answer share one transaction: a failure building the answer leaves the row unchanged.
    next_url = _after_mark_url(row)
    with transaction.atomic():
        form = AttendanceMarkForm(request.POST, zone=zone)
        marked = None
        if form.is_valid():
            marked = form_call(
                form,
                attendance_services.attendance_mark,
                actor=request.user,
                attendance_id=row.pk,
                status=form.cleaned_data["status"],
                check_in_at=form.cleaned_data["check_in_at"],
                check_out_at=form.cleaned_data["check_out_at"],
                reason=form.cleaned_data["reason"],
            )
        if request.htmx:
            # htmx swaps only 2xx answers: the row shows its own error.
            shown = marked or row
            return render(
                request,
                "care/_attendance_row.html",
                _row_context(shown, zone, None if marked else form),
            )
        if marked is None:
            messages.error(request, form_errors(form)[0])
        return redirect(next_url)


@login_required
@require_POST
def walk_in(request, occurrence_id: int):
    occurrence = attendance_selectors.roster_session(user=request.user, occurrence_id=occurrence_id)
    form = WalkInForm(request.POST)
    added = None
    if form.is_valid():
        added = form_call(
            form,
            attendance_services.attendance_walk_in_add,
            actor=request.user,
            occurrence_id=occurrence.pk,
            patient_id=form.cleaned_data["patient_id"],
            status=form.cleaned_data["status"],
        )
    if added is None:
        messages.error(request, form_errors(form)[0])
    return redirect("care:attendance", occurrence_id=occurrence.pk)
