"""The writes of medications, allergies, reconciliations, visits, adherence,
addiction-medicine records and drug tests: one atomic, audited function per use case."""

from .addiction import naloxone_record, pdmp_attest
from .adherence import adherence_answer
from .drug_tests import (
    drug_test_confirm,
    drug_test_order,
    drug_test_point_of_care,
    drug_test_results_record,
    drug_test_review,
)
from .medications import MedicationData, allergy_record, medication_create, medication_update
from .random_testing import (
    WeeklyDraw,
    random_draw_run,
    random_draw_verify,
    random_draw_weekly,
    random_testing_set,
)
from .reconciliation import (
    DecisionIn,
    reconciliation_decide,
    reconciliation_new_medication,
    reconciliation_record,
    reconciliation_sign,
    reconciliation_start,
)
from .rxnorm_load import rxnorm_load
from .visits import visit_medication_change, visit_side_effects_record, visit_start

__all__ = [
    "DecisionIn",
    "MedicationData",
    "WeeklyDraw",
    "adherence_answer",
    "allergy_record",
    "drug_test_confirm",
    "drug_test_order",
    "drug_test_point_of_care",
    "drug_test_results_record",
    "drug_test_review",
    "medication_create",
    "medication_update",
    "naloxone_record",
    "pdmp_attest",
    "random_draw_run",
    "random_draw_verify",
    "random_draw_weekly",
    "random_testing_set",
    "reconciliation_decide",
    "reconciliation_new_medication",
    "reconciliation_record",
    "reconciliation_sign",
    "reconciliation_start",
    "rxnorm_load",
    "visit_medication_change",
    "visit_side_effects_record",
    "visit_start",
]
