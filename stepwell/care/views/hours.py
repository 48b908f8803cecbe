"""Weekly hours per patient, the program's compliance, the worklist, private notes."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from stepwell.care.forms import PrivateNoteForm, TransitionWeekForm, WeekForm, form_errors
from stepwell.care.hours import selectors as hours_selectors
from stepwell.care.hours import services as hours_services
from stepwell.care.notes import psychotherapy
from stepwell.care.notes import selectors as note_selectors
from stepwell.care.notes import worklist as note_worklist
from stepwell.core.forms import form_call
from stepwell.core.paging import without_page

NO_SUCH_WEEK = "That week cannot be shown; this week is shown instead."


def _week_of(request, read, **kwargs):
    """The page's read for the week asked for (`?week=`), or for this week with the
    week's error when that week does not exist."""
    week_form = WeekForm(request.GET)
    result = None
    if week_form.is_valid():
        week = week_form.cleaned_data["week"] or None
        result = form_call(week_form, read, week=week, now=timezone.now(), **kwargs)
    if result is None:
        result = read(week=None, now=timezone.now(), **kwargs)
    return result, week_form


@login_required
@require_http_methods(["GET", "POST"])
def patient_hours(request, patient_id: int):
    mark_form = None
    if request.method == "POST":
        target = hours_selectors.hours_patient(user=request.user, patient_id=patient_id)
        mark_form = TransitionWeekForm(request.POST)
        if target.episode is not None and mark_form.is_valid():
            marked = form_call(
                mark_form,
                hours_services.transition_week_mark,
                actor=request.user,
                episode_id=target.episode.pk,
                week=mark_form.cleaned_data["week"],
                reason=mark_form.cleaned_data["reason"],
            )
            if marked is not None:
                messages.success(request, "Marked as a step-down week.")
                return redirect(f"{request.path}?week={marked.week}")
    hours, week_form = _week_of(
        request, hours_selectors.patient_hours_week, user=request.user, patient_id=patient_id
    )
    week_error = form_errors(week_form)[0] and NO_SUCH_WEEK
    error, field_errors = form_errors(week_form, mark_form, message=week_error or "")
    context = {
        "patient": hours.patient,
        "episode": hours.episode,
        "week": hours.week,
        "weekly": hours.weekly,
        "rule_source": hours.rule_source,
        "previous_week": hours.previous_week,
        "next_week": hours.next_week,
        "can_mark": hours.can_mark,
        "error": error,
        "field_errors": field_errors,
    }
    return render(request, "care/patient_hours.html", context, status=400 if error else 200)


@login_required
def compliance(request, program_id: int):
    week, week_form = _week_of(
        request,
        hours_selectors.program_compliance_week,
        user=request.user,
        program_id=program_id,
        page_number=request.GET.get("page"),
    )
    error, field_errors = form_errors(week_form, message=NO_SUCH_WEEK)
    context = {
        "program": week.program,
        "week": week.week,
        "rows": week.rows,
        "below": week.below,
        "page": week.page,
        "previous_week": week.previous_week,
        "next_week": week.next_week,
        "error": error,
        "field_errors": field_errors,
    }
    return render(request, "care/compliance.html", context, status=400 if error else 200)


@login_required
def worklist(request):
    page = note_worklist.worklist_page(
        user=request.user, now=timezone.now(), page_number=request.GET.get("page")
    )
    if page is None:
        return redirect("core:home")
    context = {
        "today": page.today,
        "sessions": page.sessions,
        "mine": page.mine,
        "mine_page": page.mine_page,
        "cosign": page.cosign,
        "cosign_page": page.cosign_page,
        "late_page": page.late_page,
        "base_query": without_page(request.GET),
        "director": bool(page.compliance_programs),
        "late_for_director": page.late_for_director,
        "compliance_programs": page.compliance_programs,
    }
    return render(request, "care/worklist.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def private_notes(request, patient_id: int):
    """The author's own psychotherapy notes: nobody else's are ever listed."""
    form = None
    if request.method == "POST":
        form = PrivateNoteForm(request.POST)
        if form.is_valid():
            saved = form_call(
                form,
                psychotherapy.psychotherapy_note_create,
                actor=request.user,
                patient_id=patient_id,
                text=form.cleaned_data["text"],
            )
            if saved is not None:
                messages.success(request, "Private note saved.")
                return redirect("care:private_notes", patient_id=patient_id)
    notes = note_selectors.private_notes(
        user=request.user, patient_id=patient_id, page_number=request.GET.get("page")
    )
    error, field_errors = form_errors(form)
    return render(
        request,
        "care/private_notes.html",
        {
            "patient": notes.patient,
            "notes": notes.notes,
            "page": notes.page,
            "base_query": without_page(request.GET),
            "error": error,
            "field_errors": field_errors,
        },
    )
