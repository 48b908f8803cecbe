"""A report's tables as values, the small-cell rule, and how a cell reads on the page, in a
CSV and in JSON. No Django: the report builders fill these, the edges show them.

One number, three forms: a table holds each cell once (a count, a percentage rounded to
one decimal, a number of days rounded to one decimal, a text, or nothing). The page adds
the unit ("45.0%"), the CSV and the JSON carry the same digits ("45.0", 45.0), so the three
always agree. A cell hidden by the small-cell rule reads "<5" (the threshold) everywhere.

The small-cell rule (docs/reports.md): in outcome reports, a count from 1 to threshold - 1
is hidden, and so is a count whose complement in its denominator (denominator - count)
is that small, since the complement could be read off the two shown numbers; a share is
hidden with its count or its denominator, and so is a mean or median of a hidden count.
Zero is shown: nobody can be picked out of it.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

Cell = str | int | float | None
# Text in a CSV cell that a spreadsheet would run as a formula (CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


class ColumnKind(enum.StrEnum):
    TEXT = "text"
    COUNT = "count"
    PERCENT = "percent"  # 0-100, one decimal
    NUMBER = "number"  # one decimal (days, hours, a daily average)


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    kind: ColumnKind = ColumnKind.COUNT
    # A count's denominator (the key of another count column of the same row), for the
    # complement part of the small-cell rule.
    denominator: str | None = None
    # A percentage's (numerator, denominator) count columns: hidden with either. A number
    # (a mean, a median) may name its count here too, to be hidden with it.
    share_of: tuple[str, str] | None = None


@dataclass(frozen=True)
class Table:
    key: str
    title: str
    columns: tuple[Column, ...]
    rows: tuple[tuple[Cell, ...], ...]
    note: str = ""

    def column_index(self, key: str) -> int:
        return next(n for n, column in enumerate(self.columns) if column.key == key)

    def column_values(self, key: str) -> list[Cell]:
        index = self.column_index(key)
        return [row[index] for row in self.rows]


@dataclass(frozen=True)
class Report:
    """A report as computed: its tables, how many patients it counted, and notes."""

    tables: tuple[Table, ...]
    patient_count: int
    notes: tuple[str, ...] = ()
    suppressed_below: int | None = None  # the small-cell threshold applied, if any
    extra: dict = field(default_factory=dict)

    def table(self, key: str) -> Table | None:
        return next((table for table in self.tables if table.key == key), None)


def percent(numerator: int | None, denominator: int | None) -> float | None:
    """numerator / denominator as a percentage with one decimal; None when undefined."""
    if numerator is None or not denominator:
        return None
    return round(100 * numerator / denominator, 1)


def one_decimal(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


def histogram_mean(counts: dict[int, int]) -> float | None:
    """The mean of values given as {value: how many}."""
    total = sum(counts.values())
    if not total:
        return None
    return one_decimal(sum(value * n for value, n in counts.items()) / total)


def histogram_median(counts: dict[int, int]) -> float | None:
    """The median of values given as {value: how many}: the middle value, or the mean of
    the two middle values for an even count (one decimal)."""
    total = sum(counts.values())
    if not total:
        return None
    ordered = sorted((value, n) for value, n in counts.items() if n > 0)

    def nth(position: int) -> int:  # 0-based position in the sorted values
        seen = 0
        for value, n in ordered:
            seen += n
            if position < seen:
                return value
        return ordered[-1][0]

    if total % 2:
        return float(nth(total // 2))
    return one_decimal((nth(total // 2 - 1) + nth(total // 2)) / 2)


# ---- the small-cell rule -------------------------------------------------------------------


def suppressed_mark(threshold: int) -> str:
    return f"<{threshold}"


def _small(value: Cell, threshold: int) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 0 < value < threshold


def suppress_row(columns: Sequence[Column], row: Sequence[Cell], threshold: int) -> tuple:
    values = {column.key: value for column, value in zip(columns, row, strict=True)}
    hidden: set[str] = set()
    for column in columns:
        if column.kind is ColumnKind.COUNT and _small(values[column.key], threshold):
            hidden.add(column.key)
    for column in columns:
        if column.kind is not ColumnKind.COUNT or column.denominator is None:
            continue
        count, denominator = values[column.key], values.get(column.denominator)
        if not isinstance(count, int) or not isinstance(denominator, int):
            continue
        if column.denominator in hidden or _small(denominator - count, threshold):
            hidden.add(column.key)
    for column in columns:
        if column.kind in (ColumnKind.PERCENT, ColumnKind.NUMBER) and column.share_of:
            numerator, denominator = column.share_of
            if numerator in hidden or denominator in hidden:
                hidden.add(column.key)
    mark = suppressed_mark(threshold)
    return tuple(
        mark if column.key in hidden else value for column, value in zip(columns, row, strict=True)
    )


def suppress_small_cells(table: Table, threshold: int) -> Table:
    """The table with the small-cell rule applied (a threshold below 2 changes nothing)."""
    if threshold < 2:
        return table
    rows = tuple(suppress_row(table.columns, row, threshold) for row in table.rows)
    return replace(table, rows=rows)


# ---- how a cell reads ----------------------------------------------------------------------


def page_text(column: Column, value: Cell) -> str:
    """A cell on the page: the CSV's digits with the unit, a dash for nothing."""
    if value is None:
        return "—"
    if isinstance(value, str) and column.kind is not ColumnKind.TEXT:
        return value  # a hidden cell: "<5"
    text = csv_text(column, value)
    return f"{text}%" if column.kind is ColumnKind.PERCENT else text


def csv_text(column: Column, value: Cell) -> str:
    """A cell in the CSV: numbers as digits (one decimal for percentages and numbers),
    nothing as an empty cell, text guarded against being run as a spreadsheet formula."""
    if value is None:
        return ""
    if column.kind in (ColumnKind.PERCENT, ColumnKind.NUMBER) and isinstance(value, int | float):
        return f"{value:.1f}"
    text = str(value)
    if column.kind is ColumnKind.TEXT and text.startswith(FORMULA_STARTS):
        return "'" + text
    return text


def csv_rows(table: Table) -> list[list[str]]:
    header = [column.label for column in table.columns]
    return [header] + [
        [csv_text(column, value) for column, value in zip(table.columns, row, strict=True)]
        for row in table.rows
    ]
