"""The referral board, new referrals, and one referral's page (contacts and moves)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from stepwell.clinic.selectors import programs_of_staff
from stepwell.core.converters import record_id_or_none
from stepwell.core.errors import AccessDenied, ApplicationError
from stepwell.core.forms import form_add_service_errors as apply_errors
from stepwell.patients.services import PossibleDuplicate
from stepwell.privacy.audit import AuditAction, audit_request, client_address_of
from stepwell.privacy.refusals import page_denied as denied

from .. import access, selectors, services
from ..forms import ContactForm, ReferralForm, ReferralMoveForm
from ..models import Referral, ReferralSource, ReferralState, Urgency
from ..referrals import allowed_next_states
from ._common import audit_view


@login_required
def board(request):
    user = request.user
    if not access.access_referral_board(user):
        return denied(request, object_type="referral_board", action=AuditAction.LIST)
    program_id = record_id_or_none(request.GET.get("program"))
    urgency = request.GET.get("urgency", "")
    source = request.GET.get("source", "")
    data = selectors.referral_board(
        user=user, program_id=program_id, urgency=urgency, source=source
    )
    audit_request(
        request,
        action=AuditAction.LIST,
        object_type="referral_board",
        detail={"program": program_id, "patients": data.patient_ids},
    )
    context = {
        "board": data,
        "programs": programs_of_staff(user=user),
        "program_id": program_id,
        "urgency": urgency,
        "source": source,
        "urgencies": Urgency.choices,
        "sources": ReferralSource.choices,
        "can_create": bool(programs_of_staff(user=user).exists()),
    }
    template = "intake/board.html#board" if request.htmx else "intake/board.html"
    return render(request, template, context)


@login_required
@require_http_methods(["GET", "POST"])
def referral_new(request):
    user = request.user
    programs = programs_of_staff(user=user)
    if not access.access_referral_board(user) or not programs.exists():
        return denied(request, object_type="referral", object_id="new", action=AuditAction.CREATE)
    form = ReferralForm(request.POST or None, programs=programs)
    duplicate = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            referral = services.referral_create(
                actor=user,
                program=data["program"],
                source=data["source"],
                reason=data["reason"],
                urgency=data["urgency"],
                source_detail=data["source_detail"],
                insurance=data["insurance"],
                received_on=data.get("received_on"),
                patient_data={k: data[k] for k in ReferralForm.PATIENT_FIELDS},
                confirm_not_duplicate=data.get("confirm_not_duplicate", False),
                client_address=client_address_of(request),
            )
        except PossibleDuplicate as error:
            duplicate = error
            form.add_error("confirm_not_duplicate", "Confirm this is a different person.")
        except AccessDenied:
            return render(request, "core/denied.html", status=403)
        except ApplicationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, f"Referral for {referral.patient.display_name} recorded.")
            return redirect("intake:referral", referral_id=referral.pk)
    return render(request, "intake/referral_new.html", {"form": form, "duplicate": duplicate})


def _referral_or_denied(request, referral_id: int, action=AuditAction.VIEW):
    referral = selectors.referral_for_user(user=request.user, referral_id=referral_id)
    if referral is None:
        patient_id = (
            Referral.objects.filter(pk=referral_id).values_list("patient_id", flat=True).first()
        )
        return None, denied(
            request,
            object_type="referral",
            object_id=referral_id,
            patient_id=patient_id,
            action=action,
        )
    return referral, None


def _referral_page(request, referral, *, contact_form=None, move_form=None, status=200):
    allowed = [s for s in allowed_next_states(referral.state) if s != ReferralState.ADMITTED]
    episode = referral.episode
    assessment = episode.assessments.order_by("-created_at").first()
    decision = episode.placement_decisions.order_by("-decided_at", "-pk").first()
    context = {
        "referral": referral,
        "patient": referral.patient,
        "events": referral.events.select_related("actor"),
        "contact_form": contact_form or ContactForm(),
        "move_form": move_form or ReferralMoveForm(allowed=allowed),
        "allowed": allowed,
        "assessment": assessment,
        "decision": decision,
        "closed": not allowed_next_states(referral.state),
        "can_assess": access.access_assessment_write(request.user, referral.patient),
        "can_admit": access.access_admission(request.user, episode),
    }
    return render(request, "intake/referral.html", context, status=status)


@login_required
def referral_detail(request, referral_id: int):
    referral, refusal = _referral_or_denied(request, referral_id)
    if refusal:
        return refusal
    audit_view(
        request, patient_id=referral.patient_id, object_type="referral", object_id=referral.pk
    )
    return _referral_page(request, referral)


@login_required
@require_POST
def referral_contact(request, referral_id: int):
    referral, refusal = _referral_or_denied(request, referral_id, AuditAction.UPDATE)
    if refusal:
        return refusal
    form = ContactForm(request.POST)
    if form.is_valid():
        try:
            services.referral_contact_record(
                actor=request.user,
                referral_id=referral.pk,
                client_address=client_address_of(request),
                **form.cleaned_data,
            )
        except AccessDenied:
            return render(request, "core/denied.html", status=403)
        except ApplicationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, "Contact attempt recorded.")
            return redirect("intake:referral", referral_id=referral.pk)
    return _referral_page(request, referral, contact_form=form, status=400)


@login_required
@require_POST
def referral_move(request, referral_id: int):
    referral, refusal = _referral_or_denied(request, referral_id, AuditAction.TRANSITION)
    if refusal:
        return refusal
    allowed = [s for s in allowed_next_states(referral.state) if s != ReferralState.ADMITTED]
    form = ReferralMoveForm(request.POST, allowed=allowed)
    if form.is_valid():
        try:
            moved = services.referral_transition(
                actor=request.user,
                referral_id=referral.pk,
                client_address=client_address_of(request),
                **form.cleaned_data,
            )
        except AccessDenied:
            return render(request, "core/denied.html", status=403)
        except ApplicationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, f"Referral moved to {moved.get_state_display().lower()}.")
            return redirect("intake:referral", referral_id=referral.pk)
    return _referral_page(request, referral, move_form=form, status=400)
