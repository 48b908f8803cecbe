"""The alumni pages: the alumnus's own portal page, and the staff pages that run a
program's alumni community. Access is decided by the services and selectors."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from stepwell.core.forms import form_call, message_call
from stepwell.core.paging import without_page

from . import selectors, services
from .forms import (
    AttendanceForm,
    EndPairingForm,
    EventForm,
    MentorForm,
    PairingForm,
    ReasonForm,
    RsvpForm,
    StaffOptOutForm,
)

# --- the alumnus's portal ------------------------------------------------------------------


@login_required
def portal_home(request):
    page = selectors.alumni_portal(user=request.user, now=timezone.now())
    return render(request, "alumni/portal_home.html", {"page": page, "rsvp_form": RsvpForm()})


@login_required
@require_POST
def portal_rsvp(request, meeting_id: int):
    form = RsvpForm(request.POST)
    if form.is_valid():
        done = message_call(
            request,
            services.alumni_rsvp_set,
            actor=request.user,
            meeting_id=meeting_id,
            answer=form.cleaned_data["answer"],
            now=timezone.now(),
        )
        if done:
            messages.success(request, "Thanks, your answer is saved.")
    else:
        messages.error(request, "Choose yes, maybe or no.")
    return redirect("alumni:portal-home")


@login_required
@require_http_methods(["GET", "POST"])
def portal_mentor(request):
    page = selectors.alumni_portal(user=request.user, now=timezone.now())
    form = MentorForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        mentor = form_call(
            form,
            services.peer_mentor_volunteer,
            actor=request.user,
            about=form.cleaned_data["about"],
            now=timezone.now(),
        )
        if mentor:
            messages.success(request, "Thank you. Staff will be in touch about mentoring.")
            return redirect("alumni:portal-home")
    return render(
        request,
        "alumni/portal_mentor.html",
        {"page": page, "form": form},
        status=400 if form.errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def portal_leave(request):
    page = selectors.alumni_portal(user=request.user, now=timezone.now())
    form = ReasonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        choice = form_call(
            form,
            services.alumni_opt_out_self,
            actor=request.user,
            reason=form.cleaned_data["reason"],
            now=timezone.now(),
        )
        if choice:
            logout(request)
            return render(request, "alumni/portal_left.html")
    return render(request, "alumni/portal_leave.html", {"page": page, "form": form})


# --- staff ---------------------------------------------------------------------------------


@login_required
def staff_home(request):
    programs = selectors.alumni_staff_programs(user=request.user)
    if len(programs) == 1:
        return redirect("alumni:program", program_id=programs[0].pk)
    return render(request, "alumni/staff_home.html", {"programs": programs})


def _program_page(request, program_id, *, event_form=None, pairing_form=None, status=200):
    page = selectors.alumni_program_page(
        user=request.user,
        program_id=program_id,
        now=timezone.now(),
        page_number=request.GET.get("page"),
    )
    return render(
        request,
        "alumni/program.html",
        {
            "page": page,
            "base_query": without_page(request.GET),
            "event_form": event_form or EventForm(),
            "pairing_form": pairing_form or PairingForm(patients=page.menteeable),
        },
        status=status,
    )


@login_required
def program(request, program_id: int):
    return _program_page(request, program_id)


@login_required
@require_POST
def event_new(request, program_id: int):
    form = EventForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        event = form_call(
            form,
            services.alumni_event_create,
            actor=request.user,
            program_id=program_id,
            title=data["title"],
            description=data["description"],
            format=data["format"],
            place=data["place"],
            video_url=data["video_url"],
            recurrence=data["recurrence"],
            first_day=data["first_day"],
            start_time=data["start_time"],
            duration_minutes=data["duration_minutes"],
            repeats_until=data["repeats_until"],
            now=timezone.now(),
        )
        if event:
            messages.success(request, f"“{event.title}” is on the alumni calendar.")
            return redirect("alumni:program", program_id=program_id)
    return _program_page(request, program_id, event_form=form, status=400)


@login_required
@require_POST
def pairing_new(request, program_id: int):
    page = selectors.alumni_program_page(
        user=request.user, program_id=program_id, now=timezone.now()
    )
    form = PairingForm(request.POST, patients=page.menteeable)
    if form.is_valid():
        data = form.cleaned_data
        pairing = form_call(
            form,
            services.mentor_pair,
            actor=request.user,
            mentor_id=data["mentor"],
            patient_id=data["patient"],
            patient_agreed_on=data["patient_agreed_on"],
            agreed_how=data["agreed_how"],
            now=timezone.now(),
        )
        if pairing:
            messages.success(request, "The mentor and the patient are paired.")
            return redirect("alumni:program", program_id=program_id)
    return _program_page(request, program_id, pairing_form=form, status=400)


@login_required
@require_http_methods(["GET", "POST"])
def meeting(request, meeting_id: int):
    """A meeting's attendance, 50 alumni a page: the form records the page's alumni (a
    checked box present, the others absent), and saving comes back to the same page."""
    page = selectors.alumni_meeting_page(
        user=request.user, meeting_id=meeting_id, page_number=request.GET.get("page")
    )
    patients = [row.patient for row in page.rows]
    initial = {f"present_{row.patient.pk}": bool(row.present) for row in page.rows}
    form = AttendanceForm(request.POST or None, patients=patients, initial=initial)
    if request.method == "POST" and form.is_valid():
        present, absent = form.present_and_absent()
        rows = form_call(
            form,
            services.alumni_attendance_record,
            actor=request.user,
            meeting_id=meeting_id,
            present_ids=present,
            absent_ids=absent,
            now=timezone.now(),
        )
        if rows is not None:
            messages.success(request, "Attendance saved. It is not counted as treatment.")
            return redirect(request.get_full_path())
    return render(
        request,
        "alumni/meeting.html",
        {
            "page": page,
            "pager": page.page,
            "base_query": without_page(request.GET),
            "form": form,
            "fields": list(zip(page.rows, form, strict=True)),
        },
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def meeting_cancel(request, meeting_id: int):
    meeting = message_call(
        request,
        services.alumni_meeting_cancel,
        actor=request.user,
        meeting_id=meeting_id,
        now=timezone.now(),
    )
    if meeting:
        messages.success(request, "The meeting is cancelled.")
    return redirect("alumni:meeting", meeting_id=meeting_id)


@login_required
@require_POST
def mentor_approve(request, mentor_id: int):
    mentor = message_call(
        request,
        services.peer_mentor_approve,
        actor=request.user,
        mentor_id=mentor_id,
        now=timezone.now(),
    )
    if mentor:
        messages.success(request, f"{mentor.patient.display_name} is a peer mentor.")
        return redirect("alumni:program", program_id=mentor.program_id)
    return redirect("alumni:home")


@login_required
@require_POST
def pairing_end(request, pairing_id: int):
    form = EndPairingForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Say why the pairing ends.")
        return redirect("alumni:home")
    pairing = message_call(
        request,
        services.mentor_pairing_end,
        actor=request.user,
        pairing_id=pairing_id,
        reason=form.cleaned_data["reason"],
        now=timezone.now(),
    )
    if pairing:
        messages.success(request, "The pairing has ended.")
        return redirect("alumni:program", program_id=pairing.program_id)
    return redirect("alumni:home")


@login_required
@require_POST
def alumnus_opt_out(request, patient_id: int):
    form = StaffOptOutForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    choice = message_call(
        request,
        services.alumni_opt_out_record,
        actor=request.user,
        patient_id=patient_id,
        reason=reason,
        now=timezone.now(),
    )
    if choice:
        messages.success(
            request, "Recorded: they left the alumni community; their login is closed."
        )
    return redirect("alumni:home")


@login_required
@require_POST
def alumnus_rejoin(request, patient_id: int):
    choice = message_call(
        request,
        services.alumni_rejoin_record,
        actor=request.user,
        patient_id=patient_id,
        now=timezone.now(),
    )
    if choice:
        messages.success(request, "Welcome back recorded; their portal login is open again.")
    return redirect("alumni:home")
