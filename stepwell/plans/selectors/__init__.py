"""Reads about treatment plans, always starting from the acting user.

- `versions`: a plan's versions and the signatures each needs (docs/clinical-sources.md §2.1).
- `due`: when the first plan, reviews and recertifications fall due (§2.3).
- `worklist`: what falls due for the user, and the physician's waiting plans.
- `pages`: the plan page, the editor's choices and the API's plan, fetched through the
  access rules (stepwell.privacy.access.plans).
- `chart`: the intake-and-plans section of a patient's chart.
"""

from stepwell.privacy.access.plans import PlanNeed

from .chart import ChartPlans, EpisodePlans, chart_plans_opened
from .due import first_plan_due_on, first_plan_state, latest_certification, plan_review_due_on
from .pages import (
    EditorTarget,
    GoalRow,
    ObjectiveRow,
    PlanPage,
    ProblemRow,
    plan_after_write,
    plan_editing,
    plan_editor_page,
    plan_opened,
    plan_page,
    plan_page_opened,
    plan_tree,
    program_staff_of,
    signed_diagnoses_of,
    staff_member_or_none,
)
from .versions import (
    SIGNATURE_STATUS_LABELS,
    SignatureStatus,
    missing_signatures,
    objective_current_status,
    physician_signature_needed,
    plan_draft,
    plan_is_superseded,
    plan_latest_signed,
    plan_signature_status,
    plans_of_episode,
    required_signature_roles,
    signature_status_of,
)
from .worklist import (
    AwaitingPhysician,
    DueItem,
    Worklist,
    physician_signature_worklist,
    physician_signature_worklist_by_rules,
    physician_worklist_opened,
    plan_worklist,
    plan_worklist_by_rules,
    plan_worklist_opened,
    worklist_page,
)

__all__ = [
    "SIGNATURE_STATUS_LABELS",
    "AwaitingPhysician",
    "ChartPlans",
    "DueItem",
    "EditorTarget",
    "EpisodePlans",
    "GoalRow",
    "ObjectiveRow",
    "PlanNeed",
    "PlanPage",
    "ProblemRow",
    "SignatureStatus",
    "Worklist",
    "chart_plans_opened",
    "first_plan_due_on",
    "first_plan_state",
    "latest_certification",
    "missing_signatures",
    "objective_current_status",
    "physician_signature_needed",
    "physician_signature_worklist",
    "physician_signature_worklist_by_rules",
    "physician_worklist_opened",
    "plan_after_write",
    "plan_draft",
    "plan_editing",
    "plan_editor_page",
    "plan_is_superseded",
    "plan_latest_signed",
    "plan_opened",
    "plan_page",
    "plan_page_opened",
    "plan_review_due_on",
    "plan_signature_status",
    "plan_tree",
    "plan_worklist",
    "plan_worklist_by_rules",
    "plan_worklist_opened",
    "plans_of_episode",
    "program_staff_of",
    "required_signature_roles",
    "signature_status_of",
    "signed_diagnoses_of",
    "staff_member_or_none",
    "worklist_page",
]
