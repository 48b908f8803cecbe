"""Outcomes that only a follow-up after discharge can tell, from the follow-ups recorded
by stepwell.followups (docs/clinical-sources.md §3.11, §3.7).

The episodes are those admitted and discharged on a day of the period. For each follow-up
day (30, 60, 90) each measure names its denominator:
- follow-up made: of the episodes discharged at least that many days ago;
- completed, unreachable: of the follow-ups made that day;
- response (PHQ-9 or GAD-7 at least 50% below the episode's baseline): of the completed
  follow-ups with a score and a baseline above 0;
- remission (below 5 at the follow-up): of those with a score whose baseline was 5 or more;
- admitted to a higher level of care since discharge (self-reported, any provider) and no
  days of alcohol or drug use in the last 30: of the completed follow-ups that answered.
The baseline is the episode's first score (scores.py); response and remission are
measures/change.py's. Readmission to the report's programs within 30 and 90 days is
counted from the episodes (readmissions.py).
"""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

from django.db.models import Count, Q

from stepwell.followups.models import FollowUp, FollowUpScore, FollowUpStatus
from stepwell.measures.change import change_between
from stepwell.measures.instruments import instrument_registry

from ..scope import ReportScope
from ..tables import Column, ColumnKind, Table
from . import scores
from .discharge import share_columns, share_row

FOLLOW_UP_DAYS = (30, 60, 90)
SCORED = ("phq9", "gad7")


def _instrument_tallies(episodes, follow_ups) -> Counter:
    """(days, instrument, what) -> how many, over the completed follow-ups' scores."""
    baseline: dict[str, dict[int, int | None]] = {key: {} for key in SCORED}
    firsts = scores.with_scores(episodes, SCORED).values_list("pk", "phq9_first", "gad7_first")
    for episode_id, phq9_first, gad7_first in firsts:
        baseline["phq9"][episode_id] = phq9_first
        baseline["gad7"][episode_id] = gad7_first
    registry = instrument_registry()
    tally: Counter = Counter()
    rows = FollowUpScore.objects.filter(
        follow_up__in=follow_ups.filter(status=FollowUpStatus.COMPLETED),
        instrument_key__in=SCORED,
        total__isnull=False,
    ).values_list(
        "follow_up__days_after_discharge", "follow_up__episode_id", "instrument_key", "total"
    )
    for days, episode_id, key, total in rows:
        start = baseline[key].get(episode_id)
        if start is None:
            continue
        result = change_between(registry[key], start, total)
        if result.response is not None:
            tally[days, key, "response_of"] += 1
            tally[days, key, "response"] += 1 if result.response else 0
        cut = registry[key].change.remission_below
        if cut is not None and start >= cut.value:
            tally[days, key, "remission_of"] += 1
            tally[days, key, "remission"] += 1 if result.remission else 0
    return tally


def follow_up_table(scope: ReportScope, episodes) -> Table:
    """The follow-up outcomes of the episodes discharged in the scope's period."""
    follow_ups = FollowUp.objects.filter(episode__in=episodes)
    counts = {
        row["days_after_discharge"]: row
        for row in follow_ups.values("days_after_discharge")
        .annotate(
            made=Count("pk"),
            completed=Count("pk", filter=Q(status=FollowUpStatus.COMPLETED)),
            unreachable=Count("pk", filter=Q(status=FollowUpStatus.UNREACHABLE)),
            higher_of=Count(
                "pk",
                filter=Q(status=FollowUpStatus.COMPLETED, readmitted_higher_level__isnull=False),
            ),
            higher=Count(
                "pk", filter=Q(status=FollowUpStatus.COMPLETED, readmitted_higher_level=True)
            ),
            use_of=Count(
                "pk",
                filter=Q(status=FollowUpStatus.COMPLETED, days_of_use_last_30__isnull=False),
            ),
            no_use=Count("pk", filter=Q(status=FollowUpStatus.COMPLETED, days_of_use_last_30=0)),
        )
        .order_by()
    }
    tally = _instrument_tallies(episodes, follow_ups)
    names = {"phq9": "PHQ-9", "gad7": "GAD-7"}
    rows = []
    for days in FOLLOW_UP_DAYS:
        c = counts.get(days, {})
        observable = episodes.filter(discharged_on__lte=scope.today - timedelta(days=days)).count()
        made = c.get("made", 0)
        completed = c.get("completed", 0)
        label = f"{days} days"
        rows += [
            share_row(label, "Follow-up made", count=made, of=observable),
            share_row(label, "Completed", count=completed, of=made),
            share_row(label, "Unreachable", count=c.get("unreachable", 0), of=made),
        ]
        for key in SCORED:
            rows += [
                share_row(
                    label,
                    f"{names[key]} response (at least 50% below the baseline)",
                    count=tally[days, key, "response"],
                    of=tally[days, key, "response_of"],
                ),
                share_row(
                    label,
                    f"{names[key]} remission (below 5, of those at 5 or more at the start)",
                    count=tally[days, key, "remission"],
                    of=tally[days, key, "remission_of"],
                ),
            ]
        rows += [
            share_row(
                label,
                "Admitted to a higher level of care since discharge (self-reported)",
                count=c.get("higher", 0),
                of=c.get("higher_of", 0),
            ),
            share_row(
                label,
                "No days of alcohol or drug use in the last 30 (self-reported)",
                count=c.get("no_use", 0),
                of=c.get("use_of", 0),
            ),
        ]
    return Table(
        key="follow_up",
        title="Follow-up outcomes at 30, 60 and 90 days",
        columns=share_columns(
            (
                Column("days", "After discharge", ColumnKind.TEXT),
                Column("measure", "Measure", ColumnKind.TEXT),
            )
        ),
        rows=tuple(rows),
        note="From the follow-ups answered by link or by phone; the baseline is the "
        "episode's first score.",
    )
