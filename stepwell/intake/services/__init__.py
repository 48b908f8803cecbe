"""Intake use cases that write. One transaction each; every write and refusal is audited."""

from .admission import admission_admit, admitted_from_for
from .assessments import (
    ASSESSMENT_FIELDS,
    assessment_addendum_add,
    assessment_sign,
    assessment_start,
    assessment_update,
    previous_treatment_add,
    previous_treatment_remove,
)
from .availability import (
    WindowIn,
    availability_set,
    availability_window_add,
    availability_window_remove,
)
from .diagnoses import assessment_diagnosis_add, assessment_diagnosis_remove
from .placement import placement_decide, placement_preview, placement_recheck
from .referrals import referral_contact_record, referral_create, referral_transition

__all__ = [
    "ASSESSMENT_FIELDS",
    "WindowIn",
    "admission_admit",
    "admitted_from_for",
    "assessment_addendum_add",
    "assessment_diagnosis_add",
    "assessment_diagnosis_remove",
    "assessment_sign",
    "assessment_start",
    "assessment_update",
    "availability_set",
    "availability_window_add",
    "availability_window_remove",
    "placement_decide",
    "placement_preview",
    "placement_recheck",
    "previous_treatment_add",
    "previous_treatment_remove",
    "referral_contact_record",
    "referral_create",
    "referral_transition",
]
