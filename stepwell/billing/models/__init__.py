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
from .claims import (
    STANDING,
    BilledDay,
    Claim,
    ClaimBatch,
    ClaimFormat,
    ClaimLine,
    ClaimStatus,
    RemitOutcome,
)
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
from .remittance import ClaimPayment, Remittance

__all__ = [
    "OPEN_OUTCOMES",
    "STANDING",
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
    "ClaimPayment",
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
    "RemitOutcome",
    "Remittance",
    "ReviewOutcome",
    "SubscriberRelationship",
    "UnitKind",
    "UtilizationReview",
]
