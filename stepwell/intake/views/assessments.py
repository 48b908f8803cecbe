"""The intake assessment page: draft form with field errors, diagnoses, history, availability,
signing and addenda."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from stepwell.core.forms import form_call
from stepwell.privacy.audit import AuditAction, audit_request

from .. import selectors, services
from ..diagnosis_codes import code_set
from ..forms import (
    ActionForm,
    AddendumForm,
    AssessmentForm,
    AvailabilityWindowForm,
    DiagnosisForm,
    PreviousTreatmentForm,
)


def _assessment(request, assessment_id: int, action=AuditAction.VIEW):
    return selectors.assessment_record(
        user=request.user, assessment_id=assessment_id, action=action
    )


def _page(request, assessment, *, form=None, status=200, **forms):
    page = selectors.assessment_page(user=request.user, assessment=assessment)
    context = {
        "assessment": assessment,
        "patient": assessment.patient,
        "form": form or AssessmentForm(instance=assessment),
        "can_write": page.can_write,
        "can_sign": page.can_sign,
        "can_addend": page.can_addend,
        "can_edit_availability": page.can_edit_availability,
        "diagnosis_form": forms.get("diagnosis_form") or DiagnosisForm(),
        "treatment_form": forms.get("treatment_form") or PreviousTreatmentForm(),
        "window_form": forms.get("window_form") or AvailabilityWindowForm(),
        "addendum_form": forms.get("addendum_form") or AddendumForm(),
        "sign_errors": forms.get("sign_errors"),
        "windows": page.windows,
        "diagnosis_rows": page.diagnosis_rows,
        "code_set": code_set(),
        "decisions": page.decisions,
    }
    template = "intake/assessment.html"
    partial = forms.get("partial")
    if request.htmx and partial:
        template = f"intake/assessment.html#{partial}"
    return render(request, template, context, status=status)


@login_required
@require_POST
def assessment_start(request, episode_id: int):
    """Open (or reopen) the draft; a closed episode's refusal is the middleware's 400 page."""
    assessment = services.assessment_start(actor=request.user, episode_id=episode_id)
    return redirect("intake:assessment", assessment_id=assessment.pk)


@login_required
def assessment_detail(request, assessment_id: int):
    action = AuditAction.UPDATE if request.method == "POST" else AuditAction.VIEW
    assessment = _assessment(request, assessment_id, action)
    if request.method != "POST":
        audit_request(
            request,
            action=AuditAction.VIEW,
            patient_id=assessment.patient_id,
            object_type="intake_assessment",
            object_id=assessment.pk,
        )
        return _page(request, assessment)
    form = AssessmentForm(request.POST, instance=selectors.assessment_form_instance(assessment))
    if form.is_valid() and form_call(
        form,
        services.assessment_update,
        actor=request.user,
        assessment_id=assessment.pk,
        data={name: form.cleaned_data[name] for name in services.ASSESSMENT_FIELDS},
    ):
        messages.success(request, "Draft saved.")
        return redirect("intake:assessment", assessment_id=assessment.pk)
    return _page(request, assessment, form=form, status=400)


def _post_action(request, assessment_id, run, *, form_class=None, form_key="", partial="", ok=""):
    """Validate a small form (or none: a button), call the service, and re-render the section
    (htmx) or redirect. A rule's refusal is shown on the form, or for a button at the top."""
    assessment = _assessment(request, assessment_id, AuditAction.UPDATE)
    form = (form_class or ActionForm)(request.POST)
    if form.is_valid():
        form_call(form, run, assessment=assessment, **form.cleaned_data)
    if not form.errors:  # valid, and the service did not refuse (a removal returns None)
        if ok:
            messages.success(request, ok)
        if request.htmx and partial:
            assessment.refresh_from_db()
            return _page(request, assessment, partial=partial)
        return redirect("intake:assessment", assessment_id=assessment.pk)
    if form_class is None:
        return _page(
            request, assessment, sign_errors=form.service_error, status=400, partial=partial
        )
    return _page(request, assessment, status=400, partial=partial, **{form_key: form})


@login_required
@require_POST
def diagnosis_add(request, assessment_id: int):
    return _post_action(
        request,
        assessment_id,
        lambda assessment, **data: services.assessment_diagnosis_add(
            actor=request.user, assessment_id=assessment.pk, **data
        ),
        form_class=DiagnosisForm,
        form_key="diagnosis_form",
        partial="diagnoses",
    )


@login_required
@require_POST
def diagnosis_remove(request, assessment_id: int, diagnosis_id: int):
    return _post_action(
        request,
        assessment_id,
        lambda assessment: services.assessment_diagnosis_remove(
            actor=request.user, assessment_id=assessment.pk, diagnosis_id=diagnosis_id
        ),
        partial="diagnoses",
    )


@login_required
@require_POST
def previous_treatment_add(request, assessment_id: int):
    return _post_action(
        request,
        assessment_id,
        lambda assessment, **data: services.previous_treatment_add(
            actor=request.user, assessment_id=assessment.pk, **data
        ),
        form_class=PreviousTreatmentForm,
        form_key="treatment_form",
        partial="history",
    )


@login_required
@require_POST
def previous_treatment_remove(request, assessment_id: int, treatment_id: int):
    return _post_action(
        request,
        assessment_id,
        lambda assessment: services.previous_treatment_remove(
            actor=request.user, assessment_id=assessment.pk, treatment_id=treatment_id
        ),
        partial="history",
    )


@login_required
@require_POST
def window_add(request, assessment_id: int):
    return _post_action(
        request,
        assessment_id,
        lambda assessment, **data: services.availability_window_add(
            actor=request.user, patient_id=assessment.patient_id, **data
        ),
        form_class=AvailabilityWindowForm,
        form_key="window_form",
        partial="availability",
    )


@login_required
@require_POST
def window_remove(request, assessment_id: int, window_id: int):
    return _post_action(
        request,
        assessment_id,
        lambda assessment: services.availability_window_remove(
            actor=request.user, patient_id=assessment.patient_id, window_id=window_id
        ),
        partial="availability",
    )


@login_required
@require_POST
def assessment_sign(request, assessment_id: int):
    return _post_action(
        request,
        assessment_id,
        lambda assessment: services.assessment_sign(
            actor=request.user, assessment_id=assessment.pk
        ),
        ok="Assessment signed. It can no longer be edited; add an addendum for corrections.",
    )


@login_required
@require_POST
def addendum_add(request, assessment_id: int):
    return _post_action(
        request,
        assessment_id,
        lambda assessment, **data: services.assessment_addendum_add(
            actor=request.user, assessment_id=assessment.pk, **data
        ),
        form_class=AddendumForm,
        form_key="addendum_form",
        ok="Addendum added.",
    )


@login_required
@require_GET
def diagnosis_codes(request):
    """Search the shipped ICD-10-CM codes (no patient data); staff only."""
    query = request.GET.get("q", "") or request.GET.get("code", "")
    codes = selectors.diagnosis_codes_found(user=request.user, query=query)
    return render(request, "intake/diagnosis_codes.html", {"codes": codes, "q": query})
