"""When a plan falls due: the first plan after admission, reviews, recertification.

The first plan is due a set number of days after admission (docs/clinical-sources.md
§2.3); a signed plan is reviewed `review_days` after it was signed or last reviewed; a
physician recertifies by the date the last certification set (§2.1).
"""

from __future__ import annotations

import zoneinfo
from datetime import date, timedelta

from django.utils import timezone

from stepwell.patients.models import Episode

from ..models import PhysicianCertification, TreatmentPlan
from ..policy import first_plan_due_days_for
from .versions import plan_signature_status, plans_of_episode


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
