"""The patient's weekly availability, kept by the patient (portal) or their care staff.

Access is decided by the selector and services called here; a refusal is answered by
core.middleware.RefusalMiddleware (audited 403).
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from stepwell.core.forms import form_call
from stepwell.privacy.audit import AuditAction, audit_request

from .. import selectors, services
from ..forms import AvailabilityWindowForm


@login_required
@require_http_methods(["GET", "POST"])
def availability(request, patient_id: int):
    posted = request.method == "POST"
    page = selectors.availability_of(
        user=request.user,
        patient_id=patient_id,
        action=AuditAction.UPDATE if posted else AuditAction.VIEW,
    )
    form = AvailabilityWindowForm(request.POST or None)
    if posted and form.is_valid():
        added = form_call(
            form,
            services.availability_window_add,
            actor=request.user,
            patient_id=page.patient.pk,
            **form.cleaned_data,
        )
        if added is not None:
            messages.success(request, "Availability saved. The next schedule will use it.")
            return redirect("intake:availability", patient_id=page.patient.pk)
    if not posted:
        audit_request(
            request,
            action=AuditAction.VIEW,
            patient_id=page.patient.pk,
            object_type="availability",
            object_id=page.patient.pk,
        )
    return render(
        request,
        "intake/availability.html",
        {"patient": page.patient, "form": form, "windows": page.windows, "own": page.own},
    )


@login_required
@require_POST
def availability_remove(request, patient_id: int, window_id: int):
    """Remove a window; a window that is not there is the middleware's 400 page."""
    services.availability_window_remove(
        actor=request.user, patient_id=patient_id, window_id=window_id
    )
    messages.success(request, "Window removed.")
    return redirect("intake:availability", patient_id=patient_id)
