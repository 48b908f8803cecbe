"""Weekly-hours compliance by payer rule.

Each patient-week is measured exactly as the program's compliance page measures it
(care/hours/weekly.py `program_compliance`, the engine in care/hours/rules.py): against the rule
of the patient's coverage that week, or the program's own rule; holidays, admission and
discharge weeks and days on hold prorated; a whole week on hold not measured; a step-down
week reported, not flagged. A week still under way counts what is still scheduled (its
projection), as on that page. The report covers the ISO weeks that meet the period, at
most thirteen.
"""

from __future__ import annotations

from collections import defaultdict

from stepwell.care.hours.rules import RuleKind
from stepwell.care.hours.weekly import ComplianceRow, program_compliance

from ..scope import ReportScope
from ..tables import Column, ColumnKind, Report, Table, percent

MAX_DAYS = 91
RULE_LABELS = {
    RuleKind.H0015: "H0015 per diem",
    RuleKind.MEDICARE_IOP: "Medicare IOP",
    RuleKind.S9480: "S9480 per diem",
    RuleKind.PROGRAM_DEFAULT: "program's own rule",
}
NO_COVERAGE = "No coverage on file"


def payer_and_rule(row: ComplianceRow) -> str:
    coverage = row.rule_source.coverage
    payer = coverage.payer.name if coverage is not None else NO_COVERAGE
    return f"{payer}: {RULE_LABELS.get(RuleKind(row.hours.rule.kind), row.hours.rule.name)}"


def _tally(counts: dict, row: ComplianceRow) -> None:
    hours = row.hours
    if hours.on_hold:
        counts["on_hold"] += 1
        return
    counts["measured"] += 1
    counts["below" if hours.below_minimum else "met"] += 1
    if hours.transitioning:
        counts["transition"] += 1


def _empty() -> dict:
    return {"measured": 0, "met": 0, "below": 0, "on_hold": 0, "transition": 0}


def compliance_rows(scope: ReportScope) -> list[tuple[str, ComplianceRow]]:
    """(week, row) for every patient-week of the report's programs and payer."""
    found = []
    for program in scope.programs:
        for week in scope.weeks:
            for row in program_compliance(program=program, week=week, now=scope.now):
                coverage = row.rule_source.coverage
                if scope.payer is not None and (
                    coverage is None or coverage.payer_id != scope.payer.pk
                ):
                    continue
                found.append((week, row))
    return found


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
    rows = compliance_rows(scope)
    by_rule: dict[str, dict] = defaultdict(_empty)
    by_week: dict[str, dict] = {week: _empty() for week in scope.weeks}
    for week, row in rows:
        _tally(by_rule[payer_and_rule(row)], row)
        _tally(by_week[week], row)
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
    patients = len({row.patient.pk for _, row in rows})
    return Report(tables=(rule_table, week_table), patient_count=patients)
