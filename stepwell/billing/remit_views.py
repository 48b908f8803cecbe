"""Remittance and claim pages: importing a payer's 835 from the billing page, reading an
imported remittance, voiding or correcting a claim. Each view calls one service or
selector of billing; access is decided there."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from stepwell.core.forms import form_call, message_call
from stepwell.core.paging import without_page

from . import services
from .forms import ClaimActionForm, RemitForm
from .selectors.remittances import remittance_review
from .selectors.work import billing_programs_program


@login_required
@require_POST
def remittance_upload(request, program_id: int):
    program = billing_programs_program(user=request.user, program_id=program_id)
    form = RemitForm(request.POST, request.FILES)
    if form.is_valid():
        result = form_call(
            form,
            services.remittance_import,
            actor=request.user,
            program_id=program.pk,
            content=form.cleaned_data["text"],
            file_name=form.cleaned_data["file"].name,
        )
        if result is not None:
            messages.success(
                request,
                f"Remittance imported: {result.claims_matched} claim(s), {result.lines_paid} "
                f"line(s) paid, {result.lines_denied} denied, "
                f"{len(result.unknown_claims)} unknown claim(s).",
            )
            return redirect("billing:remittance", remittance_id=result.remittance.pk)
    return render(
        request, "billing/remit_form.html", {"program": program, "form": form}, status=400
    )


@login_required
@require_GET
def remittance(request, remittance_id: int):
    remittance, payments = remittance_review(
        user=request.user, remittance_id=remittance_id, page_number=request.GET.get("page")
    )
    context = {
        "remittance": remittance,
        "payments": payments,
        "base_query": without_page(request.GET),
    }
    return render(request, "billing/remittance.html", context)


def _claim_action(request, claim_id: int, service):
    form = ClaimActionForm(request.POST)
    file_format = form.cleaned_data["file_format"] if form.is_valid() else None
    batch = message_call(
        request, service, actor=request.user, claim_id=claim_id, file_format=file_format or None
    )
    if batch is not None:
        return redirect("billing:batch", batch_id=batch.pk)
    back = request.POST.get("next_batch", "")
    if back.isdigit():
        return redirect("billing:batch", batch_id=int(back))
    return redirect("billing:home")


@login_required
@require_POST
def claim_void(request, claim_id: int):
    return _claim_action(request, claim_id, services.claim_void)


@login_required
@require_POST
def claim_correct(request, claim_id: int):
    return _claim_action(request, claim_id, services.claim_correct)


@login_required
@require_POST
def claim_secondary(request, claim_id: int):
    return _claim_action(request, claim_id, services.claim_secondary)
