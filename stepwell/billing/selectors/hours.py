"""Reads of coverage and of the hours rule it brings.

These are building blocks of other areas' services and selectors (plans, weekly hours,
the schedule optimizer), which have fetched the patient or program through their access
function first; no page or endpoint calls them directly.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from stepwell.care.hours.rules import RULE_DEFAULTS, HoursRule, RuleKind
from stepwell.clinic.models import Program
from stepwell.core.kept import KeptRecords, Many
from stepwell.patients.models import Patient

from ..models import Coverage, CoveragePriority, Payer, PayerKind, ProgramHoursRule

_PRIORITY_ORDER = {
    CoveragePriority.PRIMARY: 0,
    CoveragePriority.SECONDARY: 1,
    CoveragePriority.TERTIARY: 2,
}


def by_priority(rows: Iterable[Coverage]) -> list[Coverage]:
    return sorted(rows, key=lambda c: (_PRIORITY_ORDER.get(c.priority, 9), c.pk))


def coverages_in_force(*, patient: Patient, on: date) -> list[Coverage]:
    """The patient's coverages in force on a day, primary first."""
    rows = [
        c for c in Coverage.objects.filter(patient=patient).select_related("payer") if c.covers(on)
    ]
    return by_priority(rows)


def coverage_primary(*, patient: Patient, on: date) -> Coverage | None:
    rows = coverages_in_force(patient=patient, on=on)
    return rows[0] if rows else None


def patient_has_medicare(*, patient: Patient, on: date) -> bool:
    """True when any coverage in force on the day is Medicare."""
    return any(
        c.payer.kind == PayerKind.MEDICARE for c in coverages_in_force(patient=patient, on=on)
    )


# ---- hours rules -------------------------------------------------------------------------


@dataclass(frozen=True)
class RuleSource:
    """The rule a week is measured against and where it comes from, in words."""

    rule: HoursRule
    source: str
    coverage: Coverage | None = None


# Read for every page of weekly hours (caseload, compliance): kept compiled, the ids as one
# list parameter (stepwell/core/kept.py).
_PROGRAM_RULES = KeptRecords(
    ProgramHoursRule,
    lambda programs: ProgramHoursRule.objects.filter(program_id__any_of=programs),
    programs=Many(Program._meta.pk),
)
_COVERAGES = KeptRecords(
    Coverage,
    lambda patients: Coverage.objects.filter(patient_id__any_of=patients).select_related("payer"),
    patients=Many(Patient._meta.pk),
)


def program_default_rule(program: Program) -> HoursRule:
    """The program's own rule: its weekly window and the day rule it set, if any."""
    return program_default_rules([program])[program.pk]


def program_default_rules(programs: Iterable[Program]) -> dict[int, HoursRule]:
    """program_default_rule of each program, by program id, in one query."""
    chosen = {program.pk: program for program in programs}
    rows = {row.program_id: row for row in _PROGRAM_RULES.records(programs=list(chosen))}
    found = {}
    for program_id, program in chosen.items():
        row = rows.get(program_id)
        found[program_id] = (
            HoursRule(name=f"{program.name} default")
            if row is None
            else HoursRule(
                name=f"{program.name} default",
                kind=RuleKind.PROGRAM_DEFAULT,
                min_daily_minutes=row.min_daily_minutes,
                min_days=row.min_days,
                day_counts_from_minutes=row.day_counts_from_minutes,
            )
        )
    return found


def payer_rule(payer: Payer, program_default: HoursRule) -> HoursRule:
    """A payer's rule; a payer on the program default (self-pay) follows the program."""
    if payer.hours_rule == RuleKind.PROGRAM_DEFAULT:
        return program_default
    return HoursRule(
        name=f"{RULE_DEFAULTS[RuleKind(payer.hours_rule)].name} ({payer.name})",
        kind=RuleKind(payer.hours_rule),
        min_weekly_minutes=payer.min_weekly_minutes,
        min_daily_minutes=payer.min_daily_minutes,
        min_days=payer.min_days,
        day_counts_from_minutes=payer.day_counts_from_minutes,
    )


def _covers_week(coverage: Coverage, monday: date) -> bool:
    return any(coverage.covers(date.fromordinal(monday.toordinal() + d)) for d in range(7))


def hours_rules_for(
    *, patient_ids: Iterable[int], program: Program, monday: date
) -> dict[int, RuleSource]:
    """Per patient, the rule of the primary coverage in force during the ISO week starting
    `monday` (the first in priority order), else the program's default. Two queries."""
    found = hours_rules_of((patient_id, program, monday) for patient_id in patient_ids)
    return {patient_id: source for (patient_id, _), source in found.items()}


def hours_rules_of(
    wanted: Iterable[tuple[int, Program, date]],
) -> dict[tuple[int, int], RuleSource]:
    """hours_rules_for of patients in several programs at once: for each (patient id,
    program, Monday of the week), by (patient id, program id). Two queries whatever the
    number of programs (their default rules, the patients' coverage)."""
    weeks = {(patient_id, program.pk): (program, monday) for patient_id, program, monday in wanted}
    defaults = program_default_rules(program for program, _ in weeks.values())
    coverages: dict[int, list[Coverage]] = {patient_id: [] for patient_id, _ in weeks}
    for coverage in _COVERAGES.records(patients=list(coverages)):
        coverages[coverage.patient_id].append(coverage)
    result = {}
    for (patient_id, program_id), (_, monday) in weeks.items():
        default = defaults[program_id]
        ordered = by_priority(c for c in coverages[patient_id] if _covers_week(c, monday))
        if not ordered:
            result[patient_id, program_id] = RuleSource(
                default, "No coverage on file: the program's rule."
            )
            continue
        coverage = ordered[0]
        rule = payer_rule(coverage.payer, default)
        words = f"{coverage.payer.name}, {coverage.get_priority_display().lower()} coverage"
        if coverage.payer.hours_rule == RuleKind.PROGRAM_DEFAULT:
            words += ": the program's rule"
        result[patient_id, program_id] = RuleSource(rule, f"{words}.", coverage)
    return result


def hours_rule_for(*, patient: Patient, program: Program, monday: date) -> RuleSource:
    return hours_rules_for(patient_ids=[patient.pk], program=program, monday=monday)[patient.pk]
