"""The intake assessment page: draft form with field errors, diagnoses, history, availability,
signing and addenda."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from stepwell.core.errors import AccessDenied, ApplicationError
from stepwell.core.forms import form_add_service_errors as apply_errors
from stepwell.patients.models import Episode
from stepwell.patients.selectors import episode_for_user
from stepwell.privacy.audit import AuditAction, client_address_of
from stepwell.privacy.refusals import page_denied as denied

from .. import access, selectors, services
from ..diagnosis_codes import code_set, diagnosis_code_search
from ..forms import (
    AddendumForm,
    AssessmentForm,
    AvailabilityWindowForm,
    DiagnosisForm,
    PreviousTreatmentForm,
)
from ..models import IntakeAssessment
from ._common import audit_view


def _assessment_or_denied(request, assessment_id: int, action=AuditAction.VIEW):
    assessment = selectors.assessment_for_user(user=request.user, assessment_id=assessment_id)
    if assessment is None:
        patient_id = (
            IntakeAssessment.objects.filter(pk=assessment_id)
            .values_list("patient_id", flat=True)
            .first()
        )
        return None, denied(
            request,
            object_type="intake_assessment",
            object_id=assessment_id,
            patient_id=patient_id,
            action=action,
        )
    return assessment, None


def _page(request, assessment, *, form=None, status=200, **forms):
    user = request.user
    can_write = not assessment.is_signed and access.access_assessment_write(
        user, assessment.patient
    )
    context = {
        "assessment": assessment,
        "patient": assessment.patient,
        "form": form or AssessmentForm(instance=assessment),
        "can_write": can_write,
        "can_sign": not assessment.is_signed
        and access.access_assessment_sign(user, assessment.patient),
        "can_addend": assessment.is_signed
        and access.access_assessment_sign(user, assessment.patient),
        "can_edit_availability": access.access_assessment_write(user, assessment.patient),
        "diagnosis_form": forms.get("diagnosis_form") or DiagnosisForm(),
        "treatment_form": forms.get("treatment_form") or PreviousTreatmentForm(),
        "window_form": forms.get("window_form") or AvailabilityWindowForm(),
        "addendum_form": forms.get("addendum_form") or AddendumForm(),
        "sign_errors": forms.get("sign_errors"),
        "windows": assessment.patient.availability_windows.all(),
        "diagnosis_rows": selectors.assessment_diagnosis_rows(assessment),
        "code_set": code_set(),
        "decisions": assessment.placement_decisions.select_related("decided_by"),
    }
    template = "intake/assessment.html"
    partial = forms.get("partial")
    if request.htmx and partial:
        template = f"intake/assessment.html#{partial}"
    return render(request, template, context, status=status)


@login_required
@require_POST
def assessment_start(request, episode_id: int):
    episode = episode_for_user(user=request.user, episode_id=episode_id)
    if episode is None:
        patient_id = (
            Episode.objects.filter(pk=episode_id).values_list("patient_id", flat=True).first()
        )
        return denied(
            request,
            object_type="intake_assessment",
            object_id="new",
            patient_id=patient_id,
            action=AuditAction.CREATE,
        )
    try:
        assessment = services.assessment_start(
            actor=request.user, episode_id=episode.pk, client_address=client_address_of(request)
        )
    except AccessDenied:
        return render(request, "core/denied.html", status=403)
    except ApplicationError as error:
        messages.error(request, error.message)
        return redirect("patients:chart", patient_id=episode.patient_id)
    return redirect("intake:assessment", assessment_id=assessment.pk)


@login_required
def assessment_detail(request, assessment_id: int):
    action = AuditAction.UPDATE if request.method == "POST" else AuditAction.VIEW
    assessment, refusal = _assessment_or_denied(request, assessment_id, action)
    if refusal:
        return refusal
    if request.method != "POST":
        audit_view(
            request,
            patient_id=assessment.patient_id,
            object_type="intake_assessment",
            object_id=assessment.pk,
        )
        return _page(request, assessment)
    form = AssessmentForm(request.POST, instance=IntakeAssessment.objects.get(pk=assessment.pk))
    if form.is_valid():
        data = {name: form.cleaned_data[name] for name in services.ASSESSMENT_FIELDS}
        try:
            services.assessment_update(
                actor=request.user,
                assessment_id=assessment.pk,
                data=data,
                client_address=client_address_of(request),
            )
        except AccessDenied:
            return render(request, "core/denied.html", status=403)
        except ApplicationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, "Draft saved.")
            return redirect("intake:assessment", assessment_id=assessment.pk)
    return _page(request, assessment, form=form, status=400)


def _post_action(request, assessment_id, run, *, form_class=None, form_key="", partial="", ok=""):
    """Validate a small form, call the service, and re-render the section (htmx) or redirect."""
    assessment, refusal = _assessment_or_denied(request, assessment_id, AuditAction.UPDATE)
    if refusal:
        return refusal
    form = form_class(request.POST) if form_class else None
    if form is None or form.is_valid():
        try:
            run(assessment, form.cleaned_data if form else {})
        except AccessDenied:
            return render(request, "core/denied.html", status=403)
        except ApplicationError as error:
            if form is None:
                return _page(request, assessment, sign_errors=error, status=400, partial=partial)
            apply_errors(form, error)
        else:
            if ok:
                messages.success(request, ok)
            if request.htmx and partial:
                assessment.refresh_from_db()
                return _page(request, assessment, partial=partial)
            return redirect("intake:assessment", assessment_id=assessment.pk)
    return _page(request, assessment, status=400, partial=partial, **{form_key: form})


def _client(request) -> str:
    return client_address_of(request)


@login_required
@require_POST
def diagnosis_add(request, assessment_id: int):
    return _post_action(
        request,
        assessment_id,
        lambda a, data: services.assessment_diagnosis_add(
            actor=request.user, assessment_id=a.pk, client_address=_client(request), **data
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
        lambda a, data: services.assessment_diagnosis_remove(
            actor=request.user,
            assessment_id=a.pk,
            diagnosis_id=diagnosis_id,
            client_address=_client(request),
        ),
        partial="diagnoses",
    )


@login_required
@require_POST
def previous_treatment_add(request, assessment_id: int):
    return _post_action(
        request,
        assessment_id,
        lambda a, data: services.previous_treatment_add(
            actor=request.user, assessment_id=a.pk, client_address=_client(request), **data
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
        lambda a, data: services.previous_treatment_remove(
            actor=request.user,
            assessment_id=a.pk,
            treatment_id=treatment_id,
            client_address=_client(request),
        ),
        partial="history",
    )


@login_required
@require_POST
def window_add(request, assessment_id: int):
    return _post_action(
        request,
        assessment_id,
        lambda a, data: services.availability_window_add(
            actor=request.user, patient_id=a.patient_id, client_address=_client(request), **data
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
        lambda a, data: services.availability_window_remove(
            actor=request.user,
            patient_id=a.patient_id,
            window_id=window_id,
            client_address=_client(request),
        ),
        partial="availability",
    )


@login_required
@require_POST
def assessment_sign(request, assessment_id: int):
    return _post_action(
        request,
        assessment_id,
        lambda a, data: services.assessment_sign(
            actor=request.user, assessment_id=a.pk, client_address=_client(request)
        ),
        ok="Assessment signed. It can no longer be edited; add an addendum for corrections.",
    )


@login_required
@require_POST
def addendum_add(request, assessment_id: int):
    return _post_action(
        request,
        assessment_id,
        lambda a, data: services.assessment_addendum_add(
            actor=request.user, assessment_id=a.pk, client_address=_client(request), **data
        ),
        form_class=AddendumForm,
        form_key="addendum_form",
        ok="Addendum added.",
    )


@login_required
@require_GET
def diagnosis_codes(request):
    """Search the shipped ICD-10-CM codes (no patient data)."""
    if request.user.is_patient_user:
        return render(request, "core/denied.html", status=403)
    query = request.GET.get("q", "") or request.GET.get("code", "")
    return render(
        request, "intake/diagnosis_codes.html", {"codes": diagnosis_code_search(query), "q": query}
    )
