"""A patient's coverages on the chart: listed (loaded into the chart and the details page
by htmx; a page of its own without JavaScript), added, changed, ended. Each view calls one
selector or service of billing; reads are audited here."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from stepwell.core.forms import form_call
from stepwell.privacy.audit import AuditAction, audit_request

from . import services
from .forms import CoverageEndForm, CoverageForm, EligibilityForm
from .selectors.coverages import (
    coverage_for_edit,
    coverage_patient_for_add,
    coverages_of_patient,
    payers_to_choose,
)


@login_required
@require_GET
def patient_coverages(request, patient_id: int):
    page = coverages_of_patient(user=request.user, patient_id=patient_id)
    audit_request(
        request,
        action=AuditAction.VIEW,
        patient_id=page.patient.pk,
        object_type="coverage",
        object_id=page.patient.pk,
        detail={"coverages": [c.pk for c in page.coverages]},
    )
    template = "billing/_coverages_section.html" if request.htmx else "billing/coverages.html"
    return render(request, template, {"page": page, "patient": page.patient})


@login_required
@require_http_methods(["GET", "POST"])
def coverage_add(request, patient_id: int):
    patient = coverage_patient_for_add(user=request.user, patient_id=patient_id)
    form = CoverageForm(request.POST or None, payers=payers_to_choose())
    if request.method == "POST" and form.is_valid():
        coverage = form_call(
            form,
            services.coverage_add,
            actor=request.user,
            patient_id=patient.pk,
            **form.service_kwargs(),
        )
        if coverage is not None:
            messages.success(request, f"Coverage {coverage} added.")
            return redirect("billing:patient_coverages", patient_id=patient.pk)
    return render(
        request,
        "billing/coverage_form.html",
        {"patient": patient, "form": form, "coverage": None},
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def coverage_edit(request, coverage_id: int):
    coverage = coverage_for_edit(user=request.user, coverage_id=coverage_id)
    if request.method == "GET":
        audit_request(
            request,
            action=AuditAction.VIEW,
            patient_id=coverage.patient_id,
            object_type="coverage",
            object_id=coverage.pk,
        )
    form = CoverageForm(
        request.POST or None, payers=payers_to_choose(), initial=CoverageForm.initial_of(coverage)
    )
    if request.method == "POST" and form.is_valid():
        saved = form_call(
            form,
            services.coverage_update,
            actor=request.user,
            coverage_id=coverage.pk,
            **form.service_kwargs(),
        )
        if saved is not None:
            messages.success(request, f"Coverage {saved} saved.")
            return redirect("billing:patient_coverages", patient_id=coverage.patient_id)
    return render(
        request,
        "billing/coverage_form.html",
        {
            "patient": coverage.patient,
            "form": form,
            "coverage": coverage,
            "end_form": CoverageEndForm(),
            "eligibility_form": EligibilityForm(),
        },
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_POST
def coverage_end(request, coverage_id: int):
    coverage = coverage_for_edit(user=request.user, coverage_id=coverage_id)
    form = CoverageEndForm(request.POST)
    if form.is_valid():
        ended = form_call(
            form,
            services.coverage_end,
            actor=request.user,
            coverage_id=coverage.pk,
            **form.cleaned_data,
        )
        if ended is not None:
            messages.success(request, f"Coverage {ended} ends on {ended.effective_to:%Y-%m-%d}.")
            return redirect("billing:patient_coverages", patient_id=coverage.patient_id)
    return render(
        request,
        "billing/coverage_form.html",
        {
            "patient": coverage.patient,
            "form": CoverageForm(
                payers=payers_to_choose(), initial=CoverageForm.initial_of(coverage)
            ),
            "coverage": coverage,
            "end_form": form,
        },
        status=400,
    )
