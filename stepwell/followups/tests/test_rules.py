"""The follow-up rules, case by case (no database)."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from stepwell.followups.rules import (
    CATCH_UP_DAYS,
    DaysError,
    Employment,
    NextStep,
    ShortAnswers,
    default_instruments,
    follow_ups_due,
    next_step,
    parse_days,
    short_answer_errors,
)


def test_default_instruments_by_track():
    assert default_instruments("mental_health") == ("phq9", "gad7")
    assert default_instruments("dual_diagnosis") == ("phq9", "gad7")
    assert default_instruments("substance_use") == ("auditc", "dast10")


@pytest.mark.parametrize(
    ("text", "days"),
    [("30,60,90", (30, 60, 90)), (" 90; 30 ", (30, 90)), ("7", (7,)), ("730", (730,))],
)
def test_parse_days(text, days):
    assert parse_days(text) == days


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "at least one"),
        ("30,thirty", "'thirty' is not a whole number"),
        ("0", "0 is not between 1 and 730"),
        ("731", "731 is not between"),
        ("30,30", "given twice"),
        ("-5", "'-5' is not a whole number"),
        ("٣٠", "is not a whole number"),
    ],
)
def test_parse_days_refuses(text, message):
    with pytest.raises(DaysError, match=message):
        parse_days(text)


def test_due_on_the_day_and_not_before():
    discharged = date(2026, 9, 1)
    assert follow_ups_due(discharged, (30, 60, 90), date(2026, 9, 30)) == ()
    [due] = follow_ups_due(discharged, (30, 60, 90), date(2026, 10, 1))
    assert (due.days_after_discharge, due.due_on) == (30, date(2026, 10, 1))


def test_stale_follow_ups_are_not_created():
    discharged = date(2026, 1, 1)
    today = date(2026, 4, 1)  # day 90: the 30-day one is 60 days old, the 60-day one 30
    assert [d.days_after_discharge for d in follow_ups_due(discharged, (30, 60, 90), today)] == [
        60,
        90,
    ]


@given(
    days=st.lists(st.integers(1, 400), min_size=1, max_size=5, unique=True),
    offset=st.integers(0, 800),
)
def test_due_follow_ups_are_never_early_nor_older_than_the_catch_up(days, offset):
    discharged = date(2026, 1, 1)
    today = date.fromordinal(discharged.toordinal() + offset)
    for due in follow_ups_due(discharged, tuple(days), today):
        assert due.due_on <= today
        assert (today - due.due_on).days <= CATCH_UP_DAYS
        assert (due.due_on - discharged).days == due.days_after_discharge


@pytest.mark.parametrize(
    ("attempts", "since", "can_message", "step"),
    [
        (0, None, True, NextStep.SEND_LINK),
        (0, None, False, NextStep.WAIT),  # staff call instead
        (1, 3, True, NextStep.WAIT),  # wait 7 days between links
        (1, 7, True, NextStep.SEND_LINK),
        (2, 8, True, NextStep.SEND_LINK),
        (3, 6, True, NextStep.WAIT),  # the last attempt still gets its week
        (3, 7, True, NextStep.UNREACHABLE),
        (3, 7, False, NextStep.UNREACHABLE),
        (5, 30, False, NextStep.UNREACHABLE),
    ],
)
def test_next_step(attempts, since, can_message, step):
    assert (
        next_step(
            attempts=attempts,
            days_since_last_attempt=since,
            max_attempts=3,
            wait_days=7,
            can_message=can_message,
        )
        is step
    )


def _short(**overrides) -> ShortAnswers:
    values = {
        "in_treatment": True,
        "in_treatment_where": "Community clinic",
        "readmitted_higher_level": False,
        "days_of_use_last_30": 0,
        "employment": Employment.WORKING,
    }
    return ShortAnswers(**(values | overrides))


def test_short_answers():
    assert short_answer_errors(_short()) == {}
    assert short_answer_errors(_short(in_treatment_where=" ")) == {
        "in_treatment_where": "Say where you are in treatment now."
    }
    assert "in_treatment_where" in short_answer_errors(_short(in_treatment=False))
    assert short_answer_errors(_short(days_of_use_last_30=31)) == {
        "days_of_use_last_30": "Give a number of days from 0 to 30."
    }
    assert short_answer_errors(_short(days_of_use_last_30=30)) == {}
