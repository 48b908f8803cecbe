"""Weekly-hours compliance by payer rule.

Each patient-week is measured as the program's compliance page measures it
(care/hours/weekly.py `program_compliance`, the engine in care/hours/rules.py): against the rule
of the patient's coverage that week, or the program's own rule; holidays, admission and
discharge weeks and days on hold prorated; a whole week on hold not measured; a step-down
week reported, not flagged. A week still under way counts what is still scheduled (its
projection), as on that page. The report covers the ISO weeks that meet the period, at
most thirteen. The minutes are summed by the database for every week at once
(patient_weeks.py), so the report stays fast on a large clinic.
"""

from __future__ import annotations

from collections import defaultdict

from stepwell.care.hours.rules import RuleKind

from ..scope import ReportScope
from ..tables import Column, ColumnKind, Report, Table, percent
from .patient_weeks import PatientWeek, patient_weeks

MAX_DAYS = 91
RULE_LABELS = {
    RuleKind.H0015: "H0015 per diem",
    RuleKind.MEDICARE_IOP: "Medicare IOP",
    RuleKind.S9480: "S9480 per diem",
    RuleKind.PROGRAM_DEFAULT: "program's own rule",
}


def payer_and_rule(week: PatientWeek) -> str:
    return f"{week.payer_name}: {RULE_LABELS.get(RuleKind(week.rule.kind), week.rule.name)}"


def _counted_as(week: PatientWeek) -> tuple[str, ...]:
    """The counts a patient-week adds one to."""
    if week.on_hold:
        return ("on_hold",)
    below = "below" if week.below_minimum else "met"
    return ("measured", below, "transition") if week.transitioning else ("measured", below)


def _empty() -> dict:
    return {"measured": 0, "met": 0, "below": 0, "on_hold": 0, "transition": 0}


def compliance_weeks(scope: ReportScope) -> list[PatientWeek]:
    """Every patient-week of the report's programs, of the chosen payer's coverage when a
    payer is chosen (the coverage whose rule measured the week)."""
    weeks = patient_weeks(scope)
    if scope.payer is None:
        return weeks
    return [week for week in weeks if week.payer_id == scope.payer.pk]


def _columns(first: Column) -> tuple[Column, ...]:
    return (
        first,
        Column("measured", "Patient-weeks measured"),
        Column("met", "Met the minimum"),
        Column("below", "Below the minimum"),
        Column("compliance", "Compliance", ColumnKind.PERCENT, share_of=("met", "measured")),
        Column("on_hold", "On hold (not measured)"),
        Column("transition", "Step-down weeks"),
    )


def _row(label: str, counts: dict) -> tuple:
    return (
        label,
        counts["measured"],
        counts["met"],
        counts["below"],
        percent(counts["met"], counts["measured"]),
        counts["on_hold"],
        counts["transition"],
    )


def hours_report(scope: ReportScope) -> Report:
    weeks = compliance_weeks(scope)
    by_rule: dict[str, dict] = defaultdict(_empty)
    by_week: dict[str, dict] = {week: _empty() for week in scope.weeks}
    labels: dict[tuple, str] = {}  # payer_and_rule, worked out once per payer and rule
    for week in weeks:
        pair = (week.payer_name, week.rule.kind, week.rule.name)
        label = labels.get(pair)
        if label is None:
            label = labels[pair] = payer_and_rule(week)
        rule_counts, week_counts = by_rule[label], by_week[week.week]
        for name in _counted_as(week):
            rule_counts[name] += 1
            week_counts[name] += 1
    rule_table = Table(
        key="by_rule",
        title="Compliance by payer and rule",
        columns=_columns(Column("rule", "Payer and rule", ColumnKind.TEXT)),
        rows=tuple(_row(label, by_rule[label]) for label in sorted(by_rule)),
    )
    week_table = Table(
        key="by_week",
        title="Compliance by week",
        columns=_columns(Column("week", "Week", ColumnKind.TEXT)),
        rows=tuple(_row(week, counts) for week, counts in by_week.items()),
    )
    patients = len({week.patient_id for week in weeks})
    return Report(tables=(rule_table, week_table), patient_count=patients)
