"""Writes of billing: one use case each, atomic and audited; each starts with its access
check (privacy/access/billing.py)."""

from .authorizations import authorization_create, review_outcome_record, review_schedule
from .claims import claim_correct, claims_generate
from .coverage import coverage_add, coverage_end, coverage_update, eligibility_check_record
from .payers import payer_create

__all__ = [
    "authorization_create",
    "claim_correct",
    "claims_generate",
    "coverage_add",
    "coverage_end",
    "coverage_update",
    "eligibility_check_record",
    "payer_create",
    "review_outcome_record",
    "review_schedule",
]
