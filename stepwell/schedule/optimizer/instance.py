"""One template week of a program, read from the file format in docs/schedule-instance.md.

`instance_from_dict` turns the parsed JSON into frozen dataclasses, or raises
`InstanceError` listing every problem found, each naming its field path
(`patients[3].availability[1].end`); the pydantic models that read the file are in
instance_schema.py. Times become minutes since Monday 00:00 so the
engine compares plain integers; `format_day`/`format_clock` turn them back.

Defaults (all overridable in the file):
- weekly minutes 540–1140 for adults and 360–1140 for adolescents: ASAM level 2.1,
  "9-19 hours of structured programming per week for adults and 6-19 hours for
  adolescents" (docs/clinical-sources.md §1.2). `program.population`
  (`adult` | `adolescent`, optional, default `adult`) picks the default when
  `program.min_minutes`/`max_minutes` are absent;
- `min_days` 0 and `max_days` 7 (payers such as H0015 ask for at least 3 days; the file
  says so per patient), `min_day_minutes` 0: a day counts toward `min_days` only when
  the patient's minutes that day reach it (H0015: 3 hours a day on 3 days).

Beyond the spec's list of bad input we also refuse, because no plan could honour them: a
session outside its staff's availability, two sessions that share a staff member or a
room at overlapping times, a minimum above its maximum, and capacities below 1.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
MINUTES_PER_DAY = 24 * 60
LARGEST_NUMBER = 1_000_000  # far above any count or minutes of one week
ADULT_MINUTES = (540, 1140)
ADOLESCENT_MINUTES = (360, 1140)
TRACK_ALL = "all"


class SessionKind(StrEnum):
    PROCESS_GROUP = "process_group"
    PSYCHOEDUCATION = "psychoeducation"
    SKILLS_GROUP = "skills_group"
    RELAPSE_PREVENTION = "relapse_prevention"
    FAMILY_GROUP = "family_group"
    ACTIVITY_THERAPY = "activity_therapy"
    MINDFULNESS = "mindfulness"
    PEER_SUPPORT = "peer_support"


class StaffRole(StrEnum):
    THERAPIST = "therapist"
    PRESCRIBER = "prescriber"
    NURSE = "nurse"
    PEER_SPECIALIST = "peer_specialist"
    CASE_MANAGER = "case_manager"


class AppointmentType(StrEnum):
    """Individual appointments go to therapists, medication appointments to prescribers."""

    INDIVIDUAL = "individual"
    MEDICATION = "medication"

    @property
    def default_role(self) -> StaffRole:
        if self is AppointmentType.INDIVIDUAL:
            return StaffRole.THERAPIST
        return StaffRole.PRESCRIBER


class Population(StrEnum):
    ADULT = "adult"
    ADOLESCENT = "adolescent"


@dataclass(frozen=True)
class FieldError:
    field: str
    message: str


class InstanceError(ValueError):
    """The week file is not a valid instance; `errors` names every offending field."""

    def __init__(self, errors: list[FieldError]) -> None:
        self.errors = tuple(errors)
        super().__init__("; ".join(f"{error.field}: {error.message}" for error in errors))


@dataclass(frozen=True)
class Window:
    """A stretch of one day, in minutes since Monday 00:00, end exclusive."""

    start: int
    end: int

    @property
    def day(self) -> int:
        return self.start // MINUTES_PER_DAY

    def contains(self, start: int, end: int) -> bool:
        return self.start <= start and end <= self.end


@dataclass(frozen=True)
class Program:
    name: str
    timezone: str
    min_minutes: int
    max_minutes: int
    slot_minutes: int
    population: Population


@dataclass(frozen=True)
class Room:
    id: str
    capacity: int


@dataclass(frozen=True)
class Staff:
    id: str
    role: StaffRole
    max_individual_minutes: int
    availability: tuple[Window, ...]


@dataclass(frozen=True)
class Session:
    id: str
    kind: SessionKind
    title: str
    track: str
    start: int
    end: int
    capacity: int
    staff: tuple[str, ...]
    room: str

    @property
    def day(self) -> int:
        return self.start // MINUTES_PER_DAY

    @property
    def minutes(self) -> int:
        return self.end - self.start


@dataclass(frozen=True)
class AppointmentRequest:
    """`count` appointments of `minutes` each; `staff` None means any staff of the role."""

    type: AppointmentType
    count: int
    minutes: int
    staff: str | None


@dataclass(frozen=True)
class Patient:
    id: str
    track: str
    min_minutes: int
    max_minutes: int
    min_days: int
    max_days: int
    availability: tuple[Window, ...]
    min_sessions_by_kind: tuple[tuple[SessionKind, int], ...]
    appointments: tuple[AppointmentRequest, ...]
    min_day_minutes: int = 0


@dataclass(frozen=True)
class Instance:
    program: Program
    rooms: tuple[Room, ...]
    staff: tuple[Staff, ...]
    sessions: tuple[Session, ...]
    patients: tuple[Patient, ...]
    rooms_by_id: dict[str, Room] = field(init=False, repr=False, compare=False)
    staff_by_id: dict[str, Staff] = field(init=False, repr=False, compare=False)
    sessions_by_id: dict[str, Session] = field(init=False, repr=False, compare=False)
    # what the engines derive from the week once (candidates.py); never part of equality
    memo: dict[object, Any] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "memo", {})
        object.__setattr__(self, "rooms_by_id", {room.id: room for room in self.rooms})
        object.__setattr__(self, "staff_by_id", {member.id: member for member in self.staff})
        object.__setattr__(
            self, "sessions_by_id", {session.id: session for session in self.sessions}
        )

    def session_capacity(self, session: Session) -> int:
        """A session never takes more patients than its own capacity nor its room's."""
        return min(session.capacity, self.rooms_by_id[session.room].capacity)


def session_fits(session: Session, patient: Patient) -> bool:
    """The spec's fit rule: same track (or `all`) and wholly inside one availability window."""
    if session.track not in (patient.track, TRACK_ALL):
        return False
    return any(window.contains(session.start, session.end) for window in patient.availability)


def format_day(minute: int) -> str:
    return DAYS[minute // MINUTES_PER_DAY]


def format_clock(minute: int) -> str:
    """`HH:MM` of a week minute; an end at midnight reads `24:00` on its own day."""
    of_day = minute % MINUTES_PER_DAY
    if of_day == 0 and minute > 0:
        of_day = MINUTES_PER_DAY
    return f"{of_day // 60:02d}:{of_day % 60:02d}"


def week_minute(day: str, clock: str) -> int:
    """Minutes since Monday 00:00 of a valid `day` and `HH:MM` (see `parse_clock`)."""
    minutes = parse_clock(clock)
    if day not in DAYS or minutes is None:
        raise ValueError(f"not a day and time: {day!r} {clock!r}")
    return DAYS.index(day) * MINUTES_PER_DAY + minutes


_CLOCK = re.compile(r"^([0-9]{2}):([0-9]{2})$")


def parse_clock(clock: object) -> int | None:
    """Minutes since midnight of `HH:MM` (00:00..24:00), or None when it is not one."""
    if not isinstance(clock, str):
        return None
    match = _CLOCK.match(clock)
    if not match:
        return None
    hours, minutes = int(match.group(1)), int(match.group(2))
    if minutes > 59 or hours > 24 or (hours == 24 and minutes != 0):
        return None
    return hours * 60 + minutes


def instance_from_dict(data: object) -> Instance:
    """Validate and convert a parsed week file; raise `InstanceError` with every problem.

    The pydantic models of the file live in instance_schema.py, which builds these
    dataclasses; imported here on use, as it imports this module.
    """
    from stepwell.schedule.optimizer.instance_schema import read_instance

    return read_instance(data)
