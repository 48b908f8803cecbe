"""The patient's own pages: a patient sees only themselves.

A refusal (anyone who is not a patient with a record) is decided by the selector and
answered by core.middleware.RefusalMiddleware (audited 403).
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render

from stepwell.alumni.selectors import lands_on_alumni
from stepwell.privacy.audit import AuditAction, audit_request

from . import selectors


@login_required
def home(request):
    if lands_on_alumni(request.user):
        return redirect("alumni:portal-home")
    home = selectors.portal_home(user=request.user)
    audit_request(
        request,
        action=AuditAction.VIEW,
        patient_id=home.patient.pk,
        object_type="portal",
        object_id=home.patient.pk,
    )
    return render(
        request,
        "portal/home.html",
        {
            "patient": home.patient,
            "episodes": home.episodes,
            "care_team": home.care_team,
            "plans": home.plans,
            "next_sessions": home.next_sessions,
        },
    )
