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
    last_review = max((review.reviewed_on for review in plan.reviews.all()), default=None)
    if last_review and last_review > start:
        start = last_review
    return start + timedelta(days=plan.review_days)


def latest_certification(episode: Episode) -> PhysicianCertification | None:
    certifications = episode.certifications.all()  # prefetched on the worklist
    return max(certifications, key=lambda c: (c.certified_on, c.pk), default=None)


def first_plan_due_on(episode: Episode, *, due_days: int | None = None) -> date | None:
    """Admission day plus the program's `first_plan_due_days` (default 7; §2.3); a list
    passes `due_days` it read once for all its rows."""
    if episode.admitted_on is None:
        return None
    days = due_days if due_days is not None else first_plan_due_days_for(episode.program)
    return episode.admitted_on + timedelta(days=days)


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
