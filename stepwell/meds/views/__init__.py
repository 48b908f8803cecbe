from .chart import (
    addiction_record,
    allergy_add,
    chart_section,
    medication_add,
    medication_edit,
    reconciliation_page,
    reconciliation_start,
    visit_page,
    visit_start,
)
from .testing import drug_test_order, drug_test_page, testing_program
from .worklist import portal_adherence, worklist

__all__ = [
    "addiction_record",
    "allergy_add",
    "chart_section",
    "drug_test_order",
    "drug_test_page",
    "medication_add",
    "medication_edit",
    "portal_adherence",
    "reconciliation_page",
    "reconciliation_start",
    "testing_program",
    "visit_page",
    "visit_start",
    "worklist",
]
