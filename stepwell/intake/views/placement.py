"""Level-of-care placement (engine recommends, clinician confirms or overrides) and admission."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from stepwell.accounts.models import Role
from stepwell.core.forms import form_call
from stepwell.placement.levels import LevelOfCare as EngineLevel
from stepwell.privacy.access.intake import IntakeNeed
from stepwell.privacy.audit import AuditAction, audit_request

from .. import selectors, services
from ..forms import AdmissionForm, PlacementForm
from ..services.admission import admitted_from_for


@login_required
@require_http_methods(["GET", "POST"])
def placement(request, assessment_id: int):
    action = AuditAction.CREATE if request.method == "POST" else AuditAction.VIEW
    assessment = selectors.assessment_record(
        user=request.user,
        assessment_id=assessment_id,
        need=IntakeNeed.SIGN,
        action=action,
        object_type="placement_decision",
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
        # The recommendation is shown next to a refused decision too, when the input is fine.
        recommendation = form_call(
            form,
            services.placement_preview,
            actor=request.user,
            engine_input=engine_input,
            program=program,
        )
        if "decide" in request.POST and recommendation is not None:
            decision = form_call(
                form,
                services.placement_decide,
                actor=request.user,
                assessment_id=assessment.pk,
                engine_input=engine_input,
                decided_level=form.cleaned_data["decided_level"],
                override_reason=form.cleaned_data["override_reason"],
            )
            if decision is not None:
                messages.success(request, "Placement decision recorded.")
                return redirect("intake:decision", decision_id=decision.pk)
    if request.method == "GET":
        audit_request(
            request,
            action=AuditAction.VIEW,
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


@login_required
@require_http_methods(["GET", "POST"])
def decision(request, decision_id: int):
    """The decision next to the recommendation, and the admission form."""
    posted = request.method == "POST"
    decision = selectors.placement_decision_record(
        user=request.user,
        decision_id=decision_id,
        need=IntakeNeed.ADMIT if posted else IntakeNeed.READ,
        action=AuditAction.TRANSITION if posted else AuditAction.VIEW,
    )
    episode = decision.episode
    form = AdmissionForm(
        request.POST or None,
        clinicians=selectors.admission_staff(episode=episode, roles=(Role.CLINICIAN,)),
        prescribers=selectors.admission_staff(episode=episode, roles=(Role.PRESCRIBER,)),
        initial={"admitted_from": admitted_from_for(decision)},
    )
    if posted:
        admitted = form.is_valid() and form_call(
            form,
            services.admission_admit,
            actor=request.user,
            placement_decision_id=decision.pk,
            care_team=form.care_team(),
            effective_date=form.cleaned_data.get("effective_date"),
            admitted_from=form.cleaned_data.get("admitted_from", ""),
        )
        if admitted:
            messages.success(
                request,
                f"{episode.patient.display_name} admitted to {episode.program}. "
                "The first week is scheduled by the scheduler.",
            )
            return redirect("patients:chart", patient_id=episode.patient_id)
    else:
        audit_request(
            request,
            action=AuditAction.VIEW,
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
        "can_admit": (
            episode.state == "assessed"
            and selectors.admission_allowed(user=request.user, episode=episode)
        ),
    }
    return render(request, "intake/decision.html", context, status=400 if form.errors else 200)
