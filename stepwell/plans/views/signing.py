"""Signatures and certification: the clinician (locks the version), the patient (on the
portal or in person), the physician (MD or DO; docs/clinical-sources.md §2.1)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.views.decorators.http import require_POST

from stepwell.accounts.models import UserKind
from stepwell.core.errors import ApplicationError

from .. import selectors, services
from ..forms import ActionForm, PatientSignatureForm, PhysicianCertificationForm
from .page import plan_action

PlanNeed = selectors.PlanNeed


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
