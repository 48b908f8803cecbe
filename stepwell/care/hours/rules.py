"""Weekly hours against the patient's payer rule. No Django.

The rule comes from the patient's coverage (docs/clinical-sources.md §2), not from the
program; without coverage, or for self-pay, the program's own default applies:

- **H0015** (alcohol and/or drug intensive outpatient, per diem): a day holds at least
  3 hours and the week at least 3 such days (§2.2, descriptor text).
- **Medicare IOP**: at least 9 hours of services a week (§2.1). Payment is per day in two
  tiers, up to three services and four or more, so the services of each day are counted
  and the tier shown; a day with fewer than three services is the lower tier, never a
  shortfall.
- **S9480** and the other per-diem payers: the payer's own day and week minimums (§2.2).
- **Program default**: the program's weekly window (ASAM Level 2.1: 9-19 hours for adults,
  6-19 for adolescents, §1.2) and the day rule the program sets for itself.

A day counts toward the week's days only when it reaches the rule's
`day_counts_from_minutes`. A day under the daily minimum is a *short day* only when it
holds group programming: an individual or medication visit on a day of its own is a
separate contact, neither a short day nor a counted day.

Weeks that cannot be whole are prorated, never flagged for what the patient could not
attend: program holidays (closures), the days before admission and after discharge, and
days on hold (§1.2). Each lost day of the program's regular open days takes one day's
share off the week (see `week_requirement`). A whole week on hold is not flagged at all. A
step-down "transition" week below the minimum is reported, not flagged (§1.2).

Minutes are counted per local day of the program's zone; the callers convert the UTC
instants (calendar.utc_to_local), so a day is 23 or 25 hours long across DST changes.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, replace
from datetime import date, timedelta
from enum import StrEnum

WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
# The usual IOP week is three programme days (§1.2: "at least 3 days", "three to four days
# a week"); a rule without a day count is prorated over this many days.
DAYS_BASIS = 3
MEDICARE_HIGHER_TIER_SERVICES = 4  # §2.1: "up to three" and "four or more" services a day


class RuleKind(StrEnum):
    """Which payer rule applies; billing.HoursRule stores the same values."""

    H0015 = "h0015"
    MEDICARE_IOP = "medicare_iop"
    S9480 = "s9480"
    PROGRAM_DEFAULT = "program_default"


class BlockKind(StrEnum):
    GROUP = "group"
    INDIVIDUAL = "individual"
    MEDICATION = "medication"


@dataclass(frozen=True)
class HoursRule:
    """The numbers a week is measured against.

    `min_weekly_minutes` None means the program's weekly minimum; `min_daily_minutes`
    None means no daily minimum (no short days); `min_days` 0 means no day count.
    """

    name: str
    kind: RuleKind = RuleKind.PROGRAM_DEFAULT
    min_weekly_minutes: int | None = None
    min_daily_minutes: int | None = None
    min_days: int = 0
    day_counts_from_minutes: int = 90

    @property
    def counts_services(self) -> bool:
        return self.kind == RuleKind.MEDICARE_IOP


# The defaults a new payer of each rule starts from (docs/clinical-sources.md §2). S9480's
# numbers are one Medicaid plan's (§2.2); every payer's numbers are editable in setup.
RULE_DEFAULTS: dict[RuleKind, HoursRule] = {
    RuleKind.H0015: HoursRule(
        name="H0015",
        kind=RuleKind.H0015,
        min_daily_minutes=180,
        min_days=3,
        day_counts_from_minutes=180,
    ),
    RuleKind.MEDICARE_IOP: HoursRule(
        name="Medicare IOP", kind=RuleKind.MEDICARE_IOP, min_weekly_minutes=540
    ),
    RuleKind.S9480: HoursRule(
        name="S9480",
        kind=RuleKind.S9480,
        min_weekly_minutes=540,
        min_daily_minutes=180,
        min_days=2,
        day_counts_from_minutes=180,
    ),
    RuleKind.PROGRAM_DEFAULT: HoursRule(name="Program default"),
}


def stricter(first: HoursRule, second: HoursRule) -> HoursRule:
    """Each number at its stricter value: what a schedule must hold to satisfy both."""

    def most(a: int | None, b: int | None) -> int | None:
        if a is None:
            return b
        return a if b is None else max(a, b)

    return replace(
        first,
        name=f"{first.name} + {second.name}",
        min_weekly_minutes=most(first.min_weekly_minutes, second.min_weekly_minutes),
        min_daily_minutes=most(first.min_daily_minutes, second.min_daily_minutes),
        min_days=max(first.min_days, second.min_days),
        day_counts_from_minutes=max(first.day_counts_from_minutes, second.day_counts_from_minutes),
    )


@dataclass(frozen=True)
class Closure:
    day: date
    name: str


@dataclass(frozen=True)
class WeekContext:
    """What the week could hold: the program's regular open weekdays (0 = Monday), its
    closures, the episode's dates and days on hold."""

    monday: date
    open_weekdays: frozenset[int] = frozenset(range(5))
    closures: tuple[Closure, ...] = ()
    admitted_on: date | None = None
    discharged_on: date | None = None
    hold_days: frozenset[date] = frozenset()

    @property
    def open_days(self) -> tuple[date, ...]:
        return tuple(self.monday + timedelta(days=d) for d in range(7) if d in self.open_weekdays)

    def lost_reason(self, day: date) -> str | None:
        """Why the patient could not attend on an open day, or None."""
        if any(closure.day == day for closure in self.closures):
            return "closed"
        if self.admitted_on is not None and day < self.admitted_on:
            return "before_admission"
        if self.discharged_on is not None and day > self.discharged_on:
            return "after_discharge"
        if day in self.hold_days:
            return "on_hold"
        return None


@dataclass(frozen=True)
class Requirement:
    """The week's minimum minutes and counted days after proration."""

    min_minutes: int
    min_days: int
    open_days: int
    available_days: int
    lost: tuple[tuple[date, str], ...] = ()

    @property
    def prorated(self) -> bool:
        return self.available_days < self.open_days


def week_requirement(rule: HoursRule, program_min: int, context: WeekContext) -> Requirement:
    """Prorate the rule's week for the open days the patient could not attend.

    The week is `basis` days (the rule's day count, or 3, the usual IOP week, when the
    rule counts none) of `weekly / basis` minutes each. Each lost open day takes one such
    day off: the week asks for `basis - lost` days and that share of the minutes. So a
    holiday in a 3 x 3 h week asks for 2 days and 6 hours, and a patient whose own track
    day was the closed one is not flagged for it, whichever open days the closures hit;
    admission on a Wednesday asks for one day. A full week is never prorated up.
    """
    weekly = program_min if rule.min_weekly_minutes is None else rule.min_weekly_minutes
    open_days = context.open_days
    lost = tuple(
        (day, reason) for day in open_days if (reason := context.lost_reason(day)) is not None
    )
    regular, available = len(open_days), len(open_days) - len(lost)
    if not lost:
        return Requirement(weekly, rule.min_days, regular, available, lost)
    basis = rule.min_days or DAYS_BASIS
    days_left = max(0, basis - len(lost))
    return Requirement(
        min_minutes=weekly * days_left // basis,
        min_days=min(rule.min_days, days_left),
        open_days=regular,
        available_days=available,
        lost=lost,
    )


@dataclass(frozen=True)
class Block:
    """Minutes of one session on one local day: attended (recorded) or still to come."""

    day: date
    minutes: int
    kind: BlockKind = BlockKind.GROUP


FLAG_LABELS = {
    "below_minimum": "below minimum",
    "above_maximum": "above maximum",
    "short_day": "short day",
    "few_days": "too few days",
    "transition_week": "step-down week",
}


@dataclass(frozen=True)
class Flag:
    code: str
    message: str
    day: date | None = None

    @property
    def label(self) -> str:
        return FLAG_LABELS.get(self.code, self.code.replace("_", " "))


@dataclass(frozen=True)
class DayHours:
    day: date
    attended_minutes: int
    scheduled_minutes: int
    group_minutes: int = 0
    services: int = 0
    counts: bool = False
    short: bool = False
    tier: str = ""

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
    rule: HoursRule
    requirement: Requirement
    notes: tuple[Flag, ...] = ()

    @property
    def below_minimum(self) -> bool:
        return any(f.code == "below_minimum" for f in self.flags)

    @property
    def attendance_days(self) -> int:
        """Days with any minutes, counted or not."""
        return sum(1 for d in self.days if d.projected_minutes > 0)

    @property
    def counted_days(self) -> int:
        return sum(1 for d in self.days if d.counts)

    @property
    def min_days(self) -> int:
        return self.requirement.min_days

    @property
    def on_hold(self) -> bool:
        """Every open day of the week on hold: nothing is asked of it."""
        reasons = [reason for _, reason in self.requirement.lost]
        return bool(reasons) and self.requirement.available_days == 0 and "on_hold" in reasons


def _hours(minutes: int) -> str:
    return f"{minutes / 60:.1f} h"


def _day_label(day: date) -> str:
    return f"{WEEKDAYS[day.weekday()]} {day:%Y-%m-%d}"


def _tier(services: int) -> str:
    if services >= MEDICARE_HIGHER_TIER_SERVICES:
        return "4 or more services"
    return "up to 3 services"


def _days(attended: list[Block], scheduled: list[Block], rule: HoursRule) -> tuple[DayHours, ...]:
    attended_by_day: dict[date, int] = defaultdict(int)
    scheduled_by_day: dict[date, int] = defaultdict(int)
    group_by_day: dict[date, int] = defaultdict(int)
    services_by_day: dict[date, int] = defaultdict(int)
    for blocks, totals in ((attended, attended_by_day), (scheduled, scheduled_by_day)):
        for block in blocks:
            if block.minutes <= 0:
                continue
            totals[block.day] += block.minutes
            services_by_day[block.day] += 1
            if block.kind == BlockKind.GROUP:
                group_by_day[block.day] += block.minutes
    days = []
    for day in sorted(set(attended_by_day) | set(scheduled_by_day)):
        projected = attended_by_day[day] + scheduled_by_day[day]
        short = (
            rule.min_daily_minutes is not None
            and group_by_day[day] > 0
            and projected < rule.min_daily_minutes
        )
        days.append(
            DayHours(
                day=day,
                attended_minutes=attended_by_day[day],
                scheduled_minutes=scheduled_by_day[day],
                group_minutes=group_by_day[day],
                services=services_by_day[day],
                counts=projected >= rule.day_counts_from_minutes,
                short=short,
                tier=_tier(services_by_day[day]) if rule.counts_services else "",
            )
        )
    return tuple(days)


LOST_WORDS = {
    "closed": "program closed",
    "before_admission": "before admission",
    "after_discharge": "after discharge",
    "on_hold": "on hold",
}


def _notes(requirement: Requirement, context: WeekContext, rule: HoursRule) -> list[Flag]:
    notes = []
    names = {closure.day: closure.name for closure in context.closures}
    for day, reason in requirement.lost:
        words = LOST_WORDS[reason]
        if reason == "closed" and names.get(day):
            words = f"{words} ({names[day]})"
        notes.append(Flag(reason, f"{_day_label(day)}: {words}.", day=day))
    if requirement.prorated:
        notes.append(
            Flag(
                "prorated",
                f"{requirement.available_days} of {requirement.open_days} open days could be "
                f"attended: the week asks for {_hours(requirement.min_minutes)}"
                + (f" on {requirement.min_days} days" if rule.min_days else "")
                + ".",
            )
        )
    return notes


def weekly_hours(
    *,
    week: str,
    attended: list[Block],
    scheduled: list[Block],
    program_min: int,
    program_max: int,
    rule: HoursRule,
    transitioning: bool,
    context: WeekContext | None = None,
) -> WeeklyHours:
    """The week's attended, still-scheduled and projected minutes, per day, and its flags
    against `rule` (prorated by `context`; see the module docstring)."""
    if context is None:
        context = WeekContext(monday=_monday_of(week))
    requirement = week_requirement(rule, program_min, context)
    days = _days(attended, scheduled, rule)
    attended_total = sum(d.attended_minutes for d in days)
    scheduled_total = sum(d.scheduled_minutes for d in days)
    projected = attended_total + scheduled_total
    window_min = requirement.min_minutes
    notes = _notes(requirement, context, rule)
    flags: list[Flag] = []
    exempt = transitioning or (requirement.available_days == 0 and requirement.open_days > 0)
    if projected < window_min:
        if transitioning:
            flags.append(
                Flag(
                    "transition_week",
                    f"Step-down week: {_hours(projected)} projected, below "
                    f"{_hours(window_min)}, allowed while transitioning.",
                )
            )
        elif not exempt:
            flags.append(
                Flag(
                    "below_minimum",
                    f"Projected {_hours(projected)}, below the minimum {_hours(window_min)}"
                    f" ({rule.name}).",
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
        if day.short and not exempt:
            flags.append(
                Flag(
                    "short_day",
                    f"{_day_label(day.day)}: {_hours(day.projected_minutes)}, under "
                    f"{_hours(rule.min_daily_minutes or 0)} a day ({rule.name}).",
                    day=day.day,
                )
            )
    counted = sum(1 for d in days if d.counts)
    if counted < requirement.min_days and not exempt:
        flags.append(
            Flag(
                "few_days",
                f"{counted} day{'s' if counted != 1 else ''} of at least "
                f"{_hours(rule.day_counts_from_minutes)}, under {requirement.min_days} a week "
                f"({rule.name}).",
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
        requirement=requirement,
        notes=tuple(notes),
    )


def _monday_of(week: str) -> date:
    year, number = week.upper().split("-W")
    return date.fromisocalendar(int(year), int(number), 1)
