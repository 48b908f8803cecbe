"""A plan's versions and the signatures each version needs.

A plan is "signed" only when every signature it needs is there: the clinician's (which
locks the version), the patient's, and the physician's when the program asks for it or
Medicare covers the patient (docs/clinical-sources.md §2.1).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from stepwell.billing.selectors import patient_has_medicare
from stepwell.clinic.time import program_today
from stepwell.patients.models import Episode

from ..models import Objective, PlanStatus, SignatureRole, TreatmentPlan


def plans_of_episode(episode: Episode) -> list[TreatmentPlan]:
    """Newest version first; reads the versions a list prefetched, else one query."""
    return sorted(episode.treatment_plans.all(), key=lambda plan: -plan.version)


def plan_latest_signed(episode: Episode) -> TreatmentPlan | None:
    signed = (plan for plan in plans_of_episode(episode) if plan.status == PlanStatus.SIGNED)
    return next(signed, None)


def plan_draft(episode: Episode) -> TreatmentPlan | None:
    return episode.treatment_plans.filter(status=PlanStatus.DRAFT).first()


def plan_is_superseded(plan: TreatmentPlan) -> bool:
    following = TreatmentPlan.objects.filter(previous=plan).first()
    return following is not None and following.is_signed


def objective_current_status(objective: Objective) -> str:
    """The latest recorded status; a signed version's own status never changes."""
    update = objective.status_updates.order_by("-recorded_at", "-pk").first()
    return update.status if update else objective.status


def physician_signature_needed(plan: TreatmentPlan, on: date | None = None) -> bool:
    """Fixed on the version when the clinician signs; and for the current signed version,
    also when Medicare coverage starts later (Medicare pays only for certified care)."""
    if plan.requires_physician_signature:
        return True
    if not plan.is_signed or plan_is_superseded(plan):
        return False
    day = on or program_today(plan.episode.program)
    return patient_has_medicare(patient=plan.patient, on=day)


def required_signature_roles(plan: TreatmentPlan, on: date | None = None) -> tuple[str, ...]:
    roles = [SignatureRole.CLINICIAN, SignatureRole.PATIENT]
    if physician_signature_needed(plan, on):
        roles.append(SignatureRole.PHYSICIAN)
    return tuple(roles)


def missing_signatures(plan: TreatmentPlan, on: date | None = None) -> list[str]:
    have = {signature.role for signature in plan.signatures.all()}  # prefetched on lists
    return [role for role in required_signature_roles(plan, on) if role not in have]


SIGNATURE_STATUS_LABELS = {
    "draft": "Draft",
    "awaiting_patient": "Awaiting patient",
    "awaiting_physician": "Awaiting physician",
    "awaiting_patient_and_physician": "Awaiting patient and physician",
    "signed": "Signed",
}


@dataclass(frozen=True)
class SignatureStatus:
    key: str
    label: str

    @property
    def complete(self) -> bool:
        return self.key == "signed"


def signature_status_of(*, locked: bool, missing) -> SignatureStatus:
    """The words for a version: "Signed" only with every required signature."""
    waiting = set(missing)
    if not locked:
        key = "draft"
    elif {"patient", "physician"} <= waiting:
        key = "awaiting_patient_and_physician"
    elif "patient" in waiting:
        key = "awaiting_patient"
    elif "physician" in waiting:
        key = "awaiting_physician"
    else:
        key = "signed"
    return SignatureStatus(key, SIGNATURE_STATUS_LABELS[key])


def plan_signature_status(plan: TreatmentPlan, on: date | None = None) -> SignatureStatus:
    missing = missing_signatures(plan, on) if plan.is_signed else []
    return signature_status_of(locked=plan.is_signed, missing=missing)
