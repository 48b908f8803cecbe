"""Program calendar pages: week views, optimizer runs, manual bookings and calendar feeds.

Directors run the optimizer, accept plans and book by hand; clinicians and the other
reading roles see the weeks. Every page that shows a patient is audited, denials too.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from stepwell.accounts.models import User, UserKind
from stepwell.clinic.models import Program
from stepwell.clinic.selectors import programs_of_staff
from stepwell.core.bad_input import bad_request_page
from stepwell.core.errors import AccessDenied, ApplicationError
from stepwell.core.forms import form_add_service_errors as _apply_errors
from stepwell.patients.models import Patient
from stepwell.privacy.access import patients_visible_to
from stepwell.privacy.audit import AuditAction, audit_request, client_address_of
from stepwell.privacy.refusals import page_denied as _denied

from . import access, feeds, planning, selectors, services
from .calendar import iso_week_bounds, iso_week_of, local_to_utc, utc_to_local, week_utc_range
from .forms import AppointmentForm, EnrollmentForm
from .models import OccurrenceStatus, PlanRunStatus, SchedulePlanRun, SessionOccurrence

VIEWS = {"day": "By day", "room": "By room", "staff": "By staff"}


def _week(week: str) -> str:
    iso_week_bounds(week)  # an ApplicationError naming `week`: the caller answers 400
    return week.upper()


def _readable_programs(user):
    return [p for p in programs_of_staff(user=user) if access.access_program_schedule_read(user, p)]


# -- week views ------------------------------------------------------------------------------


@login_required
def home(request):
    user = request.user
    if user.is_patient_user:
        patient = Patient.objects.filter(user=user).first()
        if patient is None:
            return _denied(request, object_type="patient_schedule", object_id="own")
        return redirect("schedule:patient_week_current", patient_id=patient.pk)
    programs = _readable_programs(user)
    if not programs:
        return render(request, "schedule/home.html", {"programs": []})
    return redirect("schedule:program_week_current", program_id=programs[0].pk)


@login_required
def program_week_current(request, program_id: int):
    program = Program.objects.filter(pk=program_id).first()
    if program is None:
        raise Http404
    return redirect(
        "schedule:program_week", program_id=program_id, week=selectors.week_default(program)
    )


@login_required
def program_week(request, program_id: int, week: str):
    user = request.user
    program = Program.objects.filter(pk=program_id).first()
    if program is None or not access.access_program_schedule_read(user, program):
        return _denied(request, object_type="program_week", object_id=f"{program_id}/{week}")
    try:
        week = _week(week)
    except ApplicationError as error:
        return bad_request_page(request, error)
    by = request.GET.get("by", "day")
    by = by if by in VIEWS else "day"
    data = selectors.program_week(user=user, program=program, week=week)
    audit_request(
        request,
        action=AuditAction.LIST,
        object_type="program_week",
        object_id=f"{program.pk}/{week}",
        detail={"patients": data.patient_ids},
    )
    groups = {
        "day": lambda: selectors.by_day(data.items, week),
        "room": lambda: selectors.by_room(data.items),
        "staff": lambda: selectors.by_staff(data.items),
    }[by]()
    previous_week, next_week = selectors.week_neighbours(week)
    context = {
        "program": program,
        "programs": _readable_programs(user),
        "week": week,
        "this_week": selectors.week_default(program),
        "previous_week": previous_week,
        "next_week": next_week,
        "monday": iso_week_bounds(week)[0],
        "by": by,
        "views": VIEWS,
        "groups": groups,
        "show_patients": True,
        "can_manage": access.access_program_schedule_manage(user, program),
        "runs": selectors.plan_runs(program=program, week=week),
    }
    template = (
        "schedule/program_week.html#week-grid" if request.htmx else "schedule/program_week.html"
    )
    return render(request, template, context)


def _feed_context(request, feed, *, manage: bool = True) -> dict:
    """The feed box; who may only turn a feed off never sees its secret address."""
    if feed is None:
        return {"feed": None, "feed_url": "", "feed_manage": manage}
    url = request.build_absolute_uri(reverse("schedule:feed", args=[feed.token])) if manage else ""
    return {"feed": feed, "feed_url": url, "feed_manage": manage}


@login_required
def patient_week(request, patient_id: int, week: str | None = None):
    user = request.user
    patient = Patient.objects.filter(pk=patient_id).first()
    if patient is None or not access.access_patient_schedule_read(user, patient):
        return _denied(
            request,
            object_type="patient_schedule",
            object_id=patient_id,
            patient_id=patient.pk if patient else None,
        )
    zone = selectors.patient_zone(patient)
    if week is None:
        return redirect(
            "schedule:patient_week",
            patient_id=patient.pk,
            week=selectors.week_default(None, _local_today(zone)),
        )
    try:
        week = _week(week)
    except ApplicationError as error:
        return bad_request_page(request, error)
    items = selectors.patient_week(patient=patient, week=week, zone=zone)
    audit_request(
        request,
        action=AuditAction.VIEW,
        patient_id=patient.pk,
        object_type="patient_schedule",
        object_id=week,
    )
    previous_week, next_week = selectors.week_neighbours(week)
    episode = (
        patient.episodes.filter(state__in=services.SCHEDULABLE_STATES)
        .select_related("program")
        .first()
    )
    can_feed = access.access_patient_feed_manage(user, patient)
    context = {
        "patient": patient,
        "week": week,
        "previous_week": previous_week,
        "next_week": next_week,
        "groups": selectors.by_day(items, week),
        "minutes": sum(item.minutes for item in items),
        "episode": episode,
        "windows": patient.availability_windows.all(),
        "can_feed": can_feed,
        "can_book": episode is not None
        and access.access_program_schedule_manage(user, episode.program),
        **_feed_context(request, selectors.feeds_of(patient=patient).first() if can_feed else None),
    }
    return render(request, "schedule/patient_week.html", context)


def _local_today(zone: str):
    from django.utils import timezone

    from .calendar import utc_to_local

    return utc_to_local(zone, timezone.now()).date()


@login_required
def staff_week(request, user_id: int, week: str | None = None):
    user = request.user
    staff = User.objects.filter(pk=user_id, kind=UserKind.STAFF).first()
    if staff is None or not access.access_staff_schedule_read(user, staff):
        return _denied(request, object_type="staff_schedule", object_id=user_id)
    zone = selectors.staff_zone(staff)
    if week is None:
        return redirect(
            "schedule:staff_week",
            user_id=staff.pk,
            week=selectors.week_default(None, _local_today(zone)),
        )
    try:
        week = _week(week)
    except ApplicationError as error:
        return bad_request_page(request, error)
    items = selectors.staff_week(user=user, staff=staff, week=week, zone=zone)
    audit_request(
        request,
        action=AuditAction.LIST,
        object_type="staff_schedule",
        object_id=f"{staff.pk}/{week}",
        detail={"patients": sorted({p.id for item in items for p in item.patients})},
    )
    previous_week, next_week = selectors.week_neighbours(week)
    can_manage_feed = access.access_staff_feed_manage(user, staff)
    can_feed = access.access_staff_feed_revoke(user, staff)
    feed = selectors.feeds_of(staff=staff).first() if can_feed else None
    context = {
        "staff": staff,
        "week": week,
        "previous_week": previous_week,
        "next_week": next_week,
        "groups": selectors.by_day(items, week),
        "minutes": sum(item.minutes for item in items),
        "can_feed": can_manage_feed or feed is not None,
        **_feed_context(request, feed, manage=can_manage_feed),
    }
    return render(request, "schedule/staff_week.html", context)


# -- optimizer runs ------------------------------------------------------------------------


@login_required
@require_POST
def run_start(request, program_id: int, week: str):
    from .tasks import schedule_plan_run_execute

    user = request.user
    program = Program.objects.filter(pk=program_id).first()
    if program is None or not access.access_program_schedule_manage(user, program):
        return _denied(
            request, object_type="schedule_plan_run", object_id="new", action=AuditAction.CREATE
        )
    try:
        week = _week(week)
    except ApplicationError as error:
        return bad_request_page(request, error)
    run = SchedulePlanRun.objects.create(program=program, week=week, requested_by=user)
    audit_request(
        request,
        action=AuditAction.CREATE,
        object_type="schedule_plan_run",
        object_id=run.pk,
        detail={"program": program.pk, "week": week},
    )
    schedule_plan_run_execute.enqueue(run.pk)
    return redirect("schedule:run", run_id=run.pk)


@login_required
def run_detail(request, run_id: int):
    user = request.user
    run = (
        SchedulePlanRun.objects.select_related("program", "requested_by").filter(pk=run_id).first()
    )
    if run is None or not access.access_program_schedule_manage(user, run.program):
        return _denied(request, object_type="schedule_plan_run", object_id=run_id)
    finished = run.status in (PlanRunStatus.DONE, PlanRunStatus.ACCEPTED, PlanRunStatus.FAILED)
    results = selectors.run_results(run) if finished and run.plan else None
    if results is not None:
        audit_request(
            request,
            action=AuditAction.VIEW,
            object_type="schedule_plan_run",
            object_id=run.pk,
            detail={"patients": results.patient_ids},
        )
    context = {"run": run, "finished": finished, "results": results}
    template = "schedule/run.html#run-body" if request.htmx else "schedule/run.html"
    return render(request, template, context)


@login_required
@require_POST
def run_accept(request, run_id: int):
    user = request.user
    run = SchedulePlanRun.objects.select_related("program").filter(pk=run_id).first()
    if run is None or not access.access_program_schedule_manage(user, run.program):
        return _denied(
            request, object_type="schedule_plan_run", object_id=run_id, action=AuditAction.UPDATE
        )
    try:
        run = planning.plan_accept(actor=user, run=run, client_address=client_address_of(request))
    except ApplicationError as error:
        messages.error(request, f"The plan was not accepted: {error.message}")
        return redirect("schedule:run", run_id=run.pk)
    messages.success(request, f"{run.program} {run.week} is booked. {run.message}")
    return redirect("schedule:program_week", program_id=run.program_id, week=run.week)


# -- manual bookings -----------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def book(request, program_id: int, week: str):
    user = request.user
    program = Program.objects.filter(pk=program_id).first()
    if program is None or not access.access_program_schedule_manage(user, program):
        return _denied(request, object_type="booking", object_id="new", action=AuditAction.CREATE)
    try:
        week = _week(week)
    except ApplicationError as error:
        return bad_request_page(request, error)
    start, end = week_utc_range(program.timezone, week)
    occurrences = SessionOccurrence.objects.filter(
        program=program, starts_at__gte=start, starts_at__lt=end, status=OccurrenceStatus.SCHEDULED
    ).order_by("starts_at")
    patients = (
        patients_visible_to(user)
        .filter(episodes__program=program, episodes__state__in=services.SCHEDULABLE_STATES)
        .distinct()
        .order_by("legal_last_name", "legal_first_name")
    )
    staff = selectors.program_staff(program)
    which = request.POST.get("form") if request.method == "POST" else None
    initial_patient = {"patient": request.GET.get("patient")} if request.GET.get("patient") else {}
    enrol_form = EnrollmentForm(
        request.POST if which == "enrol" else None,
        patients=patients,
        occurrences=occurrences,
        zone=program.timezone,
        initial=initial_patient,
    )
    appointment_form = AppointmentForm(
        request.POST if which == "appointment" else None,
        patients=patients,
        staff=staff,
        initial={**initial_patient, "day": iso_week_bounds(week)[0]},
    )
    address = client_address_of(request)
    if which == "enrol" and enrol_form.is_valid():
        data = enrol_form.cleaned_data
        try:
            services.enrollment_book(
                actor=user,
                occurrence_id=data["occurrence"].pk,
                patient_id=data["patient"].pk,
                client_address=address,
            )
        except ApplicationError as error:
            _apply_errors(enrol_form, error)
        else:
            messages.success(
                request, f"{data['patient'].display_name} booked into {data['occurrence'].title}."
            )
            return redirect("schedule:book", program_id=program.pk, week=week)
    if which == "appointment" and appointment_form.is_valid():
        data = appointment_form.cleaned_data
        try:
            services.appointment_book(
                actor=user,
                patient_id=data["patient"].pk,
                staff_id=data["staff"].pk,
                program=program,
                kind=data["kind"],
                starts_at=local_to_utc(program.timezone, data["day"], data["starts_at"]),
                minutes=data["minutes"],
                client_address=address,
            )
        except ApplicationError as error:
            _apply_errors(appointment_form, error)
        else:
            messages.success(request, f"Appointment booked for {data['patient'].display_name}.")
            return redirect("schedule:book", program_id=program.pk, week=week)
    audit_request(
        request,
        action=AuditAction.LIST,
        object_type="booking_form",
        object_id=f"{program.pk}/{week}",
        detail={"patients": list(patients.values_list("pk", flat=True))},
    )
    context = {
        "program": program,
        "week": week,
        "enrol_form": enrol_form,
        "appointment_form": appointment_form,
    }
    status = 400 if which and (enrol_form.errors or appointment_form.errors) else 200
    return render(request, "schedule/book.html", context, status=status)


# -- calendar feeds --------------------------------------------------------------------------


def _feed_action(request, *, feed, create, back):
    try:
        return _feed_action_run(request, feed=feed, create=create, back=back)
    except AccessDenied:  # audited by the service
        return render(request, "core/denied.html", status=403)


def _feed_action_run(request, *, feed, create, back):
    action = request.POST.get("action", "")
    address = client_address_of(request)
    if action == "create":
        create(address)
        messages.success(request, "A new calendar link is ready; any older link stopped working.")
    elif action == "revoke" and feed is not None:
        feeds.feed_revoke(actor=request.user, feed=feed, client_address=address)
        messages.success(request, "The calendar link no longer works.")
    elif action == "details" and feed is not None:
        show = request.POST.get("show_details") == "1"
        feeds.feed_details_set(
            actor=request.user, feed=feed, show_details=show, client_address=address
        )
        messages.success(
            request,
            "Session details will show in the calendar."
            if show
            else "The calendar shows only “Stepwell session”.",
        )
    return redirect(back)


@login_required
@require_POST
def patient_feed(request, patient_id: int):
    user = request.user
    patient = Patient.objects.filter(pk=patient_id).first()
    if patient is None or not access.access_patient_feed_manage(user, patient):
        return _denied(
            request,
            object_type="calendar_feed",
            object_id=f"patient:{patient_id}",
            patient_id=patient.pk if patient else None,
            action=AuditAction.UPDATE,
        )
    return _feed_action(
        request,
        feed=selectors.feeds_of(patient=patient).first(),
        create=lambda address: feeds.feed_create(
            actor=user, patient=patient, client_address=address
        ),
        back=reverse("schedule:patient_week_current", args=[patient.pk]),
    )


@login_required
@require_POST
def staff_feed(request, user_id: int):
    user = request.user
    staff = User.objects.filter(pk=user_id, kind=UserKind.STAFF).first()
    if staff is None or not access.access_staff_feed_revoke(user, staff):
        return _denied(
            request,
            object_type="calendar_feed",
            object_id=f"staff:{user_id}",
            action=AuditAction.UPDATE,
        )
    return _feed_action(
        request,
        feed=selectors.feeds_of(staff=staff).first(),
        create=lambda address: feeds.feed_create(actor=user, staff=staff, client_address=address),
        back=reverse("schedule:staff_week_current", args=[staff.pk]),
    )


def feed(request, token: str):
    """The .ics itself: no login, the token is the secret; revoked or unknown is 404."""
    found = feeds.feed_for_token(token)
    if found is None:
        raise Http404
    body = feeds.feed_ics(found, client_address=client_address_of(request))
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Cache-Control"] = "private, no-store"
    response["Content-Disposition"] = 'inline; filename="stepwell.ics"'
    return response


@login_required
@require_http_methods(["GET", "POST"])
def occurrence_cancel(request, occurrence_id: int):
    """Cancel one meeting of a group; the bookings stay so the patients can be told."""
    occurrence = (
        SessionOccurrence.objects.select_related("program").filter(pk=occurrence_id).first()
    )
    if occurrence is None or not access.access_program_schedule_manage(
        request.user, occurrence.program
    ):
        return _denied(
            request, object_type="occurrence", object_id=occurrence_id, action=AuditAction.UPDATE
        )
    error = None
    if request.method == "POST":
        try:
            services.occurrence_cancel(
                actor=request.user,
                occurrence_id=occurrence.pk,
                reason=request.POST.get("reason", ""),
                client_address=client_address_of(request),
            )
        except ApplicationError as refusal:
            error = refusal.field_errors.get("reason") or refusal.message
        else:
            messages.success(
                request, f"{occurrence.title} cancelled; its seats, room and staff time are free."
            )
            local = utc_to_local(occurrence.program.timezone, occurrence.starts_at)
            return redirect(
                "schedule:program_week",
                program_id=occurrence.program_id,
                week=iso_week_of(local.date()),
            )
    patients = [e.patient for e in occurrence.enrollments.select_related("patient")]
    return render(
        request,
        "schedule/cancel.html",
        {
            "occurrence": occurrence,
            "patients": patients,
            "error": error,
            "local_start": utc_to_local(occurrence.program.timezone, occurrence.starts_at),
        },
    )
