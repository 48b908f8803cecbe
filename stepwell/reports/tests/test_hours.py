"""The weekly-hours report against the compliance page's own engine, week by week.

The report sums minutes in the database for every week at once (operations/
patient_weeks.py); the program's compliance page measures one program-week at a time
through care/hours/weekly.py `program_compliance`. Counted independently from that
engine over a June with a holiday, a mid-week admission, a payer's day rule (H0015, E1),
a week on hold, a step-down week and a week still under way, the two must agree cell by
cell, and the cases worked out by hand must read as below.

Program A, weeks 2026-W23 (1-7 June) to 2026-W27 (29 June-5 July; "now" is Tuesday
30 June, 13:00 in Chicago). Groups of 3 h on Monday, Wednesday and Friday at 10:00.
"""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from stepwell.care.hours.weekly import HOURS_EPISODE_STATES, program_compliance
from stepwell.patients.models import EpisodeState
from stepwell.reports.operations.hours import RULE_LABELS
from stepwell.reports.operations.patient_weeks import NO_COVERAGE, _weeks_of
from stepwell.reports.selectors import report_run

from .conftest import JUNE, NOW

pytestmark = pytest.mark.django_db
WEEKS = ("2026-W23", "2026-W24", "2026-W25", "2026-W26", "2026-W27")


def engine_tally(program, *, payer=None) -> dict:
    """By payer-and-rule and by week, counted from program_compliance week by week."""
    by_rule: dict[str, Counter] = {}
    by_week: dict[str, Counter] = {week: Counter() for week in WEEKS}
    for week in WEEKS:
        for row in program_compliance(program=program, week=week, now=NOW):
            coverage = row.rule_source.coverage
            if payer is not None and (coverage is None or coverage.payer_id != payer.pk):
                continue
            name = coverage.payer.name if coverage else NO_COVERAGE
            label = f"{name}: {RULE_LABELS[row.hours.rule.kind]}"
            for counts in (by_rule.setdefault(label, Counter()), by_week[week]):
                if row.hours.on_hold:
                    counts["on_hold"] += 1
                    continue
                counts["measured"] += 1
                counts["below" if row.hours.below_minimum else "met"] += 1
                counts["transition"] += 1 if row.hours.transitioning else 0
    return {"by_rule": by_rule, "by_week": by_week}


def report_tally(result, table: str) -> dict:
    found = {}
    for row in result.report.table(table).rows:
        label, measured, met, below, _, on_hold, transition = row
        counts = Counter(measured=measured, met=met, below=below, on_hold=on_hold)
        counts["transition"] = transition
        found[label] = +counts  # drop zeros, as the engine's Counter has none
    return found


@pytest.mark.parametrize("by_payer", [False, True])
def test_weekly_hours_equal_the_compliance_engine_week_by_week(june_hours, by_payer):
    payer = june_hours.payer if by_payer else None
    result = report_run(
        user=june_hours.director_a,
        name="hours",
        now=NOW,
        payer_id=payer.pk if payer else None,
        **JUNE,
    )
    expected = engine_tally(june_hours.program_a, payer=payer)
    assert report_tally(result, "by_rule") == {k: +v for k, v in expected["by_rule"].items()}
    assert report_tally(result, "by_week") == {k: +v for k, v in expected["by_week"].items()}


def test_weekly_hours_by_hand(june_hours):
    result = report_run(user=june_hours.director_a, name="hours", now=NOW, **JUNE)
    weeks = {row[0]: row[1:] for row in result.report.table("by_week").rows}
    # measured, met, below, compliance, on hold, step-down weeks
    # W23: E1 (H0015: 8 h on 3 days, one of 2 h: below 9 h), E2 (from Friday: 3 h of the
    # 3 h asked for one day left), E6 (9 h): 2 of 3 met.
    assert weeks["2026-W23"] == (3, 2, 1, 66.7, 0, 0)
    # W24: E1 (left Wednesday 10 June; Monday 3 h of the 3 h one day asks), E2 6 h (below
    # 9 h), E6 9 h.
    assert weeks["2026-W24"] == (3, 2, 1, 66.7, 0, 0)
    # W25, Friday a holiday (2 days, 6 h asked): E2 3 h (the 17th a no-show, below),
    # E3 6 h, E6 6 h.
    assert weeks["2026-W25"] == (3, 2, 1, 66.7, 0, 0)
    # W26: E3 on hold the whole week (not measured); E2 left on 20 June (Sat: nothing
    # asked after), E6 steps down (reported, not flagged), discharged Thursday 25th.
    assert weeks["2026-W26"][4:] == (1, 1)
    # W27 (under way): E3 has 3 h attended on Monday and 6 h still scheduled: met.
    assert weeks["2026-W27"] == (1, 1, 0, 100.0, 0, 0)
    rules = {row[0]: row[1:] for row in result.report.table("by_rule").rows}
    assert rules["Plan One: H0015 per diem"][:3] == (2, 1, 1)  # E1's two weeks


def listed_in_week(state: str, admitted, discharged, monday) -> bool:
    """compliance_episodes' rule for one week, written out: attending and admitted by the
    Sunday, or discharged on or after the Monday having been admitted by the Sunday."""
    sunday = monday + timedelta(days=6)
    if state in HOURS_EPISODE_STATES:
        return admitted is None or admitted <= sunday
    return (
        state == EpisodeState.DISCHARGED
        and admitted is not None
        and admitted <= sunday
        and discharged is not None
        and discharged >= monday
    )


# Dates within a few weeks of the report's weeks, so that admissions and discharges fall
# on their edges (a Monday, a Sunday) often.
DAYS_AROUND = st.dates(min_value=date(2026, 5, 18), max_value=date(2026, 7, 26))


@given(
    state=st.sampled_from(list(EpisodeState)),
    admitted=st.none() | DAYS_AROUND,
    discharged=st.none() | DAYS_AROUND,
    first=st.dates(min_value=date(2026, 6, 1), max_value=date(2026, 6, 14)),
    count=st.integers(min_value=1, max_value=8),
)
# Discharged on a week's Monday (counted that week), admitted on its Sunday (counted).
@example("discharged", date(2026, 5, 20), date(2026, 6, 8), date(2026, 6, 1), 3)
@example("active", date(2026, 6, 14), None, date(2026, 6, 1), 3)
@example("discharged", date(2026, 6, 14), date(2026, 6, 15), date(2026, 6, 1), 3)
def test_the_weeks_an_episode_is_counted_in_are_those_the_compliance_page_lists(
    state, admitted, discharged, first, count
):
    """The report finds an episode's weeks by bisection; each must be a week whose
    compliance page lists the episode, and no other."""
    monday = first - timedelta(days=first.weekday())
    mondays = [monday + timedelta(weeks=n) for n in range(count)]
    row = (1, 1, 1, str(state), admitted, discharged)
    expected = [
        n for n, day in enumerate(mondays) if listed_in_week(state, admitted, discharged, day)
    ]
    assert list(_weeks_of(row, mondays)) == expected
