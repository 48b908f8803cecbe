"""Signatures and certification: the clinician (locks the version), the patient (on the
portal or in person), the physician (MD or DO; docs/clinical-sources.md §2.1)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from stepwell.accounts.models import UserKind
from stepwell.core.errors import ApplicationError
from stepwell.core.forms import form_call
from stepwell.privacy.audit import AuditAction

from .. import selectors, services
from ..forms import ActionForm, PatientSignatureForm, PhysicianCertificationForm
from ..models import TreatmentPlan
from .page import plan_page_answer

PlanNeed = selectors.PlanNeed


def _same(data: dict) -> dict:
    return data


def plan_action(request, plan_id: int, form, service, *, need, form_key, ok, arguments=_same):
    """Call the service with the form's data (`arguments` maps it to the service's
    arguments). On success go to the plan, or to the new version the service returns;
    otherwise show the plan page with the form's errors (400)."""
    if form.is_valid():
        result = form_call(
            form, service, actor=request.user, plan_id=plan_id, **arguments(form.cleaned_data)
        )
        if result is not None:
            messages.success(request, ok)
            target = result.pk if isinstance(result, TreatmentPlan) else plan_id
            return redirect("plans:plan", plan_id=target)
    page = selectors.plan_page(
        user=request.user, plan_id=plan_id, need=need, action=AuditAction.UPDATE
    )
    return plan_page_answer(request, page, status=400, whole=True, **{form_key: form})


@login_required
@require_POST
def plan_sign(request, plan_id: int, role: str):
    if role == "clinician":
        return plan_action(
            request,
            plan_id,
            ActionForm(request.POST),
            services.plan_sign_clinician,
            need=PlanNeed.EDIT,
            form_key="action_form",
            ok="Signed.",
        )
    if role == "patient":
        method = "portal" if request.user.kind == UserKind.PATIENT else "in_person"
        return plan_action(
            request,
            plan_id,
            PatientSignatureForm(request.POST),
            services.plan_sign_patient,
            need=PlanNeed.SIGN_PATIENT,
            form_key="patient_signature_form",
            ok="Signed.",
            arguments=lambda data: {"method": method, "signer_name": data["signer_name"]},
        )
    if role == "physician":
        return plan_action(
            request,
            plan_id,
            PhysicianCertificationForm(request.POST),
            services.plan_sign_physician,
            need=PlanNeed.SIGN_PHYSICIAN,
            form_key="physician_form",
            ok="Signed.",
        )
    raise ApplicationError(
        "Unknown signature.", field_errors={"role": "One of: clinician, patient, physician."}
    )


@login_required
@require_POST
def recertify(request, plan_id: int):
    return plan_action(
        request,
        plan_id,
        PhysicianCertificationForm(request.POST, kind="recertification", prefix="recertify"),
        services.physician_recertify,
        need=PlanNeed.SIGN_PHYSICIAN,
        form_key="recertify_form",
        ok="Recertified.",
    )
