"""Interventions on a draft plan: the type of service, its amount, frequency and duration,
and who gives it. These are the numbers Medicare's written plan states and the scheduler
reads (docs/clinical-sources.md §2.1), so each one is checked here, for pages and API alike.
"""

from __future__ import annotations

from django.db import transaction

from stepwell.core.errors import ApplicationError
from stepwell.privacy.access.plans import access_plan_item_by_id
from stepwell.privacy.access.predicates import CLINICAL_ROLES
from stepwell.privacy.audit import AuditAction

from ..models import (
    MAX_DURATION_WEEKS,
    MAX_MINUTES_PER_SESSION,
    MAX_SESSIONS_PER_WEEK,
    Intervention,
)
from .audit import plan_audit
from .items import item_save_checked, next_position
from .versions import draft_locked


def _whole_number(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def intervention_number_errors(
    *, minutes_per_session, sessions_per_week, duration_weeks
) -> dict[str, str]:
    """Field errors for the numbers of an intervention; empty when all are right."""
    errors: dict[str, str] = {}
    checks = (
        (
            "minutes_per_session",
            minutes_per_session,
            "Give the minutes per session.",
            1,
            MAX_MINUTES_PER_SESSION,
            f"Between 1 and {MAX_MINUTES_PER_SESSION} minutes (8 hours) a session.",
        ),
        (
            "sessions_per_week",
            sessions_per_week,
            "Give the number of sessions a week.",
            1,
            MAX_SESSIONS_PER_WEEK,
            f"Between 1 and {MAX_SESSIONS_PER_WEEK} sessions a week.",
        ),
        (
            "duration_weeks",
            duration_weeks,
            "Give for how many weeks.",
            1,
            MAX_DURATION_WEEKS,
            f"Between 1 and {MAX_DURATION_WEEKS} weeks.",
        ),
    )
    for name, value, missing, lowest, highest, out_of_range in checks:
        if value is None or value == "":
            errors[name] = missing
        elif not _whole_number(value):
            errors[name] = "Give a whole number."
        elif not lowest <= value <= highest:
            errors[name] = out_of_range
    return errors


def intervention_add(
    *,
    actor,
    goal_id: int,
    modality: str,
    minutes_per_session: int | None,
    sessions_per_week: int | None,
    duration_weeks: int | None,
    responsible,
    description: str = "",
) -> Intervention:
    goal, plan = access_plan_item_by_id(actor, "goal", goal_id)
    errors = intervention_number_errors(
        minutes_per_session=minutes_per_session,
        sessions_per_week=sessions_per_week,
        duration_weeks=duration_weeks,
    )
    if (
        responsible is None
        or responsible.kind != "staff"
        or not responsible.is_active
        or not responsible.program_memberships.filter(program_id=plan.episode.program_id).exists()
        or not responsible.role_assignments.filter(
            program_id=plan.episode.program_id, role__in=CLINICAL_ROLES
        ).exists()
    ):
        errors["responsible"] = "Choose an active clinician, prescriber or nurse of the program."
    if errors:
        raise ApplicationError("The intervention could not be added.", field_errors=errors)
    with transaction.atomic():
        draft_locked(plan.pk)
        intervention = Intervention(
            goal=goal,
            position=next_position(goal.interventions),
            modality=modality,
            minutes_per_session=minutes_per_session,
            sessions_per_week=sessions_per_week,
            duration_weeks=duration_weeks,
            description=(description or "").strip(),
            responsible=responsible,
        )
        item_save_checked(intervention, "The intervention could not be added.")
        plan_audit(actor, AuditAction.UPDATE, plan, added_intervention=intervention.pk)
    return intervention
