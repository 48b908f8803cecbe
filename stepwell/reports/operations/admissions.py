"""Admissions, discharges by disposition, transfers and step-downs, and length of stay.

- An admission is an episode admitted on a day of the period; a discharge, an admitted
  episode discharged on a day of the period. An episode closed before admission (a
  referral declined or sent elsewhere) is counted apart: it was never in treatment.
- Length of stay is the days from admission to discharge, both included (as "days in
  program" on the caseload), of the episodes discharged in the period.
- Transfers and step-downs are the discharges to another level of care or program, with
  the destination the discharge recorded.

The database groups the stays by length; the average and median come from those counts.
"""

from __future__ import annotations

from collections import Counter, defaultdict

from django.db.models import Count, DurationField, ExpressionWrapper, F, Q

from stepwell.clinic.models import LevelOfCare
from stepwell.patients.episodes import DISPOSITIONS_WITH_DESTINATION
from stepwell.patients.models import Disposition, EpisodeState, LevelOfCareDirection
from stepwell.schedule.calendar.weeks import iso_week_of

from ..scope import ReportScope
from ..tables import (
    Column,
    ColumnKind,
    Report,
    Table,
    histogram_mean,
    histogram_median,
    percent,
)

LENGTH_OF_STAY = ExpressionWrapper(
    F("discharged_on") - F("admitted_on"), output_field=DurationField()
)


def discharged_in_period(scope: ReportScope):
    """Admitted episodes discharged on a day of the period."""
    return scope.episodes().filter(
        state=EpisodeState.DISCHARGED,
        admitted_on__isnull=False,
        discharged_on__gte=scope.date_from,
        discharged_on__lte=scope.date_to,
    )


def stays_by_disposition(scope: ReportScope) -> dict[str, Counter]:
    """{disposition: {length of stay in days: episodes}}."""
    rows = (
        discharged_in_period(scope)
        .values("discharge_disposition", stay=LENGTH_OF_STAY)
        .annotate(n=Count("pk"))
        .values_list("discharge_disposition", "stay", "n")
    )
    stays: dict[str, Counter] = defaultdict(Counter)
    for disposition, stay, n in rows:
        stays[disposition][stay.days + 1] += n
    return stays


def admissions_report(scope: ReportScope) -> Report:
    episodes = scope.episodes()
    admitted = episodes.filter(admitted_on__gte=scope.date_from, admitted_on__lte=scope.date_to)
    admissions_by_day = Counter(
        dict(admitted.values("admitted_on").annotate(n=Count("pk")).values_list("admitted_on", "n"))
    )
    stays = stays_by_disposition(scope)
    discharges_by_day = Counter(
        dict(
            discharged_in_period(scope)
            .values("discharged_on")
            .annotate(n=Count("pk"))
            .values_list("discharged_on", "n")
        )
    )
    never_admitted = episodes.filter(
        state=EpisodeState.DISCHARGED,
        admitted_on__isnull=True,
        discharged_on__gte=scope.date_from,
        discharged_on__lte=scope.date_to,
    ).count()
    all_stays: Counter = Counter()
    for counts in stays.values():
        all_stays.update(counts)
    discharges = sum(all_stays.values())
    admissions = sum(admissions_by_day.values())

    summary = Table(
        key="summary",
        title="Admissions, discharges and length of stay",
        columns=(
            Column("admissions", "Admissions"),
            Column("discharges", "Discharges after admission"),
            Column("never_admitted", "Closed before admission"),
            Column("average_stay", "Average stay (days)", ColumnKind.NUMBER),
            Column("median_stay", "Median stay (days)", ColumnKind.NUMBER),
            Column("shortest_stay", "Shortest stay (days)"),
            Column("longest_stay", "Longest stay (days)"),
        ),
        rows=(
            (
                admissions,
                discharges,
                never_admitted,
                histogram_mean(all_stays),
                histogram_median(all_stays),
                min(all_stays) if all_stays else None,
                max(all_stays) if all_stays else None,
            ),
        ),
        note="Closed before admission: referrals declined or sent elsewhere.",
    )
    disposition_rows = []
    for disposition in Disposition:
        counts = stays.get(disposition.value, Counter())
        n = sum(counts.values())
        disposition_rows.append(
            (
                disposition.label,
                n,
                percent(n, discharges),
                histogram_mean(counts),
                histogram_median(counts),
            )
        )
    by_disposition = Table(
        key="dispositions",
        title="Discharges by disposition",
        columns=(
            Column("disposition", "Disposition", ColumnKind.TEXT),
            Column("discharges", "Discharges"),
            Column("share", "Share of discharges", ColumnKind.PERCENT),
            Column("average_stay", "Average stay (days)", ColumnKind.NUMBER),
            Column("median_stay", "Median stay (days)", ColumnKind.NUMBER),
        ),
        rows=tuple(disposition_rows),
    )
    destinations = Counter(
        {
            (disposition, level): n
            for disposition, level, n in (
                discharged_in_period(scope)
                .filter(
                    discharge_disposition__in=DISPOSITIONS_WITH_DESTINATION,
                    level_of_care_changes__direction=LevelOfCareDirection.TRANSFERRED_TO,
                )
                .values("discharge_disposition", "level_of_care_changes__level_of_care")
                .annotate(n=Count("pk", distinct=True))
                .values_list("discharge_disposition", "level_of_care_changes__level_of_care", "n")
            )
        }
    )
    transitions = Table(
        key="transitions",
        title="Transfers and step-downs, by destination",
        columns=(
            Column("level", "Level of care on leaving", ColumnKind.TEXT),
            *(Column(d.value, d.label) for d in DISPOSITIONS_WITH_DESTINATION),
        ),
        rows=tuple(
            (
                level.label,
                *(destinations[(d.value, level.value)] for d in DISPOSITIONS_WITH_DESTINATION),
            )
            for level in LevelOfCare
        ),
        note="A discharge names the level of care the patient went to.",
    )
    weeks: dict[str, list[int]] = {week: [0, 0] for week in scope.weeks}
    for day, n in admissions_by_day.items():
        weeks[iso_week_of(day)][0] += n
    for day, n in discharges_by_day.items():
        weeks[iso_week_of(day)][1] += n
    by_week = Table(
        key="by_week",
        title="Admissions and discharges by week",
        columns=(
            Column("week", "Week", ColumnKind.TEXT),
            Column("admissions", "Admissions"),
            Column("discharges", "Discharges"),
        ),
        rows=tuple((week, *counts) for week, counts in weeks.items()),
    )
    patients = (
        episodes.filter(
            Q(admitted_on__gte=scope.date_from, admitted_on__lte=scope.date_to)
            | Q(pk__in=discharged_in_period(scope).values("pk"))
        )
        .values("patient_id")
        .distinct()
        .count()
    )
    return Report(tables=(summary, by_disposition, transitions, by_week), patient_count=patients)
