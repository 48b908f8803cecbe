"""Treatment-plan pages: the plan page and its htmx editor, signatures, reviews and
revisions, the worklist, and the chart's intake-and-plans section. Each view parses its
input with a form and calls one service or selector; refusals and rule errors are
answered by core.middleware.RefusalMiddleware unless a form shows them."""

from .drafts import (
    goal_add,
    intervention_add,
    item_edit,
    item_remove,
    objective_add,
    plan_start,
    problem_add,
)
from .followup import objective_status, review, revise
from .page import plan_detail
from .signing import plan_sign, recertify
from .worklist import chart_section, worklist

__all__ = [
    "chart_section",
    "goal_add",
    "intervention_add",
    "item_edit",
    "item_remove",
    "objective_add",
    "objective_status",
    "plan_detail",
    "plan_sign",
    "plan_start",
    "problem_add",
    "recertify",
    "review",
    "revise",
    "worklist",
]
