"""Return and readmission after discharge, from the episodes on record (the outcomes of
the follow-ups at 30, 60 and 90 days are the follow-up report's, follow_up.py).

The episodes are those admitted and discharged on a day of the period. A return within N
days is a later episode of the same patient admitted within N days after the discharge
day; it is counted only for episodes discharged at least N days before today, so a
recent discharge does not count as "did not return" before its window has closed (the
denominator says how many). Only the programs of the report are looked at: a stay in a
program the reader does not report on (a 42 CFR Part 2 program, say) is never disclosed
this way. A readmission at a higher level of care is a return to a program whose level
of care is more intensive than the one left (placement/levels.py).
"""

from __future__ import annotations

from datetime import timedelta

from django.db.models import Count, Exists, OuterRef, Q

from stepwell.patients.models import Disposition, Episode
from stepwell.placement.levels import LevelOfCare

from ..operations.admissions import discharged_in_period
from ..scope import ReportScope
from ..tables import Column, ColumnKind, Report, Table
from .discharge import share_columns, share_row

WINDOWS = (30, 90)


def _higher_than(level: str) -> list[str]:
    try:
        rank = LevelOfCare(level).intensity
    except ValueError:
        return []
    return [other.value for other in LevelOfCare if other.intensity > rank]


def _returned(scope: ReportScope, days: int, *, same_program: bool, higher: bool) -> Q:
    later = Episode.objects.filter(
        patient=OuterRef("patient"),
        program_id__in=scope.program_ids,
        admitted_on__gte=OuterRef("discharged_on"),
        admitted_on__lte=OuterRef("discharged_on") + timedelta(days=days),
    ).exclude(pk=OuterRef("pk"))
    if same_program:
        later = later.filter(program=OuterRef("program"))
    if not higher:
        return Q(Exists(later))
    condition = Q(pk__in=[])
    for level in {program.level_of_care for program in scope.programs}:
        above = later.filter(program__level_of_care__in=_higher_than(level))
        condition |= Q(program__level_of_care=level) & Q(Exists(above))
    return condition


def readmissions_report(scope: ReportScope) -> Report:
    episodes = discharged_in_period(scope)
    aggregates = {
        "discharged": Count("pk"),
        "stepped_up": Count("pk", filter=Q(discharge_disposition=Disposition.STEPPED_UP)),
    }
    for days in WINDOWS:
        observable = Q(discharged_on__lte=scope.today - timedelta(days=days))
        aggregates[f"observable_{days}"] = Count("pk", filter=observable)
        for name, same, higher in (
            ("same", True, False),
            ("any", False, False),
            ("up", False, True),
        ):
            returned = _returned(scope, days, same_program=same, higher=higher)
            aggregates[f"{name}_{days}"] = Count("pk", filter=observable & returned)
    counts = episodes.aggregate(**aggregates)
    rows = [
        share_row("Discharged after admission", count=counts["discharged"], of=None),
        share_row(
            "Stepped up to a higher level of care at discharge",
            count=counts["stepped_up"],
            of=counts["discharged"],
        ),
    ]
    for days in WINDOWS:
        observable = counts[f"observable_{days}"]
        rows += [
            share_row(
                f"Returned to the same program within {days} days",
                count=counts[f"same_{days}"],
                of=observable,
            ),
            share_row(
                f"Admitted to any program of this report within {days} days",
                count=counts[f"any_{days}"],
                of=observable,
            ),
            share_row(
                f"Readmitted at a higher level of care within {days} days",
                count=counts[f"up_{days}"],
                of=observable,
            ),
        ]
    returns = Table(
        key="returns",
        title="Return and readmission after discharge",
        columns=share_columns((Column("measure", "Measure", ColumnKind.TEXT),)),
        rows=tuple(rows),
        note="Each return is counted of the episodes discharged long enough ago for its "
        "window to have closed.",
    )
    patients = episodes.values("patient_id").distinct().count()
    return Report(tables=(returns,), patient_count=patients)
