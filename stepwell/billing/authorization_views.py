"""Authorization and utilization review pages: a patient's authorizations (the patient's
billing view), recording and correcting one, scheduling a review and recording its
outcome, the program's review worklist, and eligibility checks on a coverage. Each view
calls one selector or service of billing; access is decided there."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from stepwell.core.forms import form_call
from stepwell.core.paging import without_page
from stepwell.discharge.pdf import pdf_response
from stepwell.schedule.calendar.weeks import utc_to_local

from . import services
from .forms import (
    AuthorizationForm,
    AuthorizationNewForm,
    EligibilityForm,
    ReviewOutcomeForm,
    ReviewScheduleForm,
)
from .selectors import authorizations as reads
from .selectors.coverages import coverage_for_edit
from .selectors.ur_summary import ur_summary


@login_required
@require_GET
def patient_authorizations(request, patient_id: int):
    page = reads.patient_authorizations(
        user=request.user, patient_id=patient_id, page_number=request.GET.get("page")
    )
    context = {"page": page, "patient": page.patient, "base_query": without_page(request.GET)}
    return render(request, "billing/authorizations.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def authorization_new(request, patient_id: int):
    choices = reads.authorization_new_choices(user=request.user, patient_id=patient_id)
    form = AuthorizationNewForm(
        request.POST or None,
        programs=choices.programs,
        payers=choices.payers,
        initial={"units_approved": 0},
    )
    if request.method == "POST" and form.is_valid():
        made = form_call(
            form,
            services.authorization_create,
            actor=request.user,
            patient_id=choices.patient.pk,
            **form.service_kwargs(),
        )
        if made is not None:
            messages.success(request, f"Authorization {made} recorded.")
            return redirect("billing:authorization", authorization_id=made.pk)
    return render(
        request,
        "billing/authorization_form.html",
        {"patient": choices.patient, "form": form, "authorization": None},
        status=400 if request.method == "POST" else 200,
    )


def _authorization_page(request, authorization, form, schedule_form, status=200):
    return render(
        request,
        "billing/authorization_form.html",
        {
            "patient": authorization.patient,
            "authorization": authorization,
            "reviews": list(authorization.reviews.all()),
            "form": form,
            "schedule_form": schedule_form or ReviewScheduleForm(),
        },
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def authorization_edit(request, authorization_id: int):
    authorization = reads.authorization_detail(user=request.user, authorization_id=authorization_id)
    form = AuthorizationForm(
        request.POST or None, initial=AuthorizationForm.initial_of(authorization)
    )
    if request.method == "POST" and form.is_valid():
        saved = form_call(
            form,
            services.authorization_update,
            actor=request.user,
            authorization_id=authorization.pk,
            **form.cleaned_data,
        )
        if saved is not None:
            messages.success(request, f"Authorization {saved} saved.")
            return redirect("billing:authorization", authorization_id=saved.pk)
    status = 400 if request.method == "POST" else 200
    return _authorization_page(request, authorization, form, None, status)


@login_required
@require_POST
def review_schedule(request, authorization_id: int):
    authorization = reads.authorization_detail(user=request.user, authorization_id=authorization_id)
    form = ReviewScheduleForm(request.POST)
    if form.is_valid():
        review = form_call(
            form,
            services.review_schedule,
            actor=request.user,
            authorization_id=authorization.pk,
            **form.cleaned_data,
        )
        if review is not None:
            messages.success(request, f"Review scheduled on {review.due_on:%Y-%m-%d}.")
            return redirect("billing:authorization", authorization_id=authorization.pk)
    edit = AuthorizationForm(initial=AuthorizationForm.initial_of(authorization))
    return _authorization_page(request, authorization, edit, form, 400)


@login_required
@require_http_methods(["GET", "POST"])
def review_outcome(request, review_id: int):
    review = reads.review_detail(user=request.user, review_id=review_id)
    form = ReviewOutcomeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        saved = form_call(
            form,
            services.review_outcome_record,
            actor=request.user,
            review_id=review.pk,
            **form.cleaned_data,
        )
        if saved is not None:
            messages.success(request, f"Outcome recorded: {saved.get_outcome_display()}.")
            return redirect("billing:authorization", authorization_id=review.authorization_id)
    return render(
        request,
        "billing/review_form.html",
        {"review": review, "authorization": review.authorization, "form": form},
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_GET
def review_worklist(request, program_id: int):
    program = reads.billing_program(user=request.user, program_id=program_id)
    today = utc_to_local(program.timezone, timezone.now()).date()
    page = reads.review_worklist(
        user=request.user, program_id=program.pk, today=today, page_number=request.GET.get("page")
    )
    context = {"page": page, "program": page.program, "base_query": without_page(request.GET)}
    return render(request, "billing/reviews.html", context)


@login_required
@require_POST
def eligibility_record(request, coverage_id: int):
    coverage = coverage_for_edit(user=request.user, coverage_id=coverage_id)
    form = EligibilityForm(request.POST)
    if form.is_valid():
        check = form_call(
            form,
            services.eligibility_check_record,
            actor=request.user,
            coverage_id=coverage.pk,
            **form.cleaned_data,
        )
        if check is not None:
            messages.success(request, f"Eligibility check recorded: {check}.")
            return redirect("billing:patient_coverages", patient_id=coverage.patient_id)
    return render(
        request,
        "billing/eligibility_form.html",
        {"coverage": coverage, "patient": coverage.patient, "form": form},
        status=400,
    )


@login_required
@require_GET
def review_summary(request, review_id: int):
    summary = ur_summary(user=request.user, review_id=review_id)
    return render(request, "billing/ur_summary.html", {"summary": summary})


@login_required
@require_GET
def review_summary_pdf(request, review_id: int):
    summary = ur_summary(user=request.user, review_id=review_id, pdf=True)
    return pdf_response(
        request,
        "billing/ur_summary_pdf.html",
        {"summary": summary},
        filename=f"ur-summary-{summary.review.pk}.pdf",
    )
