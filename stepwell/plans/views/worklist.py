"""What falls due (first plans, reviews, recertifications, physician signatures), and the
intake-and-plans section of a patient's chart."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET

from stepwell.accounts.models import UserKind

from .. import selectors


@login_required
@require_GET
def worklist(request):
    if request.user.kind != UserKind.STAFF:
        return redirect("core:home")  # patients have the portal
    page = selectors.worklist_page(user=request.user, page_number=request.GET.get("page"))
    return render(
        request,
        "plans/worklist.html",
        {
            "items": page.items,
            "page": page.page,
            "awaiting": page.awaiting,
            "awaiting_page": page.awaiting_page,
            "is_prescriber": page.for_prescriber,
        },
    )


@login_required
@require_GET
def chart_section(request, patient_id: int):
    """Loaded into the chart by htmx; without JavaScript, a page of its own."""
    section = selectors.chart_plans_opened(user=request.user, patient_id=patient_id)
    template = "plans/_chart_section_body.html" if request.htmx else "plans/chart_plans.html"
    return render(request, template, {"section": section, "patient": section.patient})
