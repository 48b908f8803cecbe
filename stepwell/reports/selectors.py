"""Reading a report: the one way the page, the CSV, the PDF and the API get their numbers.

`report_run` starts from the user (stepwell/privacy/access/reports.py decides which
programs the report counts for them), builds the scope from the filters, computes the
report from the record as it stands (no nightly batch), applies the small-cell rule to
the outcome reports, and writes one audit event naming the report, the filters and how
many patients were counted (no patient is named: a report shows no patient).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime

from django.conf import settings

from stepwell.billing.models import Payer
from stepwell.clinic.models import Program, Site, Track
from stepwell.privacy.access.reports import (
    access_report_audiences,
    access_report_programs_by_id,
    programs_reported_to,
)
from stepwell.privacy.audit import AuditAction, audit_record
from stepwell.privacy.refusals import refuse

from .charts import Bar, LinePoint, bar_chart_svg, line_chart_svg
from .registry import SPECS, ReportSpec, report_spec
from .scope import ReportScope, report_scope
from .tables import ColumnKind, Report, page_text, suppress_small_cells


@dataclass(frozen=True)
class ReportChoices:
    """What the filters offer: the user's programs for this report, their sites, tracks
    and the payers."""

    programs: tuple[Program, ...]
    sites: tuple[Site, ...]
    tracks: tuple[tuple[str, str], ...]
    payers: tuple[Payer, ...]


@dataclass(frozen=True)
class ReportResult:
    spec: ReportSpec
    scope: ReportScope
    report: Report
    chart_svg: str
    choices: ReportChoices


def report_catalogue(*, user) -> list[ReportSpec]:
    """The reports the user may open (an audited refusal when none)."""
    audiences = access_report_audiences(user)
    return [spec for spec in SPECS if spec.audience in audiences]


def min_cell() -> int:
    return int(getattr(settings, "STEPWELL_REPORT_MIN_CELL", 5))


def _choices(programs: list[Program]) -> ReportChoices:
    sites = {program.site_id: program.site for program in programs}
    tracks = {program.track for program in programs}
    return ReportChoices(
        programs=tuple(programs),
        sites=tuple(sorted(sites.values(), key=lambda site: site.name)),
        tracks=tuple((value, label) for value, label in Track.choices if value in tracks),
        payers=tuple(Payer.objects.order_by("name")),
    )


def chart_for(spec: ReportSpec, report: Report) -> str:
    """The report's chart, drawn from the same cells as its table (hidden cells stay hidden)."""
    chart = spec.chart
    table = report.table(chart.table)
    if table is None:
        return ""
    index = table.column_index(chart.value)
    column = table.columns[index]
    label_indexes = [table.column_index(key) for key in chart.labels]
    if chart.kind == "line":
        points = [
            LinePoint(label=str(row[label_indexes[0]]), value=float(row[index]))
            for row in table.rows
            if isinstance(row[index], int | float)
        ]
        return line_chart_svg(title=chart.title, points=points)
    bars = []
    for row in table.rows:
        if chart.only and not str(row[label_indexes[-1]]).startswith(chart.only):
            continue
        value = row[index]
        label = " · ".join(str(row[n]) for n in label_indexes)
        number = float(value) if isinstance(value, int | float) else None
        bars.append(Bar(label=label, value=number, shown=page_text(column, value)))
    maximum = 100.0 if column.kind is ColumnKind.PERCENT else None
    return bar_chart_svg(title=chart.title, bars=bars, maximum=maximum)


def report_run(
    *,
    user,
    name: str,
    now: datetime,
    program_id: int | None = None,
    site_id: int | None = None,
    track: str = "",
    payer_id: int | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
    action: str = AuditAction.VIEW,
    output: str = "page",
) -> ReportResult:
    """Compute the report `name` for the user with the filters given. An unknown report
    and a program the user may not report on get the same audited refusal; bad filters
    raise ApplicationError naming the field."""
    spec = report_spec(name)
    if spec is None:
        raise refuse(actor=user, action=action, object_type="report", object_id=str(name)[:64])
    programs = access_report_programs_by_id(
        user, report=spec.name, audience=spec.audience, program_id=program_id, action=action
    )
    everything = programs
    if program_id not in (None, ""):
        allowed = programs_reported_to(user, spec.audience)
        everything = list(Program.objects.filter(pk__in=allowed).select_related("site"))
    scope = report_scope(
        programs=programs,
        now=now,
        program_id=program_id,
        site_id=site_id,
        track=track,
        payer_id=payer_id if spec.payer_applies else None,
        date_from=date_from,
        date_to=date_to,
        max_days=spec.max_days,
    )
    report = spec.build(scope)
    if spec.outcome:
        threshold = min_cell()
        tables = tuple(suppress_small_cells(table, threshold) for table in report.tables)
        report = replace(
            report, tables=tables, suppressed_below=threshold if threshold > 1 else None
        )
    audit_record(
        user=user,
        action=action,
        object_type="report",
        object_id=spec.name,
        detail={**scope.filters(), "output": output, "patients": report.patient_count},
    )
    return ReportResult(
        spec=spec,
        scope=scope,
        report=report,
        chart_svg=chart_for(spec, report),
        choices=_choices(sorted(everything, key=lambda program: program.name)),
    )
