"""A HEDIS-style depression view, adapted to a program's episodes
(docs/clinical-sources.md §3.9).

Population: the episodes admitted and discharged on a day of the period whose first PHQ-9
in the episode (the baseline) was 10 or more. Counted per episode: a patient treated twice
in the period counts twice. Of that population:
- with a follow-up PHQ-9: a later PHQ-9 in the same episode;
- in remission: the last PHQ-9 of the episode below 5;
- with a response: the last PHQ-9 at least 50% below the baseline.
As in CMS159 (NQF 0710), an episode without a follow-up score stays in the denominator and
counts as neither in remission nor responding. The measure's own window (twelve months
after the index score, give or take sixty days) is not kept: an IOP episode ends in weeks,
so the score at discharge stands in for it. Remission and response are measures/change.py's.
"""

from __future__ import annotations

from stepwell.measures.change import change_between
from stepwell.measures.instruments import instrument_registry

from ..operations.admissions import discharged_in_period
from ..scope import ReportScope
from ..tables import Column, ColumnKind, Report, Table
from . import scores
from .discharge import share_columns, share_row

INDEX_SCORE = 10  # PHQ-9 at or above: the measure's population (CMS159: "PHQ-9 > 9")


def depression_report(scope: ReportScope) -> Report:
    episodes = discharged_in_period(scope)
    phq9 = instrument_registry()["phq9"]
    discharged = population = followed = remission = response = 0
    for first, last, n_scores, n in scores.baselines(episodes, "phq9"):
        discharged += n
        if first is None or first < INDEX_SCORE:
            continue
        population += n
        if n_scores < 2:
            continue
        followed += n
        result = change_between(phq9, first, last)
        remission += n if result.remission else 0
        response += n if result.response else 0
    table = Table(
        key="depression",
        title="Depression: PHQ-9 remission and response",
        columns=share_columns((Column("measure", "Measure", ColumnKind.TEXT),)),
        rows=(
            share_row("Discharged episodes", count=discharged, of=None),
            share_row(
                f"Baseline PHQ-9 of {INDEX_SCORE} or more (the population)",
                count=population,
                of=discharged,
            ),
            share_row("With a follow-up PHQ-9", count=followed, of=population),
            share_row("In remission (last PHQ-9 below 5)", count=remission, of=population),
            share_row("Response (last PHQ-9 at least 50% lower)", count=response, of=population),
        ),
    )
    patients = episodes.values("patient_id").distinct().count()
    return Report(tables=(table,), patient_count=patients)
