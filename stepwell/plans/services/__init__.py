"""Treatment-plan use cases that write. One transaction each; writes and refusals audited.

Each service takes the acting user and starts by fetching what it changes through the
access rules (stepwell.privacy.access.plans), so calling it directly as someone who may
not is refused and audited exactly as through a page or the API.

- `versions`: the first draft and revisions (a signed plan is never edited, DESIGN.md).
- `drafts`: problems, goals and objectives added to a draft, items removed.
- `interventions`: the numbers of an intervention (docs/clinical-sources.md §2.1).
- `signing`: clinician, patient and physician signatures and certification.
- `followup`: objective status after signing and scheduled reviews.
"""

from ..policy import (
    PLANNABLE_STATES,
    first_plan_due_days_for,
    physician_required,
    review_days_for,
)
from .drafts import (
    MeasureIn,
    goal_add,
    objective_add,
    plan_item_remove,
    plan_item_update,
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
from .versions import plan_create, plan_revise

__all__ = [
    "PLANNABLE_STATES",
    "MeasureIn",
    "first_plan_due_days_for",
    "goal_add",
    "intervention_add",
    "intervention_number_errors",
    "objective_add",
    "objective_status_record",
    "physician_recertify",
    "physician_required",
    "plan_create",
    "plan_item_remove",
    "plan_item_update",
    "plan_review_record",
    "plan_revise",
    "plan_sign_clinician",
    "plan_sign_patient",
    "plan_sign_physician",
    "problem_add",
    "review_days_for",
]
