"""The weekly-hours engine, rule by rule, without a database (docs/clinical-sources.md §1.2, §2).

Week 2026-W48 runs Monday 23 to Sunday 29 November 2026; Thanksgiving is Thursday the 26th.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from stepwell.care.hours.rules import (
    DAYS_BASIS,
    RULE_DEFAULTS,
    Block,
    BlockKind,
    Closure,
    HoursRule,
    RuleKind,
    WeekContext,
    stricter,
    week_requirement,
    weekly_hours,
)

MONDAY = date(2026, 11, 23)
WEEK = "2026-W48"
H0015 = RULE_DEFAULTS[RuleKind.H0015]
MEDICARE = RULE_DEFAULTS[RuleKind.MEDICARE_IOP]
S9480 = RULE_DEFAULTS[RuleKind.S9480]
PROGRAM = RULE_DEFAULTS[RuleKind.PROGRAM_DEFAULT]
THANKSGIVING = Closure(date(2026, 11, 26), "Thanksgiving")


def day(offset: int) -> date:
    return MONDAY + timedelta(days=offset)


def group(offset: int, minutes: int) -> Block:
    return Block(day(offset), minutes, BlockKind.GROUP)


def week(attended, rule, *, scheduled=(), context=None, transitioning=False, program_min=540):
    return weekly_hours(
        week=WEEK,
        attended=list(attended),
        scheduled=list(scheduled),
        program_min=program_min,
        program_max=1140,
        rule=rule,
        transitioning=transitioning,
        context=context or WeekContext(monday=MONDAY),
    )


def codes(result) -> list[str]:
    return [flag.code for flag in result.flags]


# ---- H0015: at least 3 hours a day on at least 3 days ------------------------------------


def test_h0015_three_days_of_three_hours_is_met():
    result = week([group(0, 180), group(1, 180), group(3, 180)], H0015)
    assert codes(result) == []
    assert (result.window_min, result.min_days, result.counted_days) == (540, 3, 3)


def test_h0015_a_short_group_day_is_flagged_and_does_not_count():
    result = week([group(0, 180), group(1, 150), group(3, 180)], H0015)
    assert codes(result) == ["below_minimum", "short_day", "few_days"]
    assert result.flags[1].day == day(1)
    assert [d.counts for d in result.days] == [True, False, True]
    assert result.counted_days == 2


def test_h0015_a_standalone_individual_session_is_not_a_short_day():
    individual = Block(day(2), 60, BlockKind.INDIVIDUAL)
    result = week([group(0, 180), group(1, 180), individual, group(3, 180)], H0015)
    assert codes(result) == []
    wednesday = result.days[2]
    assert (wednesday.short, wednesday.counts, wednesday.group_minutes) == (False, False, 0)
    assert result.counted_days == 3
    assert result.attendance_days == 4


def test_h0015_an_individual_session_on_a_group_day_adds_to_the_day():
    result = week(
        [group(0, 120), Block(day(0), 60, BlockKind.INDIVIDUAL), group(1, 180), group(3, 180)],
        H0015,
    )
    assert codes(result) == []
    assert (result.days[0].projected_minutes, result.days[0].services) == (180, 2)


def test_h0015_enough_minutes_on_too_few_days():
    result = week([group(0, 270), group(1, 270)], H0015)
    assert codes(result) == ["few_days"]
    assert "2 days of at least 3.0 h, under 3 a week" in result.flags[0].message


def test_h0015_weekly_minimum_is_the_programs():
    adolescent = week([group(0, 180), group(1, 180)], H0015, program_min=360)
    assert adolescent.window_min == 360
    assert codes(adolescent) == ["few_days"]


def test_h0015_scheduled_minutes_still_to_come_count_toward_the_day():
    result = week([group(0, 90)], H0015, scheduled=[group(0, 90), group(1, 180), group(3, 180)])
    assert codes(result) == []
    assert (result.attended_minutes, result.scheduled_minutes) == (90, 450)


# ---- Medicare IOP: at least 9 hours a week; services per day set the tier ---------------


def test_medicare_nine_hours_a_week_is_met_whatever_the_days():
    result = week([group(0, 270), group(2, 270)], MEDICARE)
    assert codes(result) == []
    assert result.window_min == 540


def test_medicare_below_nine_hours_is_flagged():
    result = week([group(0, 270), group(2, 269)], MEDICARE)
    assert codes(result) == ["below_minimum"]
    assert "Medicare IOP" in result.flags[0].message


@pytest.mark.parametrize(
    ("services", "tier"),
    [
        (1, "up to 3 services"),
        (2, "up to 3 services"),
        (3, "up to 3 services"),
        (4, "4 or more services"),
        (6, "4 or more services"),
    ],
)
def test_medicare_services_per_day_set_the_payment_tier(services, tier):
    blocks = [Block(day(0), 45, BlockKind.GROUP) for _ in range(services)]
    result = week([*blocks, group(1, 300), group(2, 300)], MEDICARE)
    monday = result.days[0]
    assert (monday.services, monday.tier) == (services, tier)
    # A day with fewer than three services is the lower tier, never a shortfall.
    assert "short_day" not in codes(result)


def test_medicare_standalone_medication_visit_is_a_service_not_a_shortfall():
    visit = Block(day(4), 30, BlockKind.MEDICATION)
    result = week([group(0, 180), group(1, 180), group(3, 180), visit], MEDICARE)
    assert codes(result) == []
    friday = result.days[-1]
    assert (friday.services, friday.tier, friday.counts) == (1, "up to 3 services", False)


def test_tiers_only_for_the_medicare_rule():
    result = week([group(0, 180)], H0015)
    assert result.days[0].tier == ""


# ---- S9480 and the program default --------------------------------------------------------


def test_s9480_uses_the_payers_own_numbers():
    assert (S9480.min_weekly_minutes, S9480.min_daily_minutes, S9480.min_days) == (540, 180, 2)
    assert codes(week([group(0, 270), group(1, 270)], S9480)) == []
    assert codes(week([group(0, 361), group(1, 179)], S9480)) == ["short_day", "few_days"]


def test_a_payers_weekly_minimum_overrides_the_programs():
    strict = HoursRule(name="Strict plan", kind=RuleKind.S9480, min_weekly_minutes=720)
    result = week([group(d, 180) for d in range(4)], strict)
    assert codes(result) == []
    assert result.window_min == 720
    assert codes(week([group(d, 180) for d in range(3)], strict)) == ["below_minimum"]


def test_program_default_is_the_weekly_window_only():
    result = week([group(0, 100), group(1, 100), group(2, 100), group(3, 240)], PROGRAM)
    assert codes(result) == []
    assert result.counted_days == 4  # from 90 minutes
    assert codes(week([group(0, 500)], PROGRAM)) == ["below_minimum"]


def test_program_default_with_its_own_day_rule():
    own = HoursRule(name="Program", min_daily_minutes=180, min_days=3, day_counts_from_minutes=180)
    assert codes(week([group(0, 180), group(1, 180), group(2, 180)], own)) == []
    assert codes(week([group(0, 300), group(1, 240)], own)) == ["few_days"]


def test_above_the_maximum():
    result = week([group(d, 240) for d in range(5)], H0015)
    assert codes(result) == ["above_maximum"]


def test_day_counts_from_is_configurable():
    rule = HoursRule(name="Count from 2 h", min_days=3, day_counts_from_minutes=120)
    result = week([group(0, 119), group(1, 120), group(2, 301)], rule)
    assert [d.counts for d in result.days] == [False, True, True]
    assert codes(result) == ["few_days"]


def test_stricter_takes_each_number_at_its_strictest():
    program = HoursRule(name="Program", min_daily_minutes=150, min_days=4)
    both = stricter(MEDICARE, program)
    assert (both.min_weekly_minutes, both.min_daily_minutes, both.min_days) == (540, 150, 4)
    assert both.day_counts_from_minutes == 90
    both = stricter(H0015, program)
    assert (both.min_weekly_minutes, both.min_daily_minutes, both.min_days) == (None, 180, 4)
    assert both.day_counts_from_minutes == 180


# ---- closures, admission, discharge, hold, step-down --------------------------------------


def test_a_holiday_is_a_closure_not_a_shortfall():
    context = WeekContext(monday=MONDAY, closures=(THANKSGIVING,))
    # The patient's track meets Mon, Tue and Thu; Thursday is Thanksgiving.
    result = week([group(0, 180), group(1, 180)], H0015, context=context)
    assert codes(result) == []
    assert (result.window_min, result.min_days) == (360, 2)
    assert [n.code for n in result.notes] == ["closed", "prorated"]
    assert result.notes[0].message == "Thu 2026-11-26: program closed (Thanksgiving)."
    assert result.requirement.prorated is True
    # One day fewer still falls short.
    assert codes(week([group(0, 180)], H0015, context=context)) == ["below_minimum", "few_days"]


def test_a_holiday_on_a_day_the_program_does_not_meet_changes_nothing():
    saturday = Closure(day(5), "Saturday closure")
    result = week([group(0, 180)], H0015, context=WeekContext(MONDAY, closures=(saturday,)))
    assert result.window_min == 540
    assert result.requirement.prorated is False


def test_a_program_open_four_days():
    context = WeekContext(
        monday=MONDAY, open_weekdays=frozenset({0, 1, 2, 3}), closures=(THANKSGIVING,)
    )
    result = week([group(0, 180), group(1, 180)], H0015, context=context)
    assert (result.requirement.open_days, result.requirement.available_days) == (4, 3)
    assert codes(result) == []


def test_admission_week_is_prorated():
    context = WeekContext(monday=MONDAY, admitted_on=day(2))  # Wednesday
    result = week([group(3, 180)], H0015, context=context)
    assert (result.window_min, result.min_days) == (180, 1)
    assert codes(result) == []
    assert [n.code for n in result.notes] == ["before_admission", "before_admission", "prorated"]


def test_admission_on_thursday_asks_nothing_of_the_week():
    context = WeekContext(monday=MONDAY, admitted_on=day(3))
    result = week([], H0015, context=context)
    assert (result.window_min, result.min_days, codes(result)) == (0, 0, [])


def test_discharge_week_is_prorated():
    context = WeekContext(monday=MONDAY, discharged_on=day(1))  # Tuesday
    result = week([group(0, 180)], MEDICARE, context=context)
    assert result.window_min == 0  # three days after discharge: nothing left of 3 days
    assert codes(result) == []
    context = WeekContext(monday=MONDAY, discharged_on=day(2))  # Wednesday
    result = week([group(0, 180)], MEDICARE, context=context)
    assert result.window_min == 180
    assert codes(result) == []


def test_a_week_on_hold_is_not_flagged():
    context = WeekContext(monday=MONDAY, hold_days=frozenset(day(d) for d in range(7)))
    result = week([], H0015, context=context)
    assert codes(result) == []
    assert result.on_hold is True


def test_hold_from_midweek_is_prorated():
    context = WeekContext(monday=MONDAY, hold_days=frozenset(day(d) for d in range(2, 7)))
    result = week([group(0, 180)], H0015, context=context)
    assert result.on_hold is False
    assert (result.window_min, result.min_days, codes(result)) == (0, 0, [])
    context = WeekContext(monday=MONDAY, hold_days=frozenset(day(d) for d in range(3, 7)))
    result = week([group(0, 180)], H0015, context=context)
    assert (result.window_min, result.min_days, codes(result)) == (180, 1, [])
    context = WeekContext(monday=MONDAY, hold_days=frozenset(day(d) for d in range(4, 7)))
    result = week([group(0, 180)], H0015, context=context)
    assert (result.window_min, result.min_days) == (360, 2)
    assert codes(result) == ["below_minimum", "few_days"]


def test_transition_week_allows_a_shortfall():
    result = week([group(0, 200)], H0015, transitioning=True)
    assert codes(result) == ["transition_week"]
    assert codes(week([group(0, 200)], H0015)) == ["below_minimum", "few_days"]


def test_context_defaults_to_the_weeks_monday():
    result = weekly_hours(
        week="2026-w48",
        attended=[group(0, 180)],
        scheduled=[],
        program_min=540,
        program_max=1140,
        rule=H0015,
        transitioning=False,
    )
    assert result.requirement.open_days == 5
    assert result.requirement.prorated is False


# ---- properties ----------------------------------------------------------------------------

RULES = st.sampled_from(list(RULE_DEFAULTS.values()))
WEEKDAY_SETS = st.frozensets(st.integers(0, 6), min_size=3, max_size=7)


@settings(max_examples=300, deadline=None)
@given(rule=RULES, open_weekdays=WEEKDAY_SETS, data=st.data())
def test_closures_are_never_a_shortfall(rule, open_weekdays, data):
    """A patient on a track of the week's basis days, each a full day, is never flagged
    whichever open days are closed: they attend what stays open."""
    basis = rule.min_days or DAYS_BASIS
    track = data.draw(
        st.lists(
            st.sampled_from(sorted(open_weekdays)), min_size=basis, max_size=basis, unique=True
        )
    )
    closed = data.draw(st.frozensets(st.sampled_from(sorted(open_weekdays))))
    program_min = data.draw(st.sampled_from([360, 540, 600]))
    weekly = rule.min_weekly_minutes or program_min
    per_day = max(-(-weekly // basis), rule.min_daily_minutes or 0, rule.day_counts_from_minutes)
    context = WeekContext(
        monday=MONDAY,
        open_weekdays=open_weekdays,
        closures=tuple(Closure(day(d), "Closed") for d in sorted(closed)),
    )
    attended = [group(d, per_day) for d in track if d not in closed]
    result = week(attended, rule, context=context, program_min=program_min)
    assert [c for c in codes(result) if c != "above_maximum"] == []


@settings(max_examples=300, deadline=None)
@given(
    rule=RULES,
    open_weekdays=WEEKDAY_SETS,
    lost=st.frozensets(st.integers(0, 6)),
    more=st.frozensets(st.integers(0, 6)),
    program_min=st.integers(0, 1200),
)
def test_losing_more_days_never_asks_more(rule, open_weekdays, lost, more, program_min):
    def requirement(days):
        context = WeekContext(
            monday=MONDAY,
            open_weekdays=open_weekdays,
            closures=tuple(Closure(day(d), "Closed") for d in sorted(days)),
        )
        return week_requirement(rule, program_min, context)

    full = requirement(frozenset())
    fewer, fewest = requirement(lost), requirement(lost | more)
    assert fewest.min_minutes <= fewer.min_minutes <= full.min_minutes
    assert fewest.min_days <= fewer.min_days <= full.min_days
    assert full.min_minutes == (rule.min_weekly_minutes or program_min)
    assert full.min_days == rule.min_days


@settings(max_examples=200, deadline=None)
@given(
    minutes=st.lists(st.integers(0, 400), min_size=7, max_size=7),
    kinds=st.lists(st.sampled_from(list(BlockKind)), min_size=7, max_size=7),
    rule=RULES,
)
def test_days_count_exactly_from_the_threshold_and_only_group_days_are_short(minutes, kinds, rule):
    blocks = [Block(day(d), m, k) for d, (m, k) in enumerate(zip(minutes, kinds, strict=True))]
    result = week(blocks, rule)
    for found in result.days:
        index = (found.day - MONDAY).days
        assert found.counts is (minutes[index] >= rule.day_counts_from_minutes)
        assert found.short is (
            rule.min_daily_minutes is not None
            and kinds[index] == BlockKind.GROUP
            and minutes[index] < rule.min_daily_minutes
        )
    assert result.projected_minutes == sum(minutes)
