"""Authorization units counted from billable days, and when one is running out."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st

from stepwell.billing.days import AuthorizationState
from stepwell.billing.utilization import (
    AuthorizationStatus,
    AuthorizationWindow,
    DayDemand,
    UnitKind,
    Usage,
    allocate_units,
)

START = date(2026, 11, 2)


def window(key=1, status="approved", days=30, units=10, kind=UnitKind.DAYS, starts=START):
    return AuthorizationWindow(
        key=key,
        status=AuthorizationStatus(status),
        starts_on=starts,
        ends_on=starts + timedelta(days=days - 1),
        units_approved=units,
        unit_kind=kind,
    )


def demand(offset, sessions=3, takes=True):
    return DayDemand(day=START + timedelta(days=offset), sessions=sessions, takes_units=takes)


def test_days_take_one_unit_each_until_the_units_run_out():
    states, used = allocate_units([demand(n) for n in range(4)], [window(units=3)])
    assert [states[START + timedelta(days=n)].state for n in range(4)] == [
        AuthorizationState.COVERED,
        AuthorizationState.COVERED,
        AuthorizationState.COVERED,
        AuthorizationState.EXHAUSTED,
    ]
    assert used == {1: 3}


def test_sessions_take_one_unit_per_service():
    states, used = allocate_units(
        [demand(0, sessions=3), demand(1, sessions=3)], [window(units=5, kind=UnitKind.SESSIONS)]
    )
    assert states[START].state == AuthorizationState.COVERED
    assert states[START + timedelta(days=1)].state == AuthorizationState.EXHAUSTED
    assert used == {1: 3}


def test_a_day_not_billable_yet_takes_nothing_but_shows_its_cover():
    states, used = allocate_units([demand(0, takes=False), demand(1), demand(2)], [window(units=2)])
    assert all(a.state == AuthorizationState.COVERED for a in states.values())
    assert used == {1: 2}


def test_outside_the_dates_pending_and_denied():
    later = START + timedelta(days=40)
    windows = [
        window(1, days=10, units=10),
        window(2, status="pending", starts=later, days=10),
        window(3, status="denied", starts=later + timedelta(days=20), days=5),
    ]
    days = [demand(0), demand(15), demand(40), demand(60)]
    states, _ = allocate_units(days, windows)
    assert [states[START + timedelta(days=n)].state for n in (0, 15, 40, 60)] == [
        AuthorizationState.COVERED,
        AuthorizationState.MISSING,
        AuthorizationState.PENDING,
        AuthorizationState.DENIED,
    ]
    assert states[START + timedelta(days=40)].authorization == 2


def test_the_earlier_authorization_is_used_first():
    windows = [window(2, starts=START + timedelta(days=1), units=5), window(1, units=1)]
    states, used = allocate_units([demand(1), demand(2)], windows)
    assert [states[START + timedelta(days=n)].authorization for n in (1, 2)] == [1, 2]
    assert used == {1: 1, 2: 1}


@given(
    units=st.integers(min_value=0, max_value=20),
    offsets=st.sets(st.integers(min_value=0, max_value=45), max_size=30),
)
def test_units_used_never_pass_the_units_approved(units, offsets):
    days = [demand(n) for n in offsets]
    states, used = allocate_units(days, [window(units=units, days=30)])
    inside = sorted(n for n in offsets if n < 30)
    covered = [n for n in inside if states[START + timedelta(days=n)].state == "covered"]
    assert used[1] == len(covered) == min(units, len(inside))
    assert covered == inside[: len(covered)]  # in date order


def usage(**kwargs):
    values = {
        "units_approved": 20,
        "units_used": 5,
        "ends_on": date(2026, 12, 31),
        "today": date(2026, 12, 1),
        "warn_units": 3,
        "warn_days": 7,
    } | kwargs
    return Usage(**values)


def test_running_out_by_units_or_by_date():
    assert not usage().running_out
    assert usage(units_used=17).reasons == ("3 of 20 unit(s) left",)
    assert usage(ends_on=date(2026, 12, 7)).reasons == ("ends on 2026-12-07 (7 day(s) left)",)
    assert not usage(ends_on=date(2026, 12, 8)).running_out
    assert usage(ends_on=date(2026, 11, 30)).reasons == ("ended on 2026-11-30",)
    assert usage(units_used=25).units_left == 0


@given(
    approved=st.integers(min_value=0, max_value=60),
    used=st.integers(min_value=0, max_value=60),
    warn=st.integers(min_value=0, max_value=10),
)
def test_running_out_by_units_is_exactly_the_warning(approved, used, warn):
    state = usage(units_approved=approved, units_used=used, warn_units=warn)
    assert state.running_out is (max(0, approved - used) <= warn)
