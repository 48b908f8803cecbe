"""Census by day and by week.

A patient is in treatment on a day from their admission to their discharge, both days
included (as "days in program" on the caseload); days on hold count, since the episode
is open. Counted per episode: a patient in two programs counts in each.

The database counts admissions and discharges per day; the census of each day is then a
running sum over the days of the period, not a pass over the patients.
"""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta

from django.db.models import Count, Q

from stepwell.schedule.calendar.weeks import iso_week_of

from ..scope import ReportScope
from ..tables import Column, ColumnKind, Report, Table, one_decimal

WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


def _per_day(queryset, field: str) -> Counter:
    rows = queryset.values(field).annotate(n=Count("pk")).values_list(field, "n")
    return Counter(dict(rows))


def daily_census(scope: ReportScope) -> tuple[list[tuple[date, int, int, int]], int]:
    """Per day of the period: (day, in treatment, admitted that day, discharged that day),
    and the number of patients in treatment on some day of it."""
    admitted = scope.episodes().filter(admitted_on__isnull=False)
    before = admitted.filter(admitted_on__lt=scope.date_from).filter(
        Q(discharged_on__isnull=True) | Q(discharged_on__gte=scope.date_from)
    )
    start = before.count()
    in_period = Q(admitted_on__gte=scope.date_from, admitted_on__lte=scope.date_to)
    admissions = _per_day(admitted.filter(in_period), "admitted_on")
    discharges = _per_day(
        admitted.filter(discharged_on__gte=scope.date_from, discharged_on__lte=scope.date_to),
        "discharged_on",
    )
    rows = []
    census = start
    for day in scope.days:
        census += admissions[day] - discharges[day - timedelta(days=1)]
        rows.append((day, census, admissions[day], discharges[day]))
    patients = (
        admitted.filter(admitted_on__lte=scope.date_to)
        .filter(Q(discharged_on__isnull=True) | Q(discharged_on__gte=scope.date_from))
        .values("patient_id")
        .distinct()
        .count()
    )
    return rows, patients


def census_report(scope: ReportScope) -> Report:
    days, patients = daily_census(scope)
    weeks: dict[str, list[tuple[date, int, int, int]]] = {}
    for row in days:
        weeks.setdefault(iso_week_of(row[0]), []).append(row)
    week_rows = []
    for week, rows in weeks.items():
        census = [r[1] for r in rows]
        # In treatment during the week: those in on its first day plus those admitted later.
        during = rows[0][1] + sum(r[2] for r in rows[1:])
        week_rows.append(
            (
                week,
                len(rows),
                one_decimal(sum(census) / len(census)),
                max(census),
                during,
                sum(r[2] for r in rows),
                sum(r[3] for r in rows),
            )
        )
    by_week = Table(
        key="by_week",
        title="Census by week",
        columns=(
            Column("week", "Week", ColumnKind.TEXT),
            Column("days", "Days in the period"),
            Column("average", "Average daily census", ColumnKind.NUMBER),
            Column("highest", "Highest daily census"),
            Column("in_treatment", "In treatment during the week"),
            Column("admissions", "Admissions"),
            Column("discharges", "Discharges"),
        ),
        rows=tuple(week_rows),
    )
    by_day = Table(
        key="by_day",
        title="Census by day",
        columns=(
            Column("day", "Date", ColumnKind.TEXT),
            Column("weekday", "Day", ColumnKind.TEXT),
            Column("census", "In treatment"),
            Column("admissions", "Admitted"),
            Column("discharges", "Discharged"),
        ),
        rows=tuple(
            (day.isoformat(), WEEKDAYS[day.weekday()], census, admitted, discharged)
            for day, census, admitted, discharged in days
        ),
    )
    return Report(tables=(by_week, by_day), patient_count=patients)
