"""Reads about treatment plans, always starting from the acting user."""

from __future__ import annotations

import zoneinfo
from dataclasses import dataclass
from datetime import date, timedelta

from django.utils import timezone

from stepwell.patients.models import Episode, Patient
from stepwell.patients.services import program_today
from stepwell.privacy.access import patients_visible_to

from . import access
from .models import (
    PhysicianCertification,
    PlanStatus,
    SignatureRole,
    TreatmentPlan,
)
from .services import PLANNABLE_STATES


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


def required_signature_roles(plan: TreatmentPlan) -> tuple[str, ...]:
    roles = [SignatureRole.CLINICIAN, SignatureRole.PATIENT]
    if plan.requires_physician_signature:
        roles.append(SignatureRole.PHYSICIAN)
    return tuple(roles)


def missing_signatures(plan: TreatmentPlan) -> list[str]:
    have = set(plan.signatures.values_list("role", flat=True))
    return [role for role in required_signature_roles(plan) if role not in have]


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
    kind: str  # "plan_review" or "recertification"
    patient: Patient
    episode: Episode
    plan: TreatmentPlan
    due_on: date
    overdue: bool


def _open_episodes(user):
    return Episode.objects.filter(
        patient__in=patients_visible_to(user), state__in=PLANNABLE_STATES
    ).select_related("patient", "program")


def plan_worklist(*, user, today: date | None = None, within_days: int = 7) -> list[DueItem]:
    """Plan reviews and physician recertifications due within `within_days`, soonest first."""
    items: list[DueItem] = []
    for episode in _open_episodes(user):
        episode_today = today or program_today(episode.program)
        horizon = episode_today + timedelta(days=within_days)
        if not access.access_plan_read(user, episode.patient):
            continue
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
