"""Outcomes at discharge: completion and against-advice rates, PHQ-9 and GAD-7 change, and
the joint reliable recovery (docs/clinical-sources.md §3.7, §3.9).

The episodes are those admitted and discharged on a day of the period. Each measure names
its denominator:
- having both scores: of the discharged episodes;
- reliable improvement and deterioration: of the episodes with both scores, by the
  instrument's points threshold (NHS Talking Therapies: PHQ-9 6, GAD-7 4);
- response (a fall of at least 50%): of those with both scores and a baseline above 0;
- remission (below 5 at discharge): of those with both scores who were at 5 or more at
  the start (an episode that began in remission cannot reach it);
- reliable recovery, joint over PHQ-9 and GAD-7: of the episodes with both measures at
  both ends that were at caseness on either at the start.
The rules themselves are measures/change.py's; this module only counts.
"""

from __future__ import annotations

from collections import Counter

from django.db.models import Count

from stepwell.measures.change import ChangeClassification, change_between, reliable_recovery
from stepwell.measures.instruments import instrument_registry
from stepwell.patients.models import Disposition

from ..operations.admissions import discharged_in_period
from ..scope import ReportScope
from ..tables import Column, ColumnKind, Report, Table, percent
from . import scores

RI = ChangeClassification.RELIABLE_IMPROVEMENT
RD = ChangeClassification.RELIABLE_DETERIORATION
COMPLETION_ROWS = (
    Disposition.COMPLETED,
    Disposition.LEFT_AGAINST_ADVICE,
    Disposition.STEPPED_DOWN,
    Disposition.STEPPED_UP,
    Disposition.TRANSFERRED,
    Disposition.ADMINISTRATIVE,
)


def share_columns(first: tuple[Column, ...]) -> tuple[Column, ...]:
    """The long form every outcome table uses: what, how many, of how many, the share."""
    return (
        *first,
        Column("episodes", "Episodes", denominator="of"),
        Column("of", "Of"),
        Column("share", "Share", ColumnKind.PERCENT, share_of=("episodes", "of")),
    )


def share_row(*labels: str, count: int, of: int | None) -> tuple:
    return (*labels, count, of, percent(count, of) if of is not None else None)


def instrument_rows(instrument, pairs: list[tuple[int, int, int]], discharged: int) -> list:
    tally: Counter = Counter()
    for first, last, n in pairs:
        result = change_between(instrument, first, last)
        tally["both"] += n
        tally["improved"] += n if result.classification is RI else 0
        tally["deteriorated"] += n if result.classification is RD else 0
        if result.response is not None:
            tally["response_of"] += n
            tally["response"] += n if result.response else 0
        remission = instrument.change.remission_below
        if remission is not None and first >= remission.value:
            tally["remission_of"] += n
            tally["remission"] += n if result.remission else 0
    change = instrument.change
    points = change.reliable_change.points if change.reliable_change else "?"
    reduction = change.response.reduction_at_least_percent if change.response else "?"
    cut = change.remission_below.value if change.remission_below else "?"
    name = instrument.abbreviation
    return [
        share_row(name, "Had a baseline and a discharge score", count=tally["both"], of=discharged),
        share_row(
            name,
            f"Reliable improvement ({points} points or more)",
            count=tally["improved"],
            of=tally["both"],
        ),
        share_row(
            name,
            f"Reliable deterioration ({points} points or more)",
            count=tally["deteriorated"],
            of=tally["both"],
        ),
        share_row(
            name,
            f"Response (a fall of {reduction}% or more)",
            count=tally["response"],
            of=tally["response_of"],
        ),
        share_row(
            name,
            f"Remission (below {cut} at discharge, of those at {cut} or more at the start)",
            count=tally["remission"],
            of=tally["remission_of"],
        ),
    ]


def joint_rows(registry, quadruples, discharged: int) -> list:
    both = caseness = recovered = 0
    for phq_first, phq_last, gad_first, gad_last, n in quadruples:
        outcome = reliable_recovery(
            phq9=registry["phq9"],
            gad7=registry["gad7"],
            phq9_totals=(phq_first, phq_last),
            gad7_totals=(gad_first, gad_last),
        )
        both += n
        if outcome.reliable_recovery is not None:
            caseness += n
            recovered += n if outcome.reliable_recovery else 0
    name = "PHQ-9 and GAD-7"
    return [
        share_row(
            name, "Had both measures at the start and at discharge", count=both, of=discharged
        ),
        share_row(
            name,
            "At caseness at the start (PHQ-9 10 or more, or GAD-7 8 or more)",
            count=caseness,
            of=both,
        ),
        share_row(name, "Reliable recovery", count=recovered, of=caseness),
    ]


def outcomes_report(scope: ReportScope) -> Report:
    episodes = discharged_in_period(scope)
    dispositions = dict(
        episodes.values("discharge_disposition")
        .annotate(n=Count("pk"))
        .values_list("discharge_disposition", "n")
        .order_by()
    )
    discharged = sum(dispositions.values())
    completion = Table(
        key="completion",
        title="Completion and against-advice rates",
        columns=share_columns((Column("outcome", "Discharge", ColumnKind.TEXT),)),
        rows=(
            share_row("Discharged after admission", count=discharged, of=None),
            *(
                share_row(d.label, count=dispositions.get(d.value, 0), of=discharged)
                for d in COMPLETION_ROWS
            ),
        ),
    )
    registry = instrument_registry()
    rows = []
    for key in scores.INSTRUMENTS:
        rows += instrument_rows(registry[key], scores.pairs(episodes, key), discharged)
    rows += joint_rows(registry, scores.joint_totals(episodes), discharged)
    measures = Table(
        key="measures",
        title="Change from admission to discharge",
        columns=share_columns(
            (
                Column("instrument", "Instrument", ColumnKind.TEXT),
                Column("measure", "Measure", ColumnKind.TEXT),
            )
        ),
        rows=tuple(rows),
    )
    patients = episodes.values("patient_id").distinct().count()
    return Report(tables=(completion, measures), patient_count=patients)
