"""Use cases that write discharge summaries, aftercare plans, the support-group directory
and the discharge policy. Each starts with its access rule
(stepwell.privacy.access.discharge), runs in one transaction and is audited."""

from .aftercare import (
    aftercare_appointment_add,
    aftercare_appointment_remove,
    aftercare_contact_add,
    aftercare_contact_remove,
    aftercare_plan_sign_on_paper,
    aftercare_plan_sign_on_portal,
    aftercare_plan_start,
    aftercare_plan_update,
)
from .directory import discharge_policy_set, support_group_add, support_group_deactivate
from .summary import (
    discharge_summary_addendum_add,
    discharge_summary_draft,
    discharge_summary_sign,
    discharge_summary_update,
)

__all__ = [
    "aftercare_appointment_add",
    "aftercare_appointment_remove",
    "aftercare_contact_add",
    "aftercare_contact_remove",
    "aftercare_plan_sign_on_paper",
    "aftercare_plan_sign_on_portal",
    "aftercare_plan_start",
    "aftercare_plan_update",
    "discharge_policy_set",
    "discharge_summary_addendum_add",
    "discharge_summary_draft",
    "discharge_summary_sign",
    "discharge_summary_update",
    "support_group_add",
    "support_group_deactivate",
]
