"""Writes of the payer table: one transaction each, audited. Clinic setup only."""

from __future__ import annotations

from django.db import transaction

from stepwell.care.hours.rules import RULE_DEFAULTS, RuleKind
from stepwell.core.errors import ApplicationError
from stepwell.privacy.access.billing import access_payer_edit
from stepwell.privacy.audit import AuditAction, audit_record
from stepwell.privacy.refusals import refuse

from ..models import ClaimMethod, Payer, PayerKind
from .validation import validated

NUMBERS = ("min_weekly_minutes", "min_daily_minutes", "min_days", "day_counts_from_minutes")
# The billing rules a new payer of each hours rule starts from (docs/clinical-sources.md
# §2): H0015 and S9480 per diem from 3 hours a day; Medicare IOP per service with
# condition code 92; a payer on the program's rule has no per-diem code until one is set.
BILLING_DEFAULTS: dict[RuleKind, dict] = {
    RuleKind.H0015: {
        "claim_method": ClaimMethod.PER_DIEM,
        "per_diem_code": "H0015",
        "billable_day_minutes": 180,
    },
    RuleKind.S9480: {
        "claim_method": ClaimMethod.PER_DIEM,
        "per_diem_code": "S9480",
        "billable_day_minutes": 180,
    },
    RuleKind.MEDICARE_IOP: {"claim_method": ClaimMethod.MEDICARE_IOP, "condition_code": "92"},
    RuleKind.PROGRAM_DEFAULT: {"claim_method": ClaimMethod.PER_DIEM},
}
BILLING_FIELDS = (
    "payer_identifier",
    "claim_method",
    "per_diem_code",
    "billable_day_minutes",
    "billable_day_services",
    "condition_code",
    "revenue_code_mental_health",
    "revenue_code_substance_use",
    "requires_authorization",
)


def billing_defaults(*, kind: str, hours_rule: str) -> dict:
    """The billing rules a new payer starts from; self-pay is never claimed."""
    if kind == PayerKind.SELF_PAY:
        return {"claim_method": ClaimMethod.NOT_CLAIMED}
    return dict(BILLING_DEFAULTS[RuleKind(hours_rule)])


def payer_create(
    *,
    actor,
    name: str,
    kind: str,
    hours_rule: str,
    min_weekly_minutes: int | None = None,
    min_daily_minutes: int | None = None,
    min_days: int | None = None,
    day_counts_from_minutes: int | None = None,
    **billing,
) -> Payer:
    """A payer, its numbers and billing rules starting from its rule's defaults
    (care/hours/rules.py RULE_DEFAULTS, BILLING_DEFAULTS above) where not given. `billing`
    takes any of BILLING_FIELDS."""
    if not access_payer_edit(actor):
        raise refuse(
            actor=actor,
            action=AuditAction.CREATE,
            object_type="payer",
            object_id="new",
            message="Only an administrator sets up payers.",
        )
    if hours_rule not in {kind.value for kind in RuleKind}:
        raise ApplicationError(
            "Unknown hours rule.",
            field_errors={"hours_rule": f"One of {', '.join(k.value for k in RuleKind)}."},
        )
    unknown = set(billing) - set(BILLING_FIELDS)
    if unknown:
        raise TypeError(f"payer_create() got unexpected arguments {sorted(unknown)}")
    defaults = RULE_DEFAULTS[RuleKind(hours_rule)]
    given = {
        "min_weekly_minutes": min_weekly_minutes,
        "min_daily_minutes": min_daily_minutes,
        "min_days": min_days,
        "day_counts_from_minutes": day_counts_from_minutes,
    }
    numbers = {
        field: getattr(defaults, field) if given[field] is None else given[field]
        for field in NUMBERS
    }
    rules = billing_defaults(kind=kind, hours_rule=hours_rule) | billing
    payer = Payer(name=(name or "").strip(), kind=kind, hours_rule=hours_rule, **numbers, **rules)
    if not 0 <= payer.min_days <= 7:
        raise ApplicationError("A week has 7 days.", field_errors={"min_days": "0 to 7."})
    validated(payer, "The payer could not be saved.")
    with transaction.atomic():
        payer.save()
        audit_record(
            user=actor,
            action=AuditAction.CREATE,
            object_type="payer",
            object_id=payer.pk,
            detail={"name": payer.name, "hours_rule": payer.hours_rule},
        )
    return payer
