"""The patient's weekly availability, kept by the patient (portal) or their care staff."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from stepwell.core.errors import AccessDenied, ApplicationError
from stepwell.core.forms import form_add_service_errors
from stepwell.patients.models import Patient
from stepwell.privacy.audit import AuditAction, audit_request, client_address_of
from stepwell.privacy.refusals import page_denied

from .. import access, services
from ..forms import AvailabilityWindowForm


def _patient_or_none(user, patient_id: int) -> Patient | None:
    patient = Patient.objects.filter(pk=patient_id).first()
    if patient is None or not access.access_availability_edit(user, patient):
        return None
    return patient


@login_required
@require_http_methods(["GET", "POST"])
def availability(request, patient_id: int):
    patient = _patient_or_none(request.user, patient_id)
    if patient is None:
        return page_denied(
            request, object_type="availability", object_id=patient_id, patient_id=patient_id
        )
    form = AvailabilityWindowForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.availability_window_add(
                actor=request.user,
                patient_id=patient.pk,
                client_address=client_address_of(request),
                **form.cleaned_data,
            )
        except AccessDenied:
            return page_denied(
                request,
                object_type="availability",
                object_id=patient_id,
                patient_id=patient.pk,
                action=AuditAction.UPDATE,
            )
        except ApplicationError as error:
            form_add_service_errors(form, error)
        else:
            messages.success(request, "Availability saved. The next schedule will use it.")
            return redirect("intake:availability", patient_id=patient.pk)
    else:
        audit_request(
            request,
            action=AuditAction.VIEW,
            patient_id=patient.pk,
            object_type="availability",
            object_id=patient.pk,
        )
    return render(
        request,
        "intake/availability.html",
        {
            "patient": patient,
            "form": form,
            "windows": patient.availability_windows.all(),
            "own": request.user.is_patient_user,
        },
    )


@login_required
@require_POST
def availability_remove(request, patient_id: int, window_id: int):
    patient = _patient_or_none(request.user, patient_id)
    if patient is None:
        return page_denied(
            request,
            object_type="availability",
            object_id=patient_id,
            patient_id=patient_id,
            action=AuditAction.UPDATE,
        )
    try:
        services.availability_window_remove(
            actor=request.user,
            patient_id=patient.pk,
            window_id=window_id,
            client_address=client_address_of(request),
        )
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, "Window removed.")
    return redirect("intake:availability", patient_id=patient.pk)
