"""Writes of billing: one use case each, atomic and audited; each starts with its access
check (privacy/access/billing.py)."""

from .authorizations import (
    authorization_create,
    authorization_update,
    review_outcome_record,
    review_schedule,
)
from .claim_changes import claim_secondary, claim_void
from .claims import claim_correct, claims_generate
from .coverage import coverage_add, coverage_end, coverage_update, eligibility_check_record
from .payers import payer_create
from .remittance import remittance_import

__all__ = [
    "authorization_create",
    "authorization_update",
    "claim_correct",
    "claim_secondary",
    "claim_void",
    "claims_generate",
    "coverage_add",
    "coverage_end",
    "coverage_update",
    "eligibility_check_record",
    "payer_create",
    "remittance_import",
    "review_outcome_record",
    "review_schedule",
]
