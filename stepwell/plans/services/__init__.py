"""Treatment-plan use cases that write. One transaction each; writes and refusals audited.

A signed plan is never edited (DESIGN.md): a revision is a new draft version copied from
it, with the same item lineage so the page can show what changed.
"""

from ._common import (
    PLANNABLE_STATES,
    first_plan_due_days_for,
    physician_required,
    review_days_for,
)
from .drafts import (
    ITEM_MODELS,
    MeasureIn,
    goal_add,
    objective_add,
    objective_current_status,
    plan_create,
    plan_item_remove,
    plan_of_item,
    plan_revise,
    problem_add,
)
from .followup import objective_status_record, plan_review_record
from .interventions import intervention_add, intervention_number_errors
from .signing import (
    physician_recertify,
    plan_sign_clinician,
    plan_sign_patient,
    plan_sign_physician,
)

__all__ = [
    "ITEM_MODELS",
    "PLANNABLE_STATES",
    "MeasureIn",
    "first_plan_due_days_for",
    "goal_add",
    "intervention_add",
    "intervention_number_errors",
    "objective_add",
    "objective_current_status",
    "objective_status_record",
    "physician_recertify",
    "physician_required",
    "plan_create",
    "plan_item_remove",
    "plan_of_item",
    "plan_review_record",
    "plan_revise",
    "plan_sign_clinician",
    "plan_sign_patient",
    "plan_sign_physician",
    "problem_add",
    "review_days_for",
]
