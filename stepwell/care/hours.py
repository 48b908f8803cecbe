"""Weekly hours against the level of care and the payer's day rules. No Django.

- Weekly window: the program's minimum and maximum structured minutes (ASAM Level 2.1,
  9-19 h for adults, 6-19 h for adolescents; clinical-facts.md §1.1), or a payer's own
  weekly minimum.
- Day rules: H0015 is "at least 3 hours/day and at least 3 days/week" (§2); the per-payer
  values are configurable (PayerRule), H0015's are the default.
- A step-down "transition" week below the minimum is allowed for one or two weeks
  (§1.1, Aetna's reproduction of ASAM 2.1): it is reported, not flagged as a shortfall.

Minutes are counted per local day of the program's zone; the callers convert the UTC
instants (calendar.utc_to_local), so a day is 23 or 25 hours long across DST changes.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

H0015_MIN_DAILY_MINUTES = 180
H0015_MIN_DAYS = 3


@dataclass(frozen=True)
class DayRule:
    min_daily_minutes: int = H0015_MIN_DAILY_MINUTES
    min_days: int = H0015_MIN_DAYS
    min_weekly_minutes: int | None = None  # None: the program's minimum
    name: str = "H0015 default"


@dataclass(frozen=True)
class Block:
    """Minutes on one local day: attended (recorded) or scheduled and still to come."""

    day: date
    minutes: int


@dataclass(frozen=True)
class Flag:
    code: str
    message: str
    day: date | None = None


@dataclass(frozen=True)
class DayHours:
    day: date
    attended_minutes: int
    scheduled_minutes: int

    @property
    def projected_minutes(self) -> int:
        return self.attended_minutes + self.scheduled_minutes


@dataclass(frozen=True)
class WeeklyHours:
    week: str
    attended_minutes: int
    scheduled_minutes: int
    projected_minutes: int
    window_min: int
    window_max: int
    transitioning: bool
    days: tuple[DayHours, ...]
    flags: tuple[Flag, ...]
    rule: DayRule

    @property
    def below_minimum(self) -> bool:
        return any(f.code == "below_minimum" for f in self.flags)

    @property
    def attendance_days(self) -> int:
        return sum(1 for d in self.days if d.projected_minutes > 0)


def _hours(minutes: int) -> str:
    return f"{minutes / 60:.1f} h"


def weekly_hours(
    *,
    week: str,
    attended: list[Block],
    scheduled: list[Block],
    program_min: int,
    program_max: int,
    rule: DayRule,
    transitioning: bool,
) -> WeeklyHours:
    by_day_attended: dict[date, int] = defaultdict(int)
    by_day_scheduled: dict[date, int] = defaultdict(int)
    for block in attended:
        by_day_attended[block.day] += block.minutes
    for block in scheduled:
        by_day_scheduled[block.day] += block.minutes
    days = tuple(
        DayHours(day=d, attended_minutes=by_day_attended[d], scheduled_minutes=by_day_scheduled[d])
        for d in sorted(set(by_day_attended) | set(by_day_scheduled))
    )
    attended_total = sum(by_day_attended.values())
    scheduled_total = sum(by_day_scheduled.values())
    projected = attended_total + scheduled_total
    window_min = program_min if rule.min_weekly_minutes is None else rule.min_weekly_minutes
    flags: list[Flag] = []
    if projected < window_min:
        if transitioning:
            flags.append(
                Flag(
                    "transition_week",
                    f"Step-down week: {_hours(projected)} projected, below "
                    f"{_hours(window_min)}, allowed while transitioning.",
                )
            )
        else:
            flags.append(
                Flag(
                    "below_minimum",
                    f"Projected {_hours(projected)}, below the minimum {_hours(window_min)}.",
                )
            )
    if projected > program_max:
        flags.append(
            Flag(
                "above_maximum",
                f"Projected {_hours(projected)}, above the maximum {_hours(program_max)}.",
            )
        )
    for day in days:
        if 0 < day.projected_minutes < rule.min_daily_minutes:
            flags.append(
                Flag(
                    "short_day",
                    f"{day.day:%a %Y-%m-%d}: {_hours(day.projected_minutes)}, under "
                    f"{_hours(rule.min_daily_minutes)} a day ({rule.name}).",
                    day=day.day,
                )
            )
    attendance_days = sum(1 for d in days if d.projected_minutes > 0)
    if attendance_days < rule.min_days and not transitioning:
        flags.append(
            Flag(
                "few_days",
                f"{attendance_days} attendance day{'s' if attendance_days != 1 else ''}, "
                f"under {rule.min_days} a week ({rule.name}).",
            )
        )
    return WeeklyHours(
        week=week,
        attended_minutes=attended_total,
        scheduled_minutes=scheduled_total,
        projected_minutes=projected,
        window_min=window_min,
        window_max=program_max,
        transitioning=transitioning,
        days=days,
        flags=tuple(flags),
        rule=rule,
    )
