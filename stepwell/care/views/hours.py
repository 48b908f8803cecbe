"""Weekly hours per patient, the program's compliance, the worklist, private notes."""

from __future__ import annotations

from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from stepwell.accounts.models import Role, UserKind
from stepwell.clinic.models import Program
from stepwell.clinic.selectors import programs_of_staff
from stepwell.core.errors import AccessDenied, ApplicationError
from stepwell.patients.models import Patient
from stepwell.privacy.audit import AuditAction, audit_request, client_address_of
from stepwell.privacy.refusals import page_denied as denied
from stepwell.schedule.calendar import iso_week_bounds, iso_week_of, local_to_utc, utc_to_local

from .. import access, selectors, services
from ._common import error_context


def _week_param(request, program: Program) -> str:
    week = request.GET.get("week") or selectors.current_week(program, timezone.now())
    iso_week_bounds(week)  # raises a named error for a malformed week
    return week.upper()


def _neighbours(week: str) -> tuple[str, str]:
    monday, _ = iso_week_bounds(week)
    return iso_week_of(monday - timedelta(days=7)), iso_week_of(monday + timedelta(days=7))


@login_required
@require_http_methods(["GET", "POST"])
def patient_hours(request, patient_id: int):
    patient = Patient.objects.filter(pk=patient_id).first()
    if patient is None or not access.access_hours_read(request.user, patient):
        return denied(
            request, object_type="weekly_hours", object_id=patient_id, patient_id=patient_id
        )
    episode = selectors.hours_episode(patient)
    error = None
    if request.method == "POST" and episode is not None:
        try:
            services.transition_week_mark(
                actor=request.user,
                episode_id=episode.pk,
                week=request.POST.get("week", ""),
                reason=request.POST.get("reason", ""),
                client_address=client_address_of(request),
            )
            messages.success(request, "Marked as a step-down week.")
            return redirect(f"{request.path}?week={request.POST.get('week', '').upper()}")
        except AccessDenied:
            return render(request, "core/denied.html", status=403)
        except ApplicationError as exc:
            error = exc
    week = None
    weekly = None
    rule_source = None
    if episode is not None:
        try:
            week = _week_param(request, episode.program)
        except ApplicationError as exc:
            error, week = exc, selectors.current_week(episode.program, timezone.now())
        rule_source = selectors.hours_rule_source(patient=patient, episode=episode, week=week)
        weekly = selectors.patient_weekly_hours(
            patient=patient, week=week, now=timezone.now(), episode=episode, rule_source=rule_source
        )
    audit_request(
        request,
        action=AuditAction.VIEW,
        patient_id=patient.pk,
        object_type="weekly_hours",
        detail={"week": week},
    )
    previous, following = _neighbours(week) if week else (None, None)
    context = {
        "patient": patient,
        "episode": episode,
        "week": week,
        "weekly": weekly,
        "rule_source": rule_source,
        "previous_week": previous,
        "next_week": following,
        "can_mark": access.access_transition_week_mark(request.user, patient),
        **error_context(error),
    }
    return render(request, "care/patient_hours.html", context, status=400 if error else 200)


@login_required
def compliance(request, program_id: int):
    program = Program.objects.filter(pk=program_id).first()
    if program is None or not access.access_program_compliance(request.user, program.pk):
        return denied(
            request, object_type="program_compliance", object_id=program_id, action=AuditAction.LIST
        )
    error = None
    try:
        week = _week_param(request, program)
    except ApplicationError as exc:
        error, week = exc, selectors.current_week(program, timezone.now())
    rows = selectors.program_compliance(program=program, week=week, now=timezone.now())
    audit_request(
        request,
        action=AuditAction.LIST,
        object_type="program_compliance",
        object_id=program.pk,
        detail={"week": week, "patients": [r.patient.pk for r in rows]},
    )
    previous, following = _neighbours(week)
    context = {
        "program": program,
        "week": week,
        "rows": rows,
        "below": sum(1 for r in rows if r.hours.below_minimum),
        "previous_week": previous,
        "next_week": following,
        **error_context(error),
    }
    return render(request, "care/compliance.html", context, status=400 if error else 200)


@login_required
def worklist(request):
    user = request.user
    if user.kind != UserKind.STAFF:
        return redirect("core:home")
    now = timezone.now()
    programs = list(programs_of_staff(user=user))
    zone = programs[0].timezone if programs else "UTC"
    today = utc_to_local(zone, now).date()
    from datetime import time

    sessions = selectors.sessions_for_staff(
        user=user,
        start=local_to_utc(zone, today, time.min),
        end=local_to_utc(zone, today + timedelta(days=1), time.min),
    )
    work = selectors.worklist(user=user, now=now)
    director = user.has_role(Role.PROGRAM_DIRECTOR)
    late_for_director = selectors.director_late_notes(user=user, now=now) if director else []
    audit_request(
        request,
        action=AuditAction.LIST,
        object_type="note_worklist",
        detail={
            "patients": sorted(
                {
                    i.patient_id
                    for i in [*work["mine"], *work["cosign"], *late_for_director]
                    if i.patient_id
                }
            )
        },
    )
    context = {
        "today": today,
        "sessions": sessions,
        "mine": work["mine"],
        "cosign": work["cosign"],
        "director": director,
        "late_for_director": late_for_director,
        "compliance_programs": [
            p for p in programs if access.access_program_compliance(user, p.pk)
        ],
    }
    return render(request, "care/worklist.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def private_notes(request, patient_id: int):
    """The author's own psychotherapy notes: nobody else's are ever listed."""
    patient = Patient.objects.filter(pk=patient_id).first()
    if patient is None or not access.access_psychotherapy_note_write(request.user, patient):
        return denied(
            request,
            object_type="psychotherapy_note",
            object_id=f"patient:{patient_id}",
            patient_id=patient_id,
            action=AuditAction.LIST,
        )
    error = None
    if request.method == "POST":
        try:
            services.psychotherapy_note_create(
                actor=request.user,
                patient_id=patient.pk,
                text=request.POST.get("text", ""),
                client_address=client_address_of(request),
            )
            messages.success(request, "Private note saved.")
            return redirect("care:private_notes", patient_id=patient.pk)
        except ApplicationError as exc:
            error = exc
    notes = list(selectors.psychotherapy_notes_of_author(user=request.user, patient=patient))
    audit_request(
        request,
        action=AuditAction.LIST,
        patient_id=patient.pk,
        object_type="psychotherapy_note",
        detail={"notes": [n.pk for n in notes]},
    )
    return render(
        request,
        "care/private_notes.html",
        {"patient": patient, "notes": notes, **error_context(error)},
    )
