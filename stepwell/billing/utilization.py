"""Authorizations and utilization review: which authorization covers a day, how many units
are used and left, and when one is running out. No Django.

Most commercial payers authorize a number of intensive outpatient days (or sessions) over
a date range and review the patient's progress before authorizing more
(docs/clinical-sources.md §2.6). Units are counted from billable days as they happen: a
day takes one unit of an authorization counted in days, or one unit per service of one
counted in sessions, from the first approved authorization (by start date) that covers
the day and still has the units. A day that is not billable yet for another reason (an
unsigned note) takes nothing; once fixed it takes its unit in date order.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from .days import AuthorizationState


class UnitKind(StrEnum):
    DAYS = "days"
    SESSIONS = "sessions"


class AuthorizationStatus(StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    DENIED = "denied"


@dataclass(frozen=True)
class AuthorizationWindow:
    key: int
    status: AuthorizationStatus
    starts_on: date
    ends_on: date
    units_approved: int
    unit_kind: UnitKind = UnitKind.DAYS

    def covers(self, day: date) -> bool:
        return self.starts_on <= day <= self.ends_on


@dataclass(frozen=True)
class DayDemand:
    """A day to be counted: how many sessions it holds, and whether it is billable but
    for its authorization (only such a day takes units)."""

    day: date
    sessions: int
    takes_units: bool


@dataclass(frozen=True)
class Allocation:
    state: AuthorizationState
    authorization: int | None = None


def _needed(window: AuthorizationWindow, demand: DayDemand) -> int:
    return demand.sessions if window.unit_kind == UnitKind.SESSIONS else 1


def allocate_units(
    demands: Iterable[DayDemand], windows: Iterable[AuthorizationWindow]
) -> tuple[dict[date, Allocation], dict[int, int]]:
    """Each day's authorization state (by day) and the units used of each authorization
    (by key), counting days in date order."""
    windows = sorted(windows, key=lambda w: (w.starts_on, w.key))
    used = {w.key: 0 for w in windows}
    result: dict[date, Allocation] = {}
    for demand in sorted(demands, key=lambda d: d.day):
        covering = [w for w in windows if w.covers(demand.day)]
        approved = [w for w in covering if w.status == AuthorizationStatus.APPROVED]
        chosen = next(
            (w for w in approved if used[w.key] + _needed(w, demand) <= w.units_approved), None
        )
        if chosen is not None:
            if demand.takes_units:
                used[chosen.key] += _needed(chosen, demand)
            result[demand.day] = Allocation(AuthorizationState.COVERED, chosen.key)
        elif approved:
            result[demand.day] = Allocation(AuthorizationState.EXHAUSTED, approved[0].key)
        elif pending := [w for w in covering if w.status == AuthorizationStatus.PENDING]:
            result[demand.day] = Allocation(AuthorizationState.PENDING, pending[0].key)
        elif denied := [w for w in covering if w.status == AuthorizationStatus.DENIED]:
            result[demand.day] = Allocation(AuthorizationState.DENIED, denied[0].key)
        else:
            result[demand.day] = Allocation(AuthorizationState.MISSING)
    return result, used


@dataclass(frozen=True)
class Usage:
    """Where an approved authorization stands today."""

    units_approved: int
    units_used: int
    ends_on: date
    today: date
    warn_units: int
    warn_days: int

    @property
    def units_left(self) -> int:
        return max(0, self.units_approved - self.units_used)

    @property
    def days_left(self) -> int:
        """Calendar days from today to the last authorized day, that day included."""
        return (self.ends_on - self.today).days + 1

    @property
    def expired(self) -> bool:
        return self.ends_on < self.today

    @property
    def reasons(self) -> tuple[str, ...]:
        """Why it is running out (empty: it is not)."""
        reasons = []
        if self.expired:
            reasons.append(f"ended on {self.ends_on:%Y-%m-%d}")
        elif self.days_left <= self.warn_days:
            reasons.append(f"ends on {self.ends_on:%Y-%m-%d} ({self.days_left} day(s) left)")
        if self.units_left <= self.warn_units:
            reasons.append(f"{self.units_left} of {self.units_approved} unit(s) left")
        return tuple(reasons)

    @property
    def running_out(self) -> bool:
        return bool(self.reasons)
