"""The milestone rules, case by case, without a database (engine.py; docs/milestones.md)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from stepwell.measures.instruments import get_instrument
from stepwell.meds.testing_rules import TestDay as DrugTestDay
from stepwell.milestones.engine import (
    EpisodeFacts,
    Module,
    ObjectiveMet,
    Score,
    ScoreSeries,
    StepDown,
    WeekFacts,
    abstinence_milestones,
    attendance_milestones,
    curriculum_milestones,
    hours_milestones,
    milestones_earned,
    score_milestones,
    trajectory_sentence,
)

MONDAY = date(2026, 1, 5)
TODAY = date(2026, 6, 1)


def _weeks(pattern: str, *, hours: str = "") -> tuple[WeekFacts, ...]:
    """One week per letter: a = attended, no unexcused absence; u = attended with an
    unexcused absence; e = nothing attended (excused absences only); hours 'y'/'n'/'-'."""
    weeks = []
    for n, letter in enumerate(pattern):
        met = {"y": True, "n": False}.get(hours[n] if n < len(hours) else "-")
        weeks.append(
            WeekFacts(
                monday=MONDAY + timedelta(weeks=n),
                attended_sessions=0 if letter == "e" else 3,
                unexcused_absences=1 if letter == "u" else 0,
                hours_met=met,
            )
        )
    return tuple(weeks)


def _codes(earned) -> list[str]:
    return [e.code for e in earned]


# --- attendance ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("pattern", "codes"),
    [
        ("a", []),
        ("aa", ["attendance_weeks_2"]),
        ("aua", []),
        ("aaua", ["attendance_weeks_2"]),
        ("aaaa", ["attendance_weeks_2", "attendance_weeks_4"]),
        ("aaaeaaaa", ["attendance_weeks_2", "attendance_weeks_4"]),
        ("aaaaaaa", ["attendance_weeks_2", "attendance_weeks_4"]),
        ("aaaaaaaa", ["attendance_weeks_2", "attendance_weeks_4", "attendance_weeks_8"]),
        ("uaaaaaaaa", ["attendance_weeks_2", "attendance_weeks_4", "attendance_weeks_8"]),
        ("eeee", []),
    ],
)
def test_attendance_streaks(pattern, codes):
    assert _codes(attendance_milestones(_weeks(pattern))) == codes


def test_attendance_streak_is_earned_on_the_sunday_of_its_last_week_once():
    earned = attendance_milestones(_weeks("uaaeaa"))
    assert [(e.code, e.achieved_on) for e in earned] == [
        ("attendance_weeks_2", MONDAY + timedelta(weeks=2, days=6))
    ]
    assert earned[0].evidence == {
        "weeks": 2,
        "from": (MONDAY + timedelta(weeks=1)).isoformat(),
        "to": (MONDAY + timedelta(weeks=2, days=6)).isoformat(),
    }


@given(st.text(alphabet="aue", max_size=20))
def test_a_streak_of_n_weeks_needs_n_clean_weeks_in_a_row(pattern):
    codes = _codes(attendance_milestones(_weeks(pattern)))
    longest = max((len(run) for run in pattern.replace("u", "e").split("e")), default=0)
    assert codes == [f"attendance_weeks_{n}" for n in (2, 4, 8) if longest >= n]


# --- hours --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("hours", "week"),
    [("y", 0), ("ny", 1), ("n-y", 2), ("nn", None), ("", None), ("nyy", 1)],
)
def test_first_week_with_hours_met(hours, week):
    earned = hours_milestones(_weeks("a" * max(len(hours), 1), hours=hours))
    if week is None:
        assert earned == []
    else:
        assert [(e.code, e.achieved_on) for e in earned] == [
            ("first_week_hours_met", MONDAY + timedelta(weeks=week, days=6))
        ]


# --- scores: thresholds come from the measures engine -------------------------------------


def _series(key: str, *totals: int) -> ScoreSeries:
    scores = tuple(Score(MONDAY + timedelta(weeks=n), t) for n, t in enumerate(totals))
    return ScoreSeries(instrument=get_instrument(key), scores=scores)


@pytest.mark.parametrize(
    ("key", "totals", "codes"),
    [
        ("phq9", (18,), []),
        ("phq9", (18, 13), []),  # 5 points: below the 6-point IAPT threshold
        ("phq9", (18, 12), ["reliable_improvement:phq9"]),  # 6 points, inclusive
        ("phq9", (18, 9), ["reliable_improvement:phq9", "response:phq9"]),  # 50% inclusive
        ("phq9", (18, 10), ["reliable_improvement:phq9"]),  # 44%: no response
        (
            "phq9",
            (18, 4),
            ["reliable_improvement:phq9", "response:phq9", "remission:phq9"],
        ),
        ("phq9", (18, 5), ["reliable_improvement:phq9", "response:phq9"]),  # remission is < 5
        ("phq9", (4, 2), ["response:phq9"]),  # already in remission at the start
        ("phq9", (12, 20), []),  # worse
        ("gad7", (12, 8), ["reliable_improvement:gad7"]),  # 4 points
        ("gad7", (12, 9), []),
    ],
)
def test_score_milestones(key, totals, codes):
    assert sorted(_codes(score_milestones(_series(key, *totals)))) == sorted(codes)


def test_each_score_milestone_is_the_first_score_that_earned_it():
    earned = {e.code: e for e in score_milestones(_series("phq9", 20, 14, 16, 9, 3))}
    assert earned["reliable_improvement:phq9"].achieved_on == MONDAY + timedelta(weeks=1)
    assert earned["response:phq9"].achieved_on == MONDAY + timedelta(weeks=3)
    assert earned["remission:phq9"].achieved_on == MONDAY + timedelta(weeks=4)
    assert earned["response:phq9"].evidence == {
        "instrument": "phq9",
        "baseline": 20,
        "baseline_on": MONDAY.isoformat(),
        "score": 9,
        "score_on": (MONDAY + timedelta(weeks=3)).isoformat(),
    }
    assert earned["reliable_improvement:phq9"].evidence["threshold_points"] == 6


def test_an_unverified_threshold_never_earns_reliable_improvement():
    # PCL-5: the sources disagree on its reliable-change threshold (measures engine).
    codes = _codes(score_milestones(_series("pcl5", 60, 20)))
    assert not any(code.startswith("reliable_improvement") for code in codes)


@given(st.integers(0, 27), st.integers(0, 27))
def test_phq9_milestones_match_the_measures_engine(baseline, current):
    from stepwell.measures.change import change_between

    result = change_between(get_instrument("phq9"), baseline, current)
    codes = set(_codes(score_milestones(_series("phq9", baseline, current))))
    assert ("reliable_improvement:phq9" in codes) == (baseline - current >= 6)
    assert ("response:phq9" in codes) == bool(result.response)
    assert ("remission:phq9" in codes) == (current < 5 <= baseline)


# --- objectives, curriculum, abstinence, step-down ---------------------------------------


def test_objective_met_once_per_objective_at_its_first_date():
    objectives = (
        ObjectiveMet("lineage-1", "Attend 3 groups a week", date(2026, 2, 10)),
        ObjectiveMet("lineage-1", "Attend 3 groups a week", date(2026, 2, 3)),
        ObjectiveMet("lineage-2", "Use a coping skill daily", date(2026, 2, 5)),
    )
    facts = EpisodeFacts(today=TODAY, objectives_met=objectives)
    assert [(e.code, e.achieved_on) for e in milestones_earned(facts)] == [
        ("objective_met:lineage-1", date(2026, 2, 3)),
        ("objective_met:lineage-2", date(2026, 2, 5)),
    ]


@pytest.mark.parametrize(
    ("completed", "earned_on"),
    [
        ((), None),
        ((date(2026, 1, 6), None), None),
        ((date(2026, 1, 6), date(2026, 2, 9)), date(2026, 2, 9)),
    ],
)
def test_curriculum_complete_needs_every_module(completed, earned_on):
    modules = tuple(Module(f"Module {n}", day) for n, day in enumerate(completed))
    earned = curriculum_milestones(modules)
    assert [e.achieved_on for e in earned] == ([earned_on] if earned_on else [])


def _test(day: date, positive: bool = False) -> DrugTestDay:
    return DrugTestDay(collected_on=day, unexpected_positive=positive)


@pytest.mark.parametrize(
    ("tests", "today", "expected"),
    [
        ((), TODAY, []),
        ((_test(date(2026, 1, 1)),), date(2026, 1, 30), []),  # 29 days
        ((_test(date(2026, 1, 1)),), date(2026, 1, 31), [("days_abstinent_30", date(2026, 1, 31))]),
        (
            (_test(date(2026, 1, 1)), _test(date(2026, 1, 20), positive=True)),
            date(2026, 3, 1),
            [("days_abstinent_30", date(2026, 2, 19))],
        ),
        (
            (_test(date(2026, 1, 1)),),
            date(2026, 4, 1),
            [
                ("days_abstinent_30", date(2026, 1, 31)),
                ("days_abstinent_60", date(2026, 3, 2)),
                ("days_abstinent_90", date(2026, 4, 1)),
            ],
        ),
    ],
)
def test_days_abstinent_by_drug_testing(tests, today, expected):
    assert [(e.code, e.achieved_on) for e in abstinence_milestones(tests, today)] == expected


def test_step_down_is_the_first_one():
    facts = EpisodeFacts(
        today=TODAY,
        step_downs=(
            StepDown(date(2026, 3, 1), "Outpatient"),
            StepDown(date(2026, 2, 1), "Intensive outpatient (IOP)"),
        ),
    )
    earned = milestones_earned(facts)
    assert [(e.code, e.title, e.achieved_on) for e in earned] == [
        ("step_down", "Stepped down to intensive outpatient (IOP)", date(2026, 2, 1))
    ]


def test_nothing_is_earned_after_today():
    facts = EpisodeFacts(today=MONDAY + timedelta(days=3), weeks=_weeks("aa", hours="y"))
    assert milestones_earned(facts) == []


# --- the patient's words --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("key", "totals", "sentence"),
    [
        (
            "phq9",
            (18, 9),
            "Your PHQ-9 went from 18 to 9: a reliable improvement, and at least halved.",
        ),
        ("phq9", (18, 12), "Your PHQ-9 went from 18 to 12: a reliable improvement."),
        (
            "phq9",
            (18, 3),
            "Your PHQ-9 went from 18 to 3: a reliable improvement, and now in the remission range.",
        ),
        ("phq9", (18, 15), "Your PHQ-9 went from 18 to 15: not a reliable change yet."),
        (
            "gad7",
            (8, 14),
            "Your GAD-7 went from 8 to 14: a change for the worse. Talk it over with your clinician.",
        ),
        ("phq9", (11,), "Your first PHQ-9 score was 11. Later scores will be compared with it."),
    ],
)
def test_trajectory_in_plain_words(key, totals, sentence):
    assert trajectory_sentence(_series(key, *totals)) == sentence
