"""Program calendar pages: week views, optimizer runs, manual bookings and calendar feeds.

Each view parses its input (a form, or the typed address), calls the selector or service
that decides access and writes the audit trail, and renders. A refusal is the audited 403
page and a rule's refusal no form shows is a 400 page, both from
core.middleware.RefusalMiddleware.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from stepwell.core.errors import ApplicationError
from stepwell.core.forms import form_call
from stepwell.schedule.booking import feeds
from stepwell.schedule.booking import selectors as booking_selectors
from stepwell.schedule.booking import services as booking_services
from stepwell.schedule.booking.week_items import by_day, by_room, by_staff
from stepwell.schedule.calendar import selectors as calendar_selectors
from stepwell.schedule.calendar import services as calendar_services
from stepwell.schedule.calendar.weeks import local_to_utc
from stepwell.schedule.forms import (
    AppointmentForm,
    EnrollmentForm,
    FeedActionForm,
    OccurrenceCancelForm,
    PlanAcceptForm,
    PlanRunForm,
)
from stepwell.schedule.models import PlanRunMode
from stepwell.schedule.planning import selectors as planning_selectors
from stepwell.schedule.planning import services as planning_services

VIEWS = {"day": "By day", "room": "By room", "staff": "By staff"}


# -- week views ------------------------------------------------------------------------------


@login_required
def home(request):
    target = booking_selectors.schedule_home(user=request.user)
    if target.patient_id is not None:
        return redirect("schedule:patient_week_current", patient_id=target.patient_id)
    if target.program_id is None:
        return render(request, "schedule/home.html", {"programs": []})
    return redirect("schedule:program_week_current", program_id=target.program_id)


@login_required
def program_week_current(request, program_id: int):
    week = booking_selectors.program_week_default(user=request.user, program_id=program_id)
    return redirect("schedule:program_week", program_id=program_id, week=week)


@login_required
def program_week(request, program_id: int, week: str):
    page = booking_selectors.program_week_read(user=request.user, program_id=program_id, week=week)
    by = request.GET.get("by", "day")
    by = by if by in VIEWS else "day"
    groups = {
        "day": lambda: by_day(page.items, page.week),
        "room": lambda: by_room(page.items),
        "staff": lambda: by_staff(page.items),
    }[by]()
    previous_week, next_week = calendar_selectors.week_neighbours(page.week)
    context = {
        "program": page.program,
        "programs": page.programs,
        "week": page.week,
        "this_week": page.this_week,
        "previous_week": previous_week,
        "next_week": next_week,
        "monday": page.monday,
        "by": by,
        "views": VIEWS,
        "groups": groups,
        "show_patients": True,
        "links": booking_selectors.session_links(user=request.user, items=page.items),
        "can_manage": page.can_manage,
        "runs": page.runs,
        "fit_candidates": page.fit_candidates,
        "run_modes": PlanRunMode.choices,
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
    if week is None:
        week = booking_selectors.patient_week_default(user=user, patient_id=patient_id)
        return redirect("schedule:patient_week", patient_id=patient_id, week=week)
    page = booking_selectors.patient_week_read(user=user, patient_id=patient_id, week=week)
    previous_week, next_week = calendar_selectors.week_neighbours(page.week)
    context = {
        "patient": page.patient,
        "week": page.week,
        "previous_week": previous_week,
        "next_week": next_week,
        "groups": by_day(page.items, page.week),
        "minutes": sum(item.minutes for item in page.items),
        "episode": page.episode,
        "links": booking_selectors.session_links(user=user, items=page.items),
        "windows": page.windows,
        "can_feed": page.can_feed,
        "can_book": page.can_book,
        **_feed_context(request, page.feed),
    }
    return render(request, "schedule/patient_week.html", context)


@login_required
def staff_week(request, user_id: int, week: str | None = None):
    user = request.user
    if week is None:
        week = booking_selectors.staff_week_default(user=user, staff_id=user_id)
        return redirect("schedule:staff_week", user_id=user_id, week=week)
    page = booking_selectors.staff_week_read(user=user, staff_id=user_id, week=week)
    previous_week, next_week = calendar_selectors.week_neighbours(page.week)
    context = {
        "staff": page.staff,
        "week": page.week,
        "previous_week": previous_week,
        "next_week": next_week,
        "groups": by_day(page.items, page.week),
        "minutes": sum(item.minutes for item in page.items),
        "can_feed": page.can_feed,
        "links": booking_selectors.session_links(user=user, items=page.items),
        **_feed_context(request, page.feed, manage=page.feed_manage),
    }
    return render(request, "schedule/staff_week.html", context)


# -- optimizer runs ------------------------------------------------------------------------


@login_required
@require_POST
def run_start(request, program_id: int, week: str):
    """Start a run; without a `mode` (the plain button) it keeps everyone's bookings."""
    form = PlanRunForm(request.POST or {"mode": PlanRunMode.KEEP})
    run = None
    if form.is_valid():
        run = form_call(
            form,
            planning_services.plan_run_start,
            actor=request.user,
            program_id=program_id,
            week=week,
            mode=form.cleaned_data["mode"],
            patient_ids=form.cleaned_data["patients"],
        )
    error = getattr(form, "service_error", None)
    if error is not None and not set(error.field_errors) & set(form.fields):
        raise error  # about the address (the week): the 400 page, as for any page
    if run is None:
        errors = [*form.non_field_errors()]
        errors += [f"{form.fields[name].label}: {' '.join(e)}" for name, e in _field_errors(form)]
        messages.error(request, "The optimizer was not started. " + " ".join(errors))
        return redirect("schedule:program_week", program_id=program_id, week=week)
    return redirect("schedule:run", run_id=run.pk)


def _field_errors(form) -> list[tuple[str, list[str]]]:
    return [(name, errors) for name, errors in form.errors.items() if name in form.fields]


@login_required
def run_detail(request, run_id: int):
    page = planning_selectors.plan_run_read(user=request.user, run_id=run_id)
    context = {"run": page.run, "finished": page.finished, "results": page.results}
    template = "schedule/run.html#run-body" if request.htmx else "schedule/run.html"
    return render(request, template, context)


@login_required
@require_POST
def run_accept(request, run_id: int):
    form = PlanAcceptForm(request.POST)
    form.is_valid()
    run = form_call(
        form,
        planning_services.plan_accept,
        actor=request.user,
        run_id=run_id,
        confirm=form.cleaned_data.get("confirm", False),
    )
    if run is None:
        reason = " ".join([*form.non_field_errors(), *form.errors.get("confirm", [])])
        messages.error(request, f"The plan was not accepted: {reason}")
        return redirect("schedule:run", run_id=run_id)
    messages.success(request, f"{run.program} {run.week} is booked. {run.message}")
    return redirect("schedule:program_week", program_id=run.program_id, week=run.week)


# -- manual bookings -----------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def book(request, program_id: int, week: str):
    user = request.user
    choices = booking_selectors.booking_choices(user=user, program_id=program_id, week=week)
    program, week = choices.program, choices.week
    which = request.POST.get("form") if request.method == "POST" else None
    initial_patient = {"patient": request.GET.get("patient")} if request.GET.get("patient") else {}
    enrol_form = EnrollmentForm(
        request.POST if which == "enrol" else None,
        patients=choices.patients,
        occurrences=choices.occurrences,
        zone=program.timezone,
        initial=initial_patient,
    )
    appointment_form = AppointmentForm(
        request.POST if which == "appointment" else None,
        patients=choices.patients,
        staff=choices.staff,
        initial={**initial_patient, "day": choices.monday},
    )
    if which == "enrol" and enrol_form.is_valid():
        data = enrol_form.cleaned_data
        booked = form_call(
            enrol_form,
            booking_services.enrollment_book,
            actor=user,
            occurrence_id=data["occurrence"].pk,
            patient_id=data["patient"].pk,
        )
        if booked is not None:
            messages.success(
                request, f"{data['patient'].display_name} booked into {data['occurrence'].title}."
            )
            return redirect("schedule:book", program_id=program.pk, week=week)
    if which == "appointment" and appointment_form.is_valid():
        data = appointment_form.cleaned_data
        booked = form_call(
            appointment_form,
            booking_services.appointment_book,
            actor=user,
            patient_id=data["patient"].pk,
            staff_id=data["staff"].pk,
            program_id=program.pk,
            kind=data["kind"],
            starts_at=local_to_utc(program.timezone, data["day"], data["starts_at"]),
            minutes=data["minutes"],
        )
        if booked is not None:
            messages.success(request, f"Appointment booked for {data['patient'].display_name}.")
            return redirect("schedule:book", program_id=program.pk, week=week)
    context = {
        "program": program,
        "week": week,
        "enrol_form": enrol_form,
        "appointment_form": appointment_form,
        "staff_hours": choices.staff_hours,
    }
    status = 400 if which and (enrol_form.errors or appointment_form.errors) else 200
    return render(request, "schedule/book.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def occurrence_cancel(request, occurrence_id: int):
    """Cancel one meeting of a group; the bookings stay so the patients can be told."""
    page = calendar_selectors.occurrence_cancel_read(user=request.user, occurrence_id=occurrence_id)
    occurrence = page.occurrence
    form = OccurrenceCancelForm(request.POST if request.method == "POST" else None)
    if form.is_valid() and form_call(
        form,
        calendar_services.occurrence_cancel,
        actor=request.user,
        occurrence_id=occurrence.pk,
        reason=form.cleaned_data["reason"],
    ):
        messages.success(
            request, f"{occurrence.title} cancelled; its seats, room and staff time are free."
        )
        return redirect("schedule:program_week", program_id=occurrence.program_id, week=page.week)
    context = {
        "occurrence": occurrence,
        "patients": page.patients,
        "form": form,
        "local_start": page.local_start,
    }
    return render(request, "schedule/cancel.html", context)


# -- calendar feeds --------------------------------------------------------------------------


def _feed_change(request, *, patient_id: int | None = None, staff_id: int | None = None):
    """The feed box's buttons. Who may not change this feed at all is refused before the
    input is read; each service then checks its own action."""
    user, owner = request.user, {"patient_id": patient_id, "staff_id": staff_id}
    feeds.feed_owner_check(actor=user, **owner)
    form = FeedActionForm(request.POST)
    if not form.is_valid():
        raise ApplicationError(
            "Choose what to do with the calendar feed.",
            field_errors={name: " ".join(errors) for name, errors in form.errors.items()},
        )
    action = form.cleaned_data["action"]
    if action == "create":
        feeds.feed_create(actor=user, **owner)
        messages.success(request, "A new calendar link is ready; any older link stopped working.")
    elif action == "revoke":
        feeds.feed_revoke(actor=user, **owner)
        messages.success(request, "The calendar link no longer works.")
    else:
        show = form.cleaned_data["show_details"]
        feeds.feed_details_set(actor=user, show_details=show, **owner)
        messages.success(
            request,
            "Session details will show in the calendar."
            if show
            else "The calendar shows only “Stepwell session”.",
        )


@login_required
@require_POST
def patient_feed(request, patient_id: int):
    _feed_change(request, patient_id=patient_id)
    return redirect("schedule:patient_week_current", patient_id=patient_id)


@login_required
@require_POST
def staff_feed(request, user_id: int):
    _feed_change(request, staff_id=user_id)
    return redirect("schedule:staff_week_current", user_id=user_id)


def feed(request, token: str):
    """The .ics itself: no login, the token is the secret; revoked or unknown is a 404,
    audited as denied."""
    found = feeds.feed_open(actor=request.user, token=token)
    if found is None:
        raise Http404
    response = HttpResponse(feeds.feed_ics(found), content_type="text/calendar; charset=utf-8")
    response["Cache-Control"] = "private, no-store"
    response["Content-Disposition"] = 'inline; filename="stepwell.ics"'
    return response
