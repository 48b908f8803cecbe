"""The discharge gate, as a rule over plain values. No Django.

A discharge to a disposition other than "left against advice" or "administrative" needs a
signed discharge summary and a signed aftercare plan, where the program asks for them
(docs/clinical-sources.md §11.1 and §11.6: a discharge summary and a written continuing-care plan are
expected of every planned discharge; a patient who leaves without notice cannot sign one).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class GatePolicy:
    documents_required: bool
    exempt_dispositions: frozenset[str]


@dataclass(frozen=True)
class DischargeDocuments:
    summary_signed: bool
    plan_signed: bool


SUMMARY_MISSING = "Sign the discharge summary first (Discharge and aftercare page)."
PLAN_MISSING = (
    "The patient signs the aftercare plan first, on the portal or on paper "
    "(Discharge and aftercare page)."
)


def gate_errors(
    policy: GatePolicy, disposition: str, documents: DischargeDocuments
) -> dict[str, str]:
    """The field errors that stop this discharge; empty when it may go ahead."""
    if not policy.documents_required or disposition in policy.exempt_dispositions:
        return {}
    errors: dict[str, str] = {}
    if not documents.summary_signed:
        errors["discharge_summary"] = SUMMARY_MISSING
    if not documents.plan_signed:
        errors["aftercare_plan"] = PLAN_MISSING
    return errors
