"""The discharge gate rule, case by case, and over every disposition (no database)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from stepwell.discharge.gate_rules import (
    PLAN_MISSING,
    SUMMARY_MISSING,
    DischargeDocuments,
    GatePolicy,
    gate_errors,
)

DISPOSITIONS = [
    "completed",
    "stepped_down",
    "stepped_up",
    "left_against_advice",
    "transferred",
    "administrative",
]
DEFAULT = GatePolicy(True, frozenset({"left_against_advice", "administrative"}))
NONE = DischargeDocuments(summary_signed=False, plan_signed=False)
BOTH = DischargeDocuments(summary_signed=True, plan_signed=True)


@pytest.mark.parametrize(
    ("disposition", "documents", "expected"),
    [
        ("completed", NONE, {"discharge_summary": SUMMARY_MISSING, "aftercare_plan": PLAN_MISSING}),
        ("completed", BOTH, {}),
        ("completed", DischargeDocuments(True, False), {"aftercare_plan": PLAN_MISSING}),
        ("stepped_down", DischargeDocuments(False, True), {"discharge_summary": SUMMARY_MISSING}),
        ("left_against_advice", NONE, {}),
        ("administrative", NONE, {}),
        (
            "transferred",
            NONE,
            {"discharge_summary": SUMMARY_MISSING, "aftercare_plan": PLAN_MISSING},
        ),
    ],
)
def test_default_policy(disposition, documents, expected):
    assert gate_errors(DEFAULT, disposition, documents) == expected


@given(
    st.sampled_from(DISPOSITIONS),
    st.booleans(),
    st.booleans(),
    st.frozensets(st.sampled_from(DISPOSITIONS)),
)
def test_gate_is_off_when_the_program_does_not_require_documents(d, summary, plan, exempt):
    policy = GatePolicy(documents_required=False, exempt_dispositions=exempt)
    assert gate_errors(policy, d, DischargeDocuments(summary, plan)) == {}


@given(
    st.sampled_from(DISPOSITIONS),
    st.booleans(),
    st.booleans(),
    st.frozensets(st.sampled_from(DISPOSITIONS)),
)
def test_gate_blocks_exactly_the_missing_documents(d, summary, plan, exempt):
    errors = gate_errors(GatePolicy(True, exempt), d, DischargeDocuments(summary, plan))
    if d in exempt:
        assert errors == {}
    else:
        assert ("discharge_summary" in errors) is (not summary)
        assert ("aftercare_plan" in errors) is (not plan)
