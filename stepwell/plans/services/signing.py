"""Signatures: clinician (locks the version), patient, physician with certification."""

from __future__ import annotations

from datetime import date, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from stepwell.core.errors import ApplicationError
from stepwell.patients.services import program_today
from stepwell.privacy.audit import AuditAction

from .. import access
from ..models import (
    CertificationKind,
    PhysicianCertification,
    PlanSignature,
    PlanStatus,
    SignatureMethod,
    SignatureRole,
    TreatmentPlan,
)
from ._common import (
    _audit,
    _lock_draft,
    _plan_for,
    _signed_plan,
)

# --- signatures ---------------------------------------------------------------------------


def _completeness_errors(plan: TreatmentPlan) -> dict[str, str]:
    errors: dict[str, str] = {}
    problems = list(plan.problems.prefetch_related("goals__objectives", "goals__interventions"))
    if not problems:
        errors["problems"] = "Add at least one problem."
    for p_index, problem in enumerate(problems, start=1):
        goals = list(problem.goals.all())
        if not goals:
            errors[f"problem_{problem.pk}"] = f"Problem {p_index} needs a goal."
        for g_index, goal in enumerate(goals, start=1):
            if not goal.objectives.all():
                errors[f"goal_{goal.pk}_objectives"] = (
                    f"Goal {p_index}.{g_index} needs at least one objective."
                )
            if not goal.interventions.all():
                errors[f"goal_{goal.pk}_interventions"] = (
                    f"Goal {p_index}.{g_index} needs at least one intervention."
                )
    return errors


def _signature(plan, role, method, signer, signer_name) -> PlanSignature:
    if plan.signatures.filter(role=role).exists():
        raise ApplicationError(
            f"This version already has a {SignatureRole(role).label.lower()} signature.",
            field_errors={"role": "Already signed."},
        )
    return PlanSignature.objects.create(
        plan=plan,
        role=role,
        method=method,
        signer=signer,
        signer_name=signer_name,
        signed_at=timezone.now(),
    )


def plan_sign_clinician(*, actor, plan_id: int, client_address: str = "") -> TreatmentPlan:
    """The clinician's signature locks the version; review is due after the cadence."""
    plan = _plan_for(actor, plan_id, access.access_plan_edit, AuditAction.UPDATE, client_address)
    with transaction.atomic():
        plan = _lock_draft(plan.pk)
        errors = _completeness_errors(plan)
        if errors:
            raise ApplicationError("The plan is not complete.", field_errors=errors)
        plan.status = PlanStatus.SIGNED
        plan.signed_at = timezone.now()
        plan.save()
        _signature(plan, SignatureRole.CLINICIAN, SignatureMethod.ELECTRONIC, actor, str(actor))
        _audit(actor, "sign", plan, client_address, role="clinician", version=plan.version)
    return plan


def plan_sign_patient(
    *, actor, plan_id: int, method: str, signer_name: str = "", client_address: str = ""
) -> PlanSignature:
    """The patient signs on the portal (their own login) or in person (a staff witness records it)."""
    plan = _plan_for(
        actor, plan_id, access.access_plan_sign_patient, AuditAction.UPDATE, client_address
    )
    on_portal = actor.kind == "patient"
    if on_portal and method != SignatureMethod.PORTAL:
        raise ApplicationError("Sign on the portal.", field_errors={"method": "Use portal."})
    if not on_portal and method != SignatureMethod.IN_PERSON:
        raise ApplicationError(
            "Staff record the patient's signature in person.",
            field_errors={"method": "Use in person."},
        )
    name = (signer_name or "").strip() or plan.patient.legal_name
    with transaction.atomic():
        plan = _signed_plan(plan.pk)
        signature = _signature(plan, SignatureRole.PATIENT, method, actor, name)
        _audit(actor, "sign", plan, client_address, role="patient", method=method)
    return signature


def _certify(actor, plan: TreatmentPlan, certified_on: date) -> PhysicianCertification:
    earlier = plan.episode.certifications.exists()
    return PhysicianCertification.objects.create(
        episode=plan.episode,
        plan=plan,
        physician=actor,
        kind=CertificationKind.RECERTIFICATION if earlier else CertificationKind.CERTIFICATION,
        certified_on=certified_on,
        recertify_by=certified_on + timedelta(days=settings.STEPWELL_RECERTIFICATION_DAYS),
    )


def plan_sign_physician(*, actor, plan_id: int, client_address: str = "") -> PhysicianCertification:
    """The physician signs and certifies the need for the program (facts §2)."""
    plan = _plan_for(
        actor, plan_id, access.access_plan_sign_physician, AuditAction.UPDATE, client_address
    )
    with transaction.atomic():
        plan = _signed_plan(plan.pk)
        _signature(plan, SignatureRole.PHYSICIAN, SignatureMethod.ELECTRONIC, actor, str(actor))
        certification = _certify(actor, plan, program_today(plan.episode.program))
        _audit(
            actor,
            "sign",
            plan,
            client_address,
            role="physician",
            certification=certification.kind,
            recertify_by=certification.recertify_by,
        )
    return certification


def physician_recertify(*, actor, plan_id: int, client_address: str = "") -> PhysicianCertification:
    """Recertify on the current signed version without a new plan version."""
    plan = _plan_for(
        actor, plan_id, access.access_plan_sign_physician, AuditAction.UPDATE, client_address
    )
    with transaction.atomic():
        plan = _signed_plan(plan.pk)
        certification = _certify(actor, plan, program_today(plan.episode.program))
        _audit(actor, "certify", plan, client_address, recertify_by=certification.recertify_by)
    return certification
