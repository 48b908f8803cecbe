"""Outcomes at 30, 60 and 90 days after discharge, from the follow-ups recorded by
stepwell.followups (docs/clinical-sources.md §3.11, §3.7).

The episodes are those admitted and discharged on a day of the period. For each follow-up
day (30, 60, 90) each measure names its denominator:
- follow-up made: of the episodes discharged at least that many days ago;
- completed, unreachable: of the follow-ups made that day;
- reliable improvement (PHQ-9 6 points, GAD-7 4 points below the episode's baseline):
  of the completed follow-ups with a score on the instrument and a baseline;
- response (at least 50% below the baseline): of those with a score and a baseline
  above 0;
- remission (below 5 at the follow-up): of those with a score whose baseline was 5 or more;
- reliable recovery (joint over PHQ-9 and GAD-7): of the completed follow-ups with both
  scores whose episode had both baselines and was at caseness on either at the start;
- admitted to a higher level of care since discharge (self-reported, any provider) and no
  days of alcohol or drug use in the last 30: of the completed follow-ups that answered;
  the days of use themselves as a mean and a median of those answers.
The baseline is the episode's first score (scores.py); the rules are measures/change.py's.
Return and readmission to the report's programs within 30 and 90 days are counted from
the episodes themselves (readmissions.py, the readmissions report).
"""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

from django.db.models import Count, Q

from stepwell.followups.models import FollowUp, FollowUpScore, FollowUpStatus
from stepwell.measures.change import ChangeClassification, change_between, reliable_recovery
from stepwell.measures.instruments import instrument_registry

from ..operations.admissions import discharged_in_period
from ..scope import ReportScope
from ..tables import Column, ColumnKind, Report, Table, histogram_mean, histogram_median, percent
from . import scores
from .discharge import share_columns, share_row

FOLLOW_UP_DAYS = (30, 60, 90)
SCORED = ("phq9", "gad7")
POINTS = {"phq9": 6, "gad7": 4}  # NHS Talking Therapies reliable change (change.py)


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
        "follow_up_id",
        "follow_up__days_after_discharge",
        "follow_up__episode_id",
        "instrument_key",
        "total",
    )
    joint: dict[int, dict] = {}
    for follow_up_id, days, episode_id, key, total in rows:
        start = baseline[key].get(episode_id)
        if start is None:
            continue
        joint.setdefault(follow_up_id, {"days": days})[key] = (start, total)
        result = change_between(registry[key], start, total)
        tally[days, key, "improvement_of"] += 1
        if result.classification is ChangeClassification.RELIABLE_IMPROVEMENT:
            tally[days, key, "improvement"] += 1
        if result.response is not None:
            tally[days, key, "response_of"] += 1
            tally[days, key, "response"] += 1 if result.response else 0
        cut = registry[key].change.remission_below
        if cut is not None and start >= cut.value:
            tally[days, key, "remission_of"] += 1
            tally[days, key, "remission"] += 1 if result.remission else 0
    for found in joint.values():
        if "phq9" not in found or "gad7" not in found:
            continue
        outcome = reliable_recovery(
            phq9=registry["phq9"],
            gad7=registry["gad7"],
            phq9_totals=found["phq9"],
            gad7_totals=found["gad7"],
        )
        if outcome.reliable_recovery is not None:
            tally[found["days"], "joint", "recovery_of"] += 1
            tally[found["days"], "joint", "recovery"] += 1 if outcome.reliable_recovery else 0
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
                    f"{names[key]} reliable improvement ({POINTS[key]} points or more)",
                    count=tally[days, key, "improvement"],
                    of=tally[days, key, "improvement_of"],
                ),
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
                "Reliable recovery (PHQ-9 and GAD-7, of those at caseness at the start)",
                count=tally[days, "joint", "recovery"],
                of=tally[days, "joint", "recovery_of"],
            ),
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


def use_table(follow_ups) -> Table:
    """Self-reported days of alcohol or drug use in the last 30, per follow-up day."""
    histograms: dict[int, dict[int, int]] = {days: {} for days in FOLLOW_UP_DAYS}
    for days, used, n in (
        follow_ups.filter(status=FollowUpStatus.COMPLETED, days_of_use_last_30__isnull=False)
        .values("days_after_discharge", "days_of_use_last_30")
        .annotate(n=Count("pk"))
        .values_list("days_after_discharge", "days_of_use_last_30", "n")
        .order_by()
    ):
        histograms.setdefault(days, {})[used] = n
    rows = []
    for days in sorted(histograms):
        counts = histograms[days]
        answered = sum(counts.values())
        none = counts.get(0, 0)
        rows.append(
            (
                f"{days} days",
                answered,
                none,
                percent(none, answered),
                histogram_mean(counts),
                histogram_median(counts),
            )
        )
    return Table(
        key="use",
        title="Days of alcohol or drug use in the last 30 (self-reported)",
        columns=(
            Column("days", "After discharge", ColumnKind.TEXT),
            Column("answered", "Answered"),
            Column("no_use", "No days of use", denominator="answered"),
            Column("share", "Share with none", ColumnKind.PERCENT, share_of=("no_use", "answered")),
            Column("mean", "Mean days", ColumnKind.NUMBER, share_of=("answered", "answered")),
            Column("median", "Median days", ColumnKind.NUMBER, share_of=("answered", "answered")),
        ),
        rows=tuple(rows),
        note="Of the completed follow-ups that answered the question.",
    )


def follow_up_report(scope: ReportScope) -> Report:
    """The follow-up outcomes of the episodes discharged in the period."""
    episodes = discharged_in_period(scope)
    follow_ups = FollowUp.objects.filter(episode__in=episodes)
    patients = episodes.values("patient_id").distinct().count()
    return Report(
        tables=(follow_up_table(scope, episodes), use_table(follow_ups)),
        patient_count=patients,
    )
