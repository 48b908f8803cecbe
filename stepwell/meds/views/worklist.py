"""The medication worklist (prescribers, nurses, primary clinicians) and the patient's
adherence question on the portal."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from stepwell.accounts.models import UserKind
from stepwell.core.forms import form_call
from stepwell.core.paging import without_page

from .. import selectors, services, worklists
from ..forms import AdherenceForm

KIND_LABELS = {
    "unexpected_positive": "Drug test",
    "reconciliation_due": "Reconciliation due",
    "visit_due": "Medication visit due",
    "adherence": "Adherence",
    "naloxone": "Naloxone",
}


@login_required
@require_GET
def worklist(request):
    """The medication worklist, 50 items a page (worklists.worklist_rows' order)."""
    if request.user.kind != UserKind.STAFF:
        return redirect("core:home")  # patients have the portal
    worklist_page = worklists.worklist_page(user=request.user, page_number=request.GET.get("page"))
    return render(
        request,
        "meds/worklist.html",
        {
            "items": [(item, KIND_LABELS[item.kind]) for item in worklist_page.items],
            "page": worklist_page.page,
            "base_query": without_page(request.GET),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def portal_adherence(request):
    page = selectors.portal_meds(user=request.user, page_number=request.GET.get("page"))
    form = AdherenceForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        answered = form_call(
            form, services.adherence_answer, actor=request.user, **form.cleaned_data
        )
        if answered is not None:
            messages.success(request, "Thank you. Your care team will see your answer.")
            return redirect("meds:mine")
    return render(
        request,
        "meds/portal.html",
        {
            "page": page,
            "form": form,
            "medication_page": page.medications,
            "base_query": without_page(request.GET),
        },
        status=400 if request.method == "POST" else 200,
    )
