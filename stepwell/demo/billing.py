"""The demo clinic's payers and coverages: one payer of each kind a real IOP bills, each
with its hours rule (docs/clinical-sources.md §2), and each program's own rule for
self-pay patients. Every name and number here is invented."""

from __future__ import annotations

from stepwell.billing import services
from stepwell.billing.models import ProgramHoursRule

# (name, kind, hours rule, the payer's own numbers beyond its rule's defaults)
PAYERS = {
    "medicare": ("Medicare (synthetic)", "medicare", "medicare_iop", {}),
    "h0015": ("Example Mutual", "commercial", "h0015", {}),
    "commercial": ("Synthetic Health Plan", "commercial", "s9480", {"min_days": 3}),
    "medicaid": ("Demo Medicaid", "medicaid", "s9480", {}),
    "self_pay": ("Self-pay", "self_pay", "program_default", {}),
}
# Which payers a program's patients have, by weight. Alcohol and drug programs bill H0015.
PAYER_MIX = {
    "mh": [("commercial", 4), ("medicaid", 3), ("medicare", 2), ("self_pay", 1)],
    "sud": [("h0015", 5), ("medicaid", 3), ("medicare", 1), ("self_pay", 1)],
    "dual": [("h0015", 3), ("commercial", 2), ("medicaid", 3), ("medicare", 1), ("self_pay", 1)],
}
MEDICARE_AGE = 65


def seed_payers(clinic) -> dict[str, object]:
    """The payer table (set up by the administrator) and each program's own rule: three
    days a week of at least three hours, the timetable's blocks."""
    admin = clinic.users["admin"]
    payers = {}
    for key, (name, kind, rule, numbers) in PAYERS.items():
        payers[key] = services.payer_create(
            actor=admin, name=name, kind=kind, hours_rule=rule, **numbers
        )
    for program in clinic.programs.values():
        ProgramHoursRule.objects.create(
            program=program, min_daily_minutes=180, min_days=3, day_counts_from_minutes=180
        )
    return payers


def choose_payer(rng, key: str, age_years: int) -> str:
    """A payer key for a new patient: Medicare from 65, else the program's mix."""
    if age_years >= MEDICARE_AGE:
        return "medicare"
    keys, weights = zip(*PAYER_MIX[key], strict=True)
    return rng.choices(keys, weights=weights)[0]


def add_coverage(clinic, payers, patient, payer_key: str) -> None:
    services.coverage_add(
        actor=clinic.users["billing"],
        patient_id=patient.pk,
        payer_id=payers[payer_key].pk,
        member_id=patient.insurance_member_id,
        group_number=patient.insurance_group_number,
    )
