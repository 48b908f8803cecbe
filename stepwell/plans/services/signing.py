"""Signatures: clinician (locks the version), patient, physician with certification.

Only a physician (MD or DO) signs and certifies as physician, attesting that the patient
needs at least 9 hours of services a week (42 CFR 424.24; docs/clinical-sources.md §2.1).
Whether a version needs the physician is fixed when the clinician signs: the program's
policy, or Medicare coverage on that day.
"""

from __future__ import annotations

from datetime import date, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from stepwell.accounts.models import UserKind
from stepwell.clinic.time import program_today
from stepwell.core.errors import ApplicationError
from stepwell.privacy.access.plans import (
    PlanNeed,
    access_plan_by_id,
    access_plan_for_physician_by_id,
)
from stepwell.privacy.audit import AuditAction

from ..certification import NINE_HOURS_STATEMENT
from ..models import (
    CertificationKind,
    PhysicianCertification,
    PlanSignature,
    PlanStatus,
    SignatureMethod,
    SignatureRole,
    TreatmentPlan,
)
from ..policy import physician_required
from .audit import plan_audit
from .versions import draft_locked, signed_plan_locked

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
            interventions = list(goal.interventions.all())
            if not interventions:
                errors[f"goal_{goal.pk}_interventions"] = (
                    f"Goal {p_index}.{g_index} needs at least one intervention."
                )
            for i_index, intervention in enumerate(interventions, start=1):
                if intervention.needs_review:
                    errors[f"intervention_{intervention.pk}"] = (
                        f"Intervention {p_index}.{g_index}.{i_index} needs review: remove it "
                        "and add it again with minutes, sessions a week and weeks."
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


def plan_sign_clinician(*, actor, plan_id: int) -> TreatmentPlan:
    """The clinician's signature locks the version; review is due after the cadence."""
    plan = access_plan_by_id(actor, plan_id, need=PlanNeed.EDIT, action=AuditAction.UPDATE)
    with transaction.atomic():
        plan = draft_locked(plan.pk)
        errors = _completeness_errors(plan)
        if errors:
            raise ApplicationError("The plan is not complete.", field_errors=errors)
        plan.status = PlanStatus.SIGNED
        plan.signed_at = timezone.now()
        plan.requires_physician_signature = physician_required(
            plan.episode, program_today(plan.episode.program)
        )
        plan.save()
        _signature(plan, SignatureRole.CLINICIAN, SignatureMethod.ELECTRONIC, actor, str(actor))
        plan_audit(actor, "sign", plan, role="clinician", version=plan.version)
    return plan


def plan_sign_patient(*, actor, plan_id: int, method: str, signer_name: str = "") -> PlanSignature:
    """The patient signs on the portal (their own login) or in person (a staff witness records it)."""
    plan = access_plan_by_id(actor, plan_id, need=PlanNeed.SIGN_PATIENT, action=AuditAction.UPDATE)
    on_portal = actor.kind == UserKind.PATIENT
    if on_portal and method != SignatureMethod.PORTAL:
        raise ApplicationError("Sign on the portal.", field_errors={"method": "Use portal."})
    if not on_portal and method != SignatureMethod.IN_PERSON:
        raise ApplicationError(
            "Staff record the patient's signature in person.",
            field_errors={"method": "Use in person."},
        )
    name = (signer_name or "").strip() or plan.patient.legal_name
    with transaction.atomic():
        plan = signed_plan_locked(plan.pk)
        signature = _signature(plan, SignatureRole.PATIENT, method, actor, name)
        plan_audit(actor, "sign", plan, role="patient", method=method)
    return signature


def _attestation_check(attests_nine_hours) -> None:
    """The physician confirms the 9-hour statement explicitly (§2.1)."""
    if attests_nine_hours is not True:
        raise ApplicationError(
            "Confirm the certification statement to sign as physician.",
            field_errors={
                "attests_nine_hours": "Confirm that the patient needs at least 9 hours a week."
            },
        )


def _certify(actor, plan: TreatmentPlan, certified_on: date) -> PhysicianCertification:
    earlier = plan.episode.certifications.exists()
    kind = CertificationKind.RECERTIFICATION if earlier else CertificationKind.CERTIFICATION
    return PhysicianCertification.objects.create(
        episode=plan.episode,
        plan=plan,
        physician=actor,
        kind=kind,
        certified_on=certified_on,
        recertify_by=certified_on + timedelta(days=settings.STEPWELL_RECERTIFICATION_DAYS),
        physician_credentials=actor.credentials,
        statement_version=NINE_HOURS_STATEMENT.version,
        statement_text=NINE_HOURS_STATEMENT.text_for(kind),
    )


def plan_sign_physician(*, actor, plan_id: int, attests_nine_hours: bool) -> PhysicianCertification:
    """The physician (MD or DO) signs and certifies the need for the program (§2.1)."""
    plan = access_plan_for_physician_by_id(actor, plan_id)
    _attestation_check(attests_nine_hours)
    with transaction.atomic():
        plan = signed_plan_locked(plan.pk)
        _signature(plan, SignatureRole.PHYSICIAN, SignatureMethod.ELECTRONIC, actor, str(actor))
        certification = _certify(actor, plan, program_today(plan.episode.program))
        plan_audit(
            actor,
            "sign",
            plan,
            role="physician",
            certification=certification.kind,
            recertify_by=certification.recertify_by,
            statement=certification.statement_version,
        )
    return certification


def physician_recertify(*, actor, plan_id: int, attests_nine_hours: bool) -> PhysicianCertification:
    """Recertify on the current signed version without a new plan version."""
    plan = access_plan_for_physician_by_id(actor, plan_id)
    _attestation_check(attests_nine_hours)
    with transaction.atomic():
        plan = signed_plan_locked(plan.pk)
        if not plan.episode.certifications.exists():
            raise ApplicationError(
                "Nothing to recertify yet: sign the plan as physician first.",
                field_errors={"plan": "No certification yet."},
            )
        certification = _certify(actor, plan, program_today(plan.episode.program))
        plan_audit(
            actor,
            "certify",
            plan,
            recertify_by=certification.recertify_by,
            statement=certification.statement_version,
        )
    return certification
