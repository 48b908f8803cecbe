"""Reads about treatment plans, always starting from the acting user.

A plan is "signed" only when every signature it needs is there: the clinician's (which
locks the version), the patient's, and the physician's when the program asks for it or
Medicare covers the patient (docs/clinical-sources.md §2.1). The first plan is due a set
number of days after admission (§2.3).
"""

from __future__ import annotations

import zoneinfo
from dataclasses import dataclass
from datetime import date, timedelta

from django.utils import timezone

from stepwell.accounts.models import Role
from stepwell.billing.selectors import patient_has_medicare
from stepwell.patients.models import Episode, Patient
from stepwell.patients.services import program_today
from stepwell.privacy.access import patients_visible_to

from . import access
from .certification import is_physician
from .models import (
    PhysicianCertification,
    PlanStatus,
    SignatureRole,
    TreatmentPlan,
)
from .services import PLANNABLE_STATES, first_plan_due_days_for


def plan_for_user(*, user, plan_id: int) -> TreatmentPlan | None:
    """The plan if the user may read it; a patient sees only signed versions of their own."""
    plan = (
        TreatmentPlan.objects.select_related("patient", "episode", "episode__program", "previous")
        .filter(pk=plan_id)
        .first()
    )
    if plan is None or not access.access_plan_read(user, plan.patient):
        return None
    if user.kind == "patient" and not plan.is_signed:
        return None
    return plan


def plans_of_episode(episode: Episode) -> list[TreatmentPlan]:
    return list(episode.treatment_plans.order_by("-version"))


def plan_latest_signed(episode: Episode) -> TreatmentPlan | None:
    return episode.treatment_plans.filter(status=PlanStatus.SIGNED).order_by("-version").first()


def plan_draft(episode: Episode) -> TreatmentPlan | None:
    return episode.treatment_plans.filter(status=PlanStatus.DRAFT).first()


def plan_is_superseded(plan: TreatmentPlan) -> bool:
    following = TreatmentPlan.objects.filter(previous=plan).first()
    return following is not None and following.is_signed


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
    have = set(plan.signatures.values_list("role", flat=True))
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


def plan_review_due_on(plan: TreatmentPlan) -> date | None:
    """A signed plan is reviewed `review_days` after it was signed or last reviewed."""
    if not plan.is_signed:
        return None
    start = timezone.localdate(plan.signed_at, zoneinfo.ZoneInfo(plan.episode.program.timezone))
    last_review = (
        plan.reviews.order_by("-reviewed_on").values_list("reviewed_on", flat=True).first()
    )
    if last_review and last_review > start:
        start = last_review
    return start + timedelta(days=plan.review_days)


def latest_certification(episode: Episode) -> PhysicianCertification | None:
    return episode.certifications.order_by("-certified_on", "-pk").first()


@dataclass(frozen=True)
class DueItem:
    kind: str  # "first_plan", "plan_review" or "recertification"
    patient: Patient
    episode: Episode
    plan: TreatmentPlan | None
    due_on: date
    overdue: bool
    detail: str = ""


def _open_episodes(user):
    return Episode.objects.filter(
        patient__in=patients_visible_to(user), state__in=PLANNABLE_STATES
    ).select_related("patient", "program")


def first_plan_due_on(episode: Episode) -> date | None:
    """Admission day plus the program's `first_plan_due_days` (default 7; §2.3)."""
    if episode.admitted_on is None:
        return None
    return episode.admitted_on + timedelta(days=first_plan_due_days_for(episode.program))


def first_plan_state(episode: Episode, on: date | None = None) -> tuple[bool, str]:
    """(done, what is missing): done once some version has every required signature."""
    versions = plans_of_episode(episode)
    if not versions:
        return False, "No plan yet"
    for plan in versions:
        if plan.is_signed and plan_signature_status(plan, on).complete:
            return True, ""
    latest = versions[0]
    if not latest.is_signed:
        return False, f"Draft v{latest.version}, not signed"
    return False, f"v{latest.version} {plan_signature_status(latest, on).label.lower()}"


def plan_worklist(*, user, today: date | None = None, within_days: int = 7) -> list[DueItem]:
    """First plans, plan reviews and physician recertifications due within `within_days`
    or overdue, soonest first."""
    items: list[DueItem] = []
    for episode in _open_episodes(user):
        episode_today = today or program_today(episode.program)
        horizon = episode_today + timedelta(days=within_days)
        if not access.access_plan_read(user, episode.patient):
            continue
        first_due = first_plan_due_on(episode)
        if first_due is not None and first_due <= horizon:
            done, detail = first_plan_state(episode, episode_today)
            if not done:
                items.append(
                    DueItem(
                        "first_plan",
                        episode.patient,
                        episode,
                        episode.treatment_plans.order_by("-version").first(),
                        first_due,
                        first_due < episode_today,
                        detail,
                    )
                )
        plan = plan_latest_signed(episode)
        if plan is None:
            continue
        due = plan_review_due_on(plan)
        if due is not None and due <= horizon:
            items.append(
                DueItem("plan_review", episode.patient, episode, plan, due, due < episode_today)
            )
        certification = latest_certification(episode)
        if certification is not None and certification.recertify_by <= horizon:
            items.append(
                DueItem(
                    "recertification",
                    episode.patient,
                    episode,
                    plan,
                    certification.recertify_by,
                    certification.recertify_by < episode_today,
                )
            )
    return sorted(items, key=lambda item: (item.due_on, item.patient.legal_last_name))


@dataclass(frozen=True)
class AwaitingPhysician:
    patient: Patient
    episode: Episode
    plan: TreatmentPlan
    waiting_since: date


def physician_signature_worklist(*, user, today: date | None = None) -> list[AwaitingPhysician]:
    """For a physician (prescriber role, MD or DO): current signed versions of their
    patients' plans that still need the physician's signature, longest waiting first."""
    if not user.has_role(Role.PRESCRIBER) or not is_physician(user.credentials):
        return []
    items: list[AwaitingPhysician] = []
    for episode in _open_episodes(user):
        if not access.access_plan_sign_physician(user, episode.patient):
            continue
        plan = plan_latest_signed(episode)
        if plan is None:
            continue
        day = today or program_today(episode.program)
        if SignatureRole.PHYSICIAN not in missing_signatures(plan, day):
            continue
        zone = zoneinfo.ZoneInfo(episode.program.timezone)
        items.append(
            AwaitingPhysician(
                episode.patient, episode, plan, timezone.localdate(plan.signed_at, zone)
            )
        )
    return sorted(items, key=lambda item: (item.waiting_since, item.patient.legal_last_name))
