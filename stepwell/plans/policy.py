"""What each program decides about its treatment plans, and when a plan can be written.

- A plan is written for an admitted, active or on-hold episode.
- A signed plan is reviewed every `review_days` (the program's own number, or
  STEPWELL_PLAN_REVIEW_DAYS).
- The first plan is due `first_plan_due_days` after admission (default 7;
  docs/clinical-sources.md §2.3).
- A physician signs when the program asks for it or Medicare covers the patient on the
  day (Medicare pays only for certified care; docs/clinical-sources.md §2.1).
"""

from __future__ import annotations

from django.conf import settings

from stepwell.billing.selectors import patient_has_medicare
from stepwell.patients.models import EpisodeState

from .models import DEFAULT_FIRST_PLAN_DUE_DAYS, ProgramPlanPolicy

PLANNABLE_STATES = (EpisodeState.ADMITTED, EpisodeState.ACTIVE, EpisodeState.ON_HOLD)


def review_days_for(program) -> int:
    policy = ProgramPlanPolicy.objects.filter(program=program).first()
    if policy is not None and policy.review_days:
        return policy.review_days
    return settings.STEPWELL_PLAN_REVIEW_DAYS


def first_plan_due_days_for(program) -> int:
    policy = ProgramPlanPolicy.objects.filter(program=program).first()
    return policy.first_plan_due_days if policy is not None else DEFAULT_FIRST_PLAN_DUE_DAYS


def physician_required(episode, on) -> bool:
    """The program asks for a physician's signature, or Medicare covers the patient on `on`."""
    policy = ProgramPlanPolicy.objects.filter(program=episode.program).first()
    if policy is not None and policy.requires_physician_signature:
        return True
    return patient_has_medicare(patient=episode.patient, on=on)
