"""The billing tables: payers and their rules, coverages, authorizations and reviews,
claims and the days they bill."""

from .authorizations import (
    OPEN_OUTCOMES,
    Authorization,
    AuthorizationStatus,
    ReviewOutcome,
    UnitKind,
    UtilizationReview,
)
from .claims import BilledDay, Claim, ClaimBatch, ClaimFormat, ClaimLine, ClaimStatus
from .coverage import (
    Coverage,
    CoveragePriority,
    EligibilityCheck,
    EligibilityMethod,
    EligibilityResult,
    SubscriberRelationship,
)
from .payers import (
    BillingProvider,
    Charge,
    ClaimMethod,
    HoursRule,
    Payer,
    PayerKind,
    ProgramHoursRule,
)

__all__ = [
    "OPEN_OUTCOMES",
    "Authorization",
    "AuthorizationStatus",
    "BilledDay",
    "BillingProvider",
    "Charge",
    "Claim",
    "ClaimBatch",
    "ClaimFormat",
    "ClaimLine",
    "ClaimMethod",
    "ClaimStatus",
    "Coverage",
    "CoveragePriority",
    "EligibilityCheck",
    "EligibilityMethod",
    "EligibilityResult",
    "HoursRule",
    "Payer",
    "PayerKind",
    "ProgramHoursRule",
    "ReviewOutcome",
    "SubscriberRelationship",
    "UnitKind",
    "UtilizationReview",
]
