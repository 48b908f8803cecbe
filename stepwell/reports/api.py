"""The reports over JSON: the same selector, the same cells as the page and its CSV.

`GET /api/v1/reports` lists the reports the caller may open; `GET /api/v1/reports/{name}`
returns one with `?program=&site=&track=&payer=&from=&to=`. A refusal (an unknown report,
a program one may not report on) is audited where it is decided and answered 403; a bad
filter 400 naming it.
"""

from __future__ import annotations

from datetime import date

from django.utils import timezone
from ninja import Field, Query, Router, Schema, Status

from stepwell.core.api_schemas import Out, responses

from . import selectors

router = Router(tags=["reports"])
CellOut = str | int | float | None


class ReportFilters(Schema):
    program: int | None = None
    site: int | None = None
    track: str = ""
    payer: int | None = None
    date_from: date | None = Field(None, alias="from")
    date_to: date | None = Field(None, alias="to")


class ReportSummaryOut(Out):
    name: str
    title: str
    summary: str
    group: str


class ColumnOut(Out):
    key: str
    label: str
    kind: str


class TableOut(Out):
    key: str
    title: str
    note: str
    columns: list[ColumnOut]
    rows: list[list[CellOut]]


class ReportOut(Out):
    name: str
    title: str
    filters: dict
    patient_count: int
    suppressed_below: int | None
    notes: list[str]
    tables: list[TableOut]


@router.get("", response=responses({200: list[ReportSummaryOut]}))
def report_list(request):
    """The reports you may open."""
    specs = selectors.report_catalogue(user=request.user)
    return Status(
        200,
        [{"name": s.name, "title": s.title, "summary": s.summary, "group": s.group} for s in specs],
    )


@router.get("/{name}", response=responses({200: ReportOut}))
def report_read(request, name: str, filters: Query[ReportFilters]):
    """One report's tables, computed now. Cells hidden by the small-cell rule read "<5"."""
    result = selectors.report_run(
        user=request.user,
        name=name,
        now=timezone.now(),
        program_id=filters.program,
        site_id=filters.site,
        track=filters.track,
        payer_id=filters.payer,
        date_from=filters.date_from,
        date_to=filters.date_to,
        output="api",
    )
    report = result.report
    return Status(
        200,
        {
            "name": result.spec.name,
            "title": result.spec.title,
            "filters": result.scope.filters(),
            "patient_count": report.patient_count,
            "suppressed_below": report.suppressed_below,
            "notes": [*result.spec.notes, *report.notes],
            "tables": [
                {
                    "key": table.key,
                    "title": table.title,
                    "note": table.note,
                    "columns": [
                        {"key": c.key, "label": c.label, "kind": str(c.kind)} for c in table.columns
                    ],
                    "rows": [list(row) for row in table.rows],
                }
                for table in report.tables
            ],
        },
    )
