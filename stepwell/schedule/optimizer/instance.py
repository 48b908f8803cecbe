"""One template week of a program, read from the file format in docs/schedule-instance.md.

`instance_from_dict` turns the parsed JSON into frozen dataclasses, or raises
`InstanceError` listing every problem found, each naming its field path
(`patients[3].availability[1].end`). Times become minutes since Monday 00:00 so the
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

import itertools
import re
import zoneinfo
from collections.abc import Callable
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
    """Validate and convert a parsed week file; raise `InstanceError` with every problem."""
    reader = _Reader()
    instance = reader.instance(data)
    if reader.errors or instance is None:
        raise InstanceError(reader.errors)
    return instance


class _Reader:
    """Reads one week file, collecting errors instead of stopping at the first."""

    def __init__(self) -> None:
        self.errors: list[FieldError] = []

    def error(self, path: str, message: str) -> None:
        """Record a problem; the first one found for a field is the one reported."""
        if all(error.field != path for error in self.errors):
            self.errors.append(FieldError(path, message))

    # -- primitives -------------------------------------------------------------------

    def keys(self, value: object, path: str, required: set[str], optional: set[str]) -> bool:
        if not isinstance(value, dict):
            self.error(path or "$", "must be an object")
            return False
        prefix = f"{path}." if path else ""
        for key in sorted(set(value) - required - optional, key=str):
            self.error(f"{prefix}{key}", "unknown field")
        for key in sorted(required - set(value)):
            self.error(f"{prefix}{key}", "is required")
        return True

    def integer(self, value: object, path: str, minimum: int = 0) -> int | None:
        if isinstance(value, bool) or not isinstance(value, int):
            self.error(path, "must be a whole number")
            return None
        if value < minimum:
            self.error(path, f"must be at least {minimum}")
            return None
        if value > LARGEST_NUMBER:  # the solver's integers are 64-bit; no week needs more
            self.error(path, f"must be at most {LARGEST_NUMBER}")
            return None
        return value

    def text(self, value: object, path: str) -> str | None:
        if not isinstance(value, str) or not value.strip():
            self.error(path, "must be a non-empty string")
            return None
        return value

    def choice(self, value: object, path: str, enum: type[StrEnum]) -> Any:
        try:
            if not isinstance(value, str):
                raise ValueError(value)
            return enum(value)
        except ValueError:
            allowed = ", ".join(member.value for member in enum)
            self.error(path, f"unknown value {value!r}; expected one of {allowed}")
            return None

    def listing(self, value: object, path: str) -> list[Any]:
        if not isinstance(value, list):
            self.error(path, "must be a list")
            return []
        return value

    def unique_ids(self, items: list[Any], path: str) -> None:
        seen: set[str] = set()
        for index, item in enumerate(items):
            if item is None:
                continue
            if item.id in seen:
                self.error(f"{path}[{index}].id", f"duplicate id {item.id!r}")
            seen.add(item.id)

    def span(self, data: dict[str, Any], path: str) -> tuple[int, int] | None:
        """Read `day`, `start`, `end` into a week-minute span; end after start."""
        day = data.get("day")
        if day not in DAYS:
            self.error(f"{path}.day", f"{day!r} is not a day; expected one of {', '.join(DAYS)}")
        start = parse_clock(data.get("start"))
        end = parse_clock(data.get("end"))
        if start is None:
            self.error(f"{path}.start", "must be a time HH:MM between 00:00 and 24:00")
        if end is None:
            self.error(f"{path}.end", "must be a time HH:MM between 00:00 and 24:00")
        if start is not None and end is not None and end <= start:
            self.error(f"{path}.end", "must be after start")
            return None
        if day not in DAYS or start is None or end is None:
            return None
        offset = DAYS.index(day) * MINUTES_PER_DAY
        return offset + start, offset + end

    def windows(self, value: object, path: str) -> tuple[Window, ...]:
        read: list[tuple[int, Window]] = []
        for index, item in enumerate(self.listing(value, path)):
            item_path = f"{path}[{index}]"
            if self.keys(item, item_path, {"day", "start", "end"}, set()):
                span = self.span(item, item_path)
                if span is not None:
                    read.append((index, Window(*span)))
        ordered = sorted(read, key=lambda pair: pair[1].start)
        for (_, earlier), (index, later) in itertools.pairwise(ordered):
            if later.start < earlier.end:
                self.error(f"{path}[{index}]", "overlaps another window on the same day")
        return tuple(window for _, window in ordered)

    # -- sections ---------------------------------------------------------------------

    def instance(self, data: object) -> Instance | None:
        sections = {"program", "rooms", "staff", "sessions", "patients"}
        if not self.keys(data, "", sections, set()):
            return None
        assert isinstance(data, dict)
        program = self.program(data.get("program"))
        rooms = self.items(data.get("rooms"), "rooms", self.room)
        staff = self.items(data.get("staff"), "staff", self.staff)
        staff_by_id = {member.id: member for member in staff if member is not None}
        room_ids = {room.id for room in rooms if room is not None}
        sessions = self.items(
            data.get("sessions"), "sessions", lambda v, p: self.session(v, p, room_ids, staff_by_id)
        )
        self.shared_resources(sessions)
        patients = self.items(
            data.get("patients"), "patients", lambda v, p: self.patient(v, p, program, staff_by_id)
        )
        if self.errors or program is None:
            return None
        return Instance(
            program=program,
            rooms=tuple(rooms),
            staff=tuple(staff),
            sessions=tuple(sessions),
            patients=tuple(patients),
        )

    def items(self, value: object, path: str, read: Callable[[object, str], Any]) -> list[Any]:
        items = [read(item, f"{path}[{i}]") for i, item in enumerate(self.listing(value, path))]
        self.unique_ids(items, path)
        return items

    def program(self, value: object) -> Program | None:
        optional = {"min_minutes", "max_minutes", "population"}
        if not self.keys(value, "program", {"name", "timezone", "slot_minutes"}, optional):
            return None
        assert isinstance(value, dict)
        name = self.text(value.get("name"), "program.name")
        timezone = self.text(value.get("timezone"), "program.timezone")
        if timezone is not None:
            try:
                zoneinfo.ZoneInfo(timezone)
            except (zoneinfo.ZoneInfoNotFoundError, ValueError, OSError):  # OSError: too long
                self.error("program.timezone", f"unknown time zone {timezone!r}")
        population = self.choice(value.get("population", "adult"), "program.population", Population)
        default_min, default_max = (
            ADOLESCENT_MINUTES if population is Population.ADOLESCENT else ADULT_MINUTES
        )
        min_minutes = self.integer(value.get("min_minutes", default_min), "program.min_minutes")
        max_minutes = self.integer(value.get("max_minutes", default_max), "program.max_minutes")
        if min_minutes is not None and max_minutes is not None and max_minutes < min_minutes:
            self.error("program.max_minutes", "must not be below min_minutes")
        slot = self.integer(value.get("slot_minutes"), "program.slot_minutes", minimum=1)
        if slot is not None and slot > MINUTES_PER_DAY:
            self.error("program.slot_minutes", "must be at most 1440")
        if None in (name, timezone, population, min_minutes, max_minutes, slot):
            return None
        return Program(name, timezone, min_minutes, max_minutes, slot, population)  # type: ignore[arg-type]

    def room(self, value: object, path: str) -> Room | None:
        if not self.keys(value, path, {"id", "capacity"}, set()):
            return None
        assert isinstance(value, dict)
        room_id = self.text(value.get("id"), f"{path}.id")
        capacity = self.integer(value.get("capacity"), f"{path}.capacity", minimum=1)
        if room_id is None or capacity is None:
            return None
        return Room(room_id, capacity)

    def staff(self, value: object, path: str) -> Staff | None:
        required = {"id", "role", "max_individual_minutes", "availability"}
        if not self.keys(value, path, required, set()):
            return None
        assert isinstance(value, dict)
        staff_id = self.text(value.get("id"), f"{path}.id")
        role = self.choice(value.get("role"), f"{path}.role", StaffRole)
        limit = self.integer(value.get("max_individual_minutes"), f"{path}.max_individual_minutes")
        availability = self.windows(value.get("availability"), f"{path}.availability")
        if staff_id is None or role is None or limit is None:
            return None
        return Staff(staff_id, role, limit, availability)

    def session(
        self, value: object, path: str, room_ids: set[str], staff_by_id: dict[str, Staff]
    ) -> Session | None:
        required = {"id", "kind", "title", "track", "day", "start", "end", "capacity"}
        required |= {"staff", "room"}
        if not self.keys(value, path, required, set()):
            return None
        assert isinstance(value, dict)
        session_id = self.text(value.get("id"), f"{path}.id")
        kind = self.choice(value.get("kind"), f"{path}.kind", SessionKind)
        title = self.text(value.get("title"), f"{path}.title")
        track = self.text(value.get("track"), f"{path}.track")
        span = self.span(value, path)
        capacity = self.integer(value.get("capacity"), f"{path}.capacity", minimum=1)
        room = self.text(value.get("room"), f"{path}.room")
        if room is not None and room not in room_ids:
            self.error(f"{path}.room", f"unknown room {room!r}")
        staff_ids: list[str] = []
        for index, staff_id in enumerate(self.listing(value.get("staff"), f"{path}.staff")):
            member = staff_by_id.get(staff_id) if isinstance(staff_id, str) else None
            if member is None:
                self.error(f"{path}.staff[{index}]", f"unknown staff {staff_id!r}")
            elif staff_id in staff_ids:
                self.error(f"{path}.staff[{index}]", f"staff {staff_id!r} listed twice")
            else:
                staff_ids.append(staff_id)
                if span and not any(w.contains(*span) for w in member.availability):
                    self.error(
                        f"{path}.staff[{index}]",
                        f"session lies outside staff {staff_id!r}'s availability",
                    )
        if (
            session_id is None
            or kind is None
            or title is None
            or track is None
            or span is None
            or capacity is None
            or room is None
        ):
            return None
        return Session(
            session_id, kind, title, track, span[0], span[1], capacity, tuple(staff_ids), room
        )

    def shared_resources(self, sessions: list[Session | None]) -> None:
        """Fixed sessions sharing a room or a staff member must not overlap in time."""
        indexed = [(index, s) for index, s in enumerate(sessions) if s is not None]
        for position, (index, session) in enumerate(indexed):
            for _, earlier in indexed[:position]:
                if session.start >= earlier.end or earlier.start >= session.end:
                    continue
                if session.room == earlier.room:
                    self.error(
                        f"sessions[{index}].room",
                        f"room {session.room!r} also holds {earlier.id!r}",
                    )
                for staff_id in sorted(set(session.staff) & set(earlier.staff)):
                    self.error(
                        f"sessions[{index}].staff[{session.staff.index(staff_id)}]",
                        f"staff {staff_id!r} also leads {earlier.id!r} at that time",
                    )

    def patient(
        self, value: object, path: str, program: Program | None, staff_by_id: dict[str, Staff]
    ) -> Patient | None:
        optional = {"min_minutes", "max_minutes", "min_days", "max_days", "min_day_minutes"}
        optional |= {"min_sessions_by_kind", "individual", "medication"}
        if not self.keys(value, path, {"id", "track", "availability"}, optional):
            return None
        assert isinstance(value, dict)
        patient_id = self.text(value.get("id"), f"{path}.id")
        track = self.text(value.get("track"), f"{path}.track")
        defaults = (program.min_minutes, program.max_minutes) if program else ADULT_MINUTES
        min_minutes = self.integer(value.get("min_minutes", defaults[0]), f"{path}.min_minutes")
        max_minutes = self.integer(value.get("max_minutes", defaults[1]), f"{path}.max_minutes")
        if min_minutes is not None and max_minutes is not None and max_minutes < min_minutes:
            self.error(f"{path}.max_minutes", "must not be below min_minutes")
        min_days = self.integer(value.get("min_days", 0), f"{path}.min_days")
        max_days = self.integer(value.get("max_days", len(DAYS)), f"{path}.max_days")
        if max_days is not None and max_days > len(DAYS):
            self.error(f"{path}.max_days", "a week has 7 days")
        if min_days is not None and max_days is not None and max_days < min_days:
            self.error(f"{path}.max_days", "must not be below min_days")
        day_minutes = self.integer(value.get("min_day_minutes", 0), f"{path}.min_day_minutes")
        if day_minutes is not None and day_minutes > MINUTES_PER_DAY:
            self.error(f"{path}.min_day_minutes", "a day has 1440 minutes")
        availability = self.windows(value.get("availability"), f"{path}.availability")
        kinds = self.kind_counts(value.get("min_sessions_by_kind", {}), path)
        appointments = []
        for appointment_type in AppointmentType:
            if appointment_type.value in value:
                appointments.append(
                    self.appointment(
                        value[appointment_type.value], path, appointment_type, staff_by_id
                    )
                )
        values = (
            patient_id,
            track,
            min_minutes,
            max_minutes,
            min_days,
            max_days,
            day_minutes,
            *appointments,
        )
        if None in values:
            return None
        return Patient(
            patient_id,  # type: ignore[arg-type]
            track,  # type: ignore[arg-type]
            min_minutes,  # type: ignore[arg-type]
            max_minutes,  # type: ignore[arg-type]
            min_days,  # type: ignore[arg-type]
            max_days,  # type: ignore[arg-type]
            availability,
            kinds,
            tuple(a for a in appointments if a is not None and a.count > 0),
            day_minutes,  # type: ignore[arg-type]
        )

    def kind_counts(self, value: object, path: str) -> tuple[tuple[SessionKind, int], ...]:
        field_path = f"{path}.min_sessions_by_kind"
        if not isinstance(value, dict):
            self.error(field_path, "must be an object of session kind to count")
            return ()
        counts = []
        for kind_name, count in value.items():
            kind = self.choice(kind_name, f"{field_path}.{kind_name}", SessionKind)
            number = self.integer(count, f"{field_path}.{kind_name}")
            if kind is not None and number is not None and number > 0:
                counts.append((kind, number))
        return tuple(sorted(counts))

    def appointment(
        self,
        value: object,
        path: str,
        appointment_type: AppointmentType,
        staff_by_id: dict[str, Staff],
    ) -> AppointmentRequest | None:
        field_path = f"{path}.{appointment_type.value}"
        if not self.keys(value, field_path, {"count", "minutes"}, {"staff"}):
            return None
        assert isinstance(value, dict)
        count = self.integer(value.get("count"), f"{field_path}.count")
        minutes = self.integer(value.get("minutes"), f"{field_path}.minutes", minimum=1)
        staff_id = value.get("staff")
        if staff_id is not None and (not isinstance(staff_id, str) or staff_id not in staff_by_id):
            self.error(f"{field_path}.staff", f"unknown staff {staff_id!r}")
        if count is None or minutes is None:
            return None
        return AppointmentRequest(appointment_type, count, minutes, staff_id)
