"""Reads of billing. The hours-rule reads (`hours`) are building blocks of other areas'
services, called after their own access check; the others start from the acting user."""

from .hours import (
    RuleSource,
    coverage_primary,
    coverages_in_force,
    hours_rule_for,
    hours_rules_for,
    hours_rules_of,
    patient_has_medicare,
    payer_rule,
    program_default_rule,
)

__all__ = [
    "RuleSource",
    "coverage_primary",
    "coverages_in_force",
    "hours_rule_for",
    "hours_rules_for",
    "hours_rules_of",
    "patient_has_medicare",
    "payer_rule",
    "program_default_rule",
]
