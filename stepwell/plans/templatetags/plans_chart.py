"""The chart's intake-and-plan section: reads through selectors that check access."""

from __future__ import annotations

from django import template

from stepwell.intake import access as intake_access
from stepwell.intake.models import Referral
from stepwell.patients.services import program_today
from stepwell.plans import access, selectors
from stepwell.plans.services import PLANNABLE_STATES

register = template.Library()


def _first_plan_due(episode):
    """The first plan's due date while an open episode has no fully signed plan."""
    if episode.state not in PLANNABLE_STATES:
        return None, False
    due = selectors.first_plan_due_on(episode)
    if due is None or selectors.first_plan_state(episode)[0]:
        return None, False
    return due, due < program_today(episode.program)


@register.inclusion_tag("plans/_chart_section_body.html", takes_context=True)
def plans_chart_section(context, patient):
    user = context["request"].user
    rows = []
    can_read_intake = intake_access.access_assessment_read(user, patient)
    can_read_plans = access.access_plan_read(user, patient)
    for episode in patient.episodes.select_related("program").order_by("-created_at"):
        plans = selectors.plans_of_episode(episode) if can_read_plans else []
        first_due, first_overdue = _first_plan_due(episode) if can_read_plans else (None, False)
        rows.append(
            {
                "episode": episode,
                "referral": Referral.objects.filter(episode=episode).first(),
                "assessments": list(episode.assessments.order_by("-created_at"))
                if can_read_intake
                else [],
                "plans": [(plan, selectors.plan_signature_status(plan)) for plan in plans],
                "first_plan_due_on": first_due,
                "first_plan_overdue": first_overdue,
                "review_due_on": (
                    selectors.plan_review_due_on(latest)
                    if can_read_plans and (latest := selectors.plan_latest_signed(episode))
                    else None
                ),
                "certification": selectors.latest_certification(episode)
                if can_read_plans
                else None,
            }
        )
    return {
        "patient": patient,
        "rows": rows,
        "can_read_intake": can_read_intake,
        "can_read_plans": can_read_plans,
        "can_start_assessment": intake_access.access_assessment_write(user, patient),
        "can_start_plan": access.access_plan_edit(user, patient),
        "csrf_token": context.get("csrf_token"),
    }
