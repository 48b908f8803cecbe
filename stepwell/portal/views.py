"""The patient's own pages: a patient sees only themselves."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from stepwell.plans.models import PlanStatus
from stepwell.privacy import access
from stepwell.privacy.audit import AuditAction, AuditOutcome, audit_request


@login_required
def home(request):
    patient = access.patients_visible_to(request.user).filter(user=request.user).first()
    if patient is None:
        audit_request(
            request, action=AuditAction.VIEW, object_type="portal", outcome=AuditOutcome.DENIED
        )
        return render(request, "core/denied.html", status=403)
    audit_request(
        request,
        action=AuditAction.VIEW,
        patient_id=patient.pk,
        object_type="portal",
        object_id=patient.pk,
    )
    episodes = patient.episodes.select_related("program")
    return render(
        request,
        "portal/home.html",
        {
            "patient": patient,
            "episodes": episodes,
            "care_team": patient.care_team.select_related("user"),
            "plans": patient.treatment_plans.filter(status=PlanStatus.SIGNED).order_by("-version")[
                :3
            ],
        },
    )
