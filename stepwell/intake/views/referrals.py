"""The referral board, new referrals, and one referral's page (contacts and moves).

Access is decided by the selectors and services called here; a refusal is answered by
core.middleware.RefusalMiddleware (audited 403).
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from stepwell.core.converters import record_id_or_none
from stepwell.core.forms import form_call
from stepwell.core.paging import without_page
from stepwell.patients.forms import possible_duplicate_on
from stepwell.patients.selectors import registering_programs
from stepwell.privacy.audit import AuditAction, audit_request

from .. import selectors, services
from ..forms import ContactForm, ReferralForm, ReferralMoveForm
from ..models import ReferralSource, ReferralState, Urgency
from ..referrals import allowed_next_states


@login_required
def board(request):
    user = request.user
    program_id = record_id_or_none(request.GET.get("program"))
    urgency = request.GET.get("urgency", "")
    source = request.GET.get("source", "")
    data = selectors.referral_board(
        user=user,
        program_id=program_id,
        urgency=urgency,
        source=source,
        page_number=request.GET.get("page"),
    )
    audit_request(
        request,
        action=AuditAction.LIST,
        object_type="referral_board",
        detail={"program": program_id, "patients": data.patient_ids},
    )
    context = {
        "board": data,
        "programs": data.programs,
        "program_id": program_id,
        "urgency": urgency,
        "source": source,
        "urgencies": Urgency.choices,
        "sources": ReferralSource.choices,
        "can_create": data.can_create,
        "base_query": without_page(request.GET),
    }
    template = "intake/board.html#board" if request.htmx else "intake/board.html"
    return render(request, template, context)


@login_required
@require_http_methods(["GET", "POST"])
def referral_new(request):
    programs = registering_programs(user=request.user, object_type="referral")
    form = ReferralForm(request.POST or None, programs=programs)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        referral = form_call(
            form,
            services.referral_create,
            actor=request.user,
            program_id=data["program"],
            source=data["source"],
            reason=data["reason"],
            urgency=data["urgency"],
            source_detail=data["source_detail"],
            insurance=data["insurance"],
            received_on=data.get("received_on"),
            patient_data={k: data[k] for k in ReferralForm.PATIENT_FIELDS},
            confirm_not_duplicate=data.get("confirm_not_duplicate", False),
        )
        if referral is not None:
            messages.success(request, f"Referral for {referral.patient.display_name} recorded.")
            return redirect("intake:referral", referral_id=referral.pk)
    return render(
        request,
        "intake/referral_new.html",
        {"form": form, "duplicate": possible_duplicate_on(form)},
    )


def _referral_page(request, referral, *, contact_form=None, move_form=None, status=200):
    allowed = [s for s in allowed_next_states(referral.state) if s != ReferralState.ADMITTED]
    page = selectors.referral_page(user=request.user, referral=referral)
    context = {
        "referral": referral,
        "patient": referral.patient,
        "events": page.events,
        "contact_form": contact_form or ContactForm(),
        "move_form": move_form or ReferralMoveForm(allowed=allowed),
        "allowed": allowed,
        "assessment": page.assessment,
        "decision": page.decision,
        "closed": not allowed_next_states(referral.state),
        "can_assess": page.can_assess,
        "can_admit": page.can_admit,
    }
    return render(request, "intake/referral.html", context, status=status)


@login_required
def referral_detail(request, referral_id: int):
    referral = selectors.referral_record(user=request.user, referral_id=referral_id)
    audit_request(
        request,
        action=AuditAction.VIEW,
        patient_id=referral.patient_id,
        object_type="referral",
        object_id=referral.pk,
    )
    return _referral_page(request, referral)


@login_required
@require_POST
def referral_contact(request, referral_id: int):
    referral = selectors.referral_record(
        user=request.user, referral_id=referral_id, action=AuditAction.UPDATE
    )
    form = ContactForm(request.POST)
    if form.is_valid() and form_call(
        form,
        services.referral_contact_record,
        actor=request.user,
        referral_id=referral.pk,
        **form.cleaned_data,
    ):
        messages.success(request, "Contact attempt recorded.")
        return redirect("intake:referral", referral_id=referral.pk)
    return _referral_page(request, referral, contact_form=form, status=400)


@login_required
@require_POST
def referral_move(request, referral_id: int):
    referral = selectors.referral_record(
        user=request.user, referral_id=referral_id, action=AuditAction.TRANSITION
    )
    allowed = [s for s in allowed_next_states(referral.state) if s != ReferralState.ADMITTED]
    form = ReferralMoveForm(request.POST, allowed=allowed)
    moved = form.is_valid() and form_call(
        form,
        services.referral_transition,
        actor=request.user,
        referral_id=referral.pk,
        **form.cleaned_data,
    )
    if moved:
        messages.success(request, f"Referral moved to {moved.get_state_display().lower()}.")
        return redirect("intake:referral", referral_id=referral.pk)
    return _referral_page(request, referral, move_form=form, status=400)
