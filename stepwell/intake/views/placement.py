"""Level-of-care placement (engine recommends, clinician confirms or overrides) and admission."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from stepwell.accounts.models import Role, User, UserKind
from stepwell.core.errors import AccessDenied, ApplicationError
from stepwell.core.forms import form_add_service_errors as apply_errors
from stepwell.placement.levels import LevelOfCare as EngineLevel
from stepwell.privacy.audit import AuditAction, client_address_of
from stepwell.privacy.refusals import page_denied as denied

from .. import access, selectors, services
from ..forms import AdmissionForm, PlacementForm
from ..models import PlacementDecision
from ..services.admission import admitted_from_for
from ._common import audit_view
from .assessments import _assessment_or_denied


@login_required
@require_http_methods(["GET", "POST"])
def placement(request, assessment_id: int):
    action = AuditAction.CREATE if request.method == "POST" else AuditAction.VIEW
    assessment, refusal = _assessment_or_denied(request, assessment_id, action)
    if refusal:
        return refusal
    if not access.access_assessment_sign(request.user, assessment.patient):
        return denied(
            request,
            object_type="placement_decision",
            object_id=assessment.pk,
            patient_id=assessment.patient_id,
            action=action,
        )
    program = assessment.episode.program
    prefill = selectors.placement_prefill(assessment)
    last = assessment.placement_decisions.first()
    initial = {**prefill.values, **(PlacementForm.initial_from(last.engine_input) if last else {})}
    form = PlacementForm(request.POST or None, initial=initial)
    recommendation = None
    if request.method == "POST" and form.is_valid():
        # Read before any service error is put on the form (which drops that field).
        engine_input = form.engine_input()
        try:
            if "decide" in request.POST:
                decision = services.placement_decide(
                    actor=request.user,
                    assessment_id=assessment.pk,
                    engine_input=engine_input,
                    decided_level=form.cleaned_data["decided_level"],
                    override_reason=form.cleaned_data["override_reason"],
                    client_address=client_address_of(request),
                )
                messages.success(request, "Placement decision recorded.")
                return redirect("intake:decision", decision_id=decision.pk)
            recommendation = services.placement_preview(engine_input=engine_input, program=program)
        except AccessDenied:
            return render(request, "core/denied.html", status=403)
        except ApplicationError as error:
            apply_errors(form, error)
            if "decide" in request.POST:
                recommendation = _quiet_preview(engine_input, program)
    if request.method == "GET":
        audit_view(
            request,
            patient_id=assessment.patient_id,
            object_type="placement",
            object_id=assessment.pk,
        )
    context = {
        "assessment": assessment,
        "patient": assessment.patient,
        "form": form,
        "recommendation": recommendation,
        "program": program,
        "prefilled_from": _prefill_summary(form, prefill, reused=last),
    }
    status = 400 if form.errors else 200
    template = "intake/placement.html#recommendation" if request.htmx else "intake/placement.html"
    return render(request, template, context, status=status)


def _quiet_preview(engine_input, program):
    """The recommendation next to a refused decision, when the input itself is fine."""
    try:
        return services.placement_preview(engine_input=engine_input, program=program)
    except ApplicationError:
        return None


def _prefill_summary(form, prefill, *, reused) -> list[str]:
    """'Suicide risk: risk level on the assessment', for each field the page filled in."""
    if reused is not None:
        return [f"the last decision of {reused.decided_at:%Y-%m-%d}, for every field it holds"]
    return [
        f"{form[field].label}: {source}"
        for field, source in prefill.sources.items()
        if field in form.fields
    ]


def _level_label(value) -> str:
    return EngineLevel(value).label if value in set(EngineLevel) else ""


def _decision_or_denied(request, decision_id: int, action=AuditAction.VIEW):
    decision = selectors.placement_decision_for_user(user=request.user, decision_id=decision_id)
    if decision is None:
        patient_id = (
            PlacementDecision.objects.filter(pk=decision_id)
            .values_list("episode__patient_id", flat=True)
            .first()
        )
        return None, denied(
            request,
            object_type="placement_decision",
            object_id=decision_id,
            patient_id=patient_id,
            action=action,
        )
    return decision, None


def _program_staff(episode, *roles):
    return (
        User.objects.filter(
            kind=UserKind.STAFF,
            is_active=True,
            program_memberships__program=episode.program,
            role_assignments__role__in=roles,
        )
        .distinct()
        .order_by("last_name", "first_name")
    )


@login_required
@require_http_methods(["GET", "POST"])
def decision(request, decision_id: int):
    """The decision next to the recommendation, and the admission form."""
    action = AuditAction.TRANSITION if request.method == "POST" else AuditAction.VIEW
    decision, refusal = _decision_or_denied(request, decision_id, action)
    if refusal:
        return refusal
    episode = decision.episode
    can_admit = access.access_admission(request.user, episode)
    form = AdmissionForm(
        request.POST or None,
        clinicians=_program_staff(episode, Role.CLINICIAN),
        prescribers=_program_staff(episode, Role.PRESCRIBER),
        initial={"admitted_from": admitted_from_for(decision)},
    )
    if request.method == "POST":
        if not can_admit:
            return denied(
                request,
                object_type="admission",
                object_id=decision.pk,
                patient_id=episode.patient_id,
                action=action,
            )
        if form.is_valid():
            try:
                services.admission_admit(
                    actor=request.user,
                    placement_decision_id=decision.pk,
                    care_team=form.care_team(),
                    effective_date=form.cleaned_data.get("effective_date"),
                    admitted_from=form.cleaned_data.get("admitted_from", ""),
                    client_address=client_address_of(request),
                )
            except AccessDenied:
                return render(request, "core/denied.html", status=403)
            except ApplicationError as error:
                apply_errors(form, error)
            else:
                messages.success(
                    request,
                    f"{episode.patient.display_name} admitted to {episode.program}. "
                    "The first week is scheduled by the scheduler.",
                )
                return redirect("patients:chart", patient_id=episode.patient_id)
    else:
        audit_view(
            request,
            patient_id=episode.patient_id,
            object_type="placement_decision",
            object_id=decision.pk,
        )
    context = {
        "decision": decision,
        "patient": episode.patient,
        "episode": episode,
        "output": decision.engine_output,
        "recheck": services.placement_recheck(decision),
        "after_withdrawal_label": _level_label(
            decision.engine_output.get("after_withdrawal_management")
        ),
        "form": form,
        "can_admit": can_admit and episode.state == "assessed",
    }
    return render(request, "intake/decision.html", context, status=400 if form.errors else 200)
