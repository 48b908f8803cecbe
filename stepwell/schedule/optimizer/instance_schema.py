"""The week file's typed boundary: pydantic models of docs/schedule-instance.md.

Pydantic checks each record's shape (types, ranges, required and unknown fields, times,
days, choices); `read_instance` then checks what spans records (ids, references, overlaps,
staff availability, defaults from the program) and builds the engine's frozen dataclasses
in instance.py. Every record is validated on its own, so one bad room does not hide a bad
patient: the `InstanceError` lists every problem, each under its field path.
instance_writer.py writes an `Instance` back in the same format.
"""

from __future__ import annotations

import itertools
import zoneinfo
from collections.abc import Callable, Sequence
from enum import StrEnum
from typing import Annotated, Any, TypeVar

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    Strict,
    ValidationError,
    ValidationInfo,
    field_validator,
)

from stepwell.core.typed_input import MESSAGES, field_errors, problem
from stepwell.schedule.optimizer.instance import (
    ADOLESCENT_MINUTES,
    ADULT_MINUTES,
    DAYS,
    LARGEST_NUMBER,
    MINUTES_PER_DAY,
    AppointmentRequest,
    AppointmentType,
    FieldError,
    Instance,
    InstanceError,
    Patient,
    Population,
    Program,
    Room,
    Session,
    SessionKind,
    Staff,
    StaffRole,
    Window,
    parse_clock,
)

_MESSAGES = {**MESSAGES, "string_type": "must be a non-empty string"}
_Choice = TypeVar("_Choice", bound=StrEnum)


def _non_blank(value: str) -> str:
    if not value.strip():
        raise problem("must be a non-empty string")
    return value


def _clock(value: object) -> int:
    minutes = parse_clock(value)
    if minutes is None:
        raise problem("must be a time HH:MM between 00:00 and 24:00")
    return minutes


def _day(value: object) -> str:
    if value not in DAYS:
        raise problem(f"{value!r} is not a day; expected one of {', '.join(DAYS)}")
    return str(value)


def _choice(enum: type[_Choice]) -> Callable[[object], _Choice]:
    def read(value: object) -> _Choice:
        if isinstance(value, str) and value in set(enum):
            return enum(value)
        allowed = ", ".join(member.value for member in enum)
        raise problem(f"unknown value {value!r}; expected one of {allowed}")

    return read


Text = Annotated[str, Strict(), AfterValidator(_non_blank)]
Count = Annotated[int, Strict(), Field(ge=0, le=LARGEST_NUMBER)]
Positive = Annotated[int, Strict(), Field(ge=1, le=LARGEST_NUMBER)]
Clock = Annotated[int, BeforeValidator(_clock)]  # minutes since midnight
Day = Annotated[str, BeforeValidator(_day)]
Kind = Annotated[SessionKind, BeforeValidator(_choice(SessionKind))]


class _Record(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class _Span(_Record):
    """`day`, `start`, `end` of a window or a session; the reader checks end after start,
    so a record with a backward span still has its references checked."""

    day: Day
    start: Clock
    end: Clock

    def span(self) -> tuple[int, int] | None:
        if self.end <= self.start:
            return None
        offset = DAYS.index(self.day) * MINUTES_PER_DAY
        return offset + self.start, offset + self.end


class WindowIn(_Span):
    pass


class SectionsIn(_Record):
    program: Any
    rooms: list[Any]
    staff: list[Any]
    sessions: list[Any]
    patients: list[Any]


class ProgramIn(_Record):
    # population before the minutes: their defaults depend on it
    name: Text
    population: Annotated[Population, BeforeValidator(_choice(Population))] = Population.ADULT
    min_minutes: Count | None = Field(default=None, validate_default=True)
    max_minutes: Count | None = Field(default=None, validate_default=True)
    slot_minutes: Annotated[Positive, Field(le=MINUTES_PER_DAY)]
    timezone: Text

    @field_validator("min_minutes", "max_minutes")
    @classmethod
    def _weekly_minutes(cls, minutes: int | None, info: ValidationInfo) -> int | None:
        """Defaults: ASAM level 2.1 hours (docs/clinical-sources.md §1.2) by population."""
        population = info.data.get("population")
        default = ADOLESCENT_MINUTES if population is Population.ADOLESCENT else ADULT_MINUTES
        if info.field_name == "min_minutes":
            return default[0] if minutes is None else minutes
        minutes = default[1] if minutes is None else minutes
        minimum = info.data.get("min_minutes")
        if minimum is not None and minutes < minimum:
            raise problem("must not be below min_minutes")
        return minutes

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, timezone: str) -> str:
        try:
            zoneinfo.ZoneInfo(timezone)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError, OSError):  # OSError: too long
            raise problem(f"unknown time zone {timezone!r}") from None
        return timezone


class RoomIn(_Record):
    id: Text
    capacity: Positive


class StaffIn(_Record):
    id: Text
    role: Annotated[StaffRole, BeforeValidator(_choice(StaffRole))]
    max_individual_minutes: Count
    availability: list[WindowIn]


class SessionIn(_Span):
    id: Text
    kind: Kind
    title: Text
    track: Text
    capacity: Positive
    staff: list[Text]
    room: Text


class AppointmentIn(_Record):
    count: Count
    minutes: Positive
    staff: Text | None = None


class PatientIn(_Record):
    id: Text
    track: Text
    availability: list[WindowIn]
    min_minutes: Count | None = None  # None: the program's
    max_minutes: Count | None = None
    min_days: Count = 0
    max_days: Count = Field(default=len(DAYS), validate_default=True)
    min_day_minutes: Count = 0
    min_sessions_by_kind: dict[Kind, Count] = Field(default_factory=dict)
    individual: AppointmentIn | None = None
    medication: AppointmentIn | None = None

    @field_validator("max_days")
    @classmethod
    def _days_of_a_week(cls, max_days: int, info: ValidationInfo) -> int:
        if max_days > len(DAYS):
            raise problem("a week has 7 days")
        min_days = info.data.get("min_days")
        if min_days is not None and max_days < min_days:
            raise problem("must not be below min_days")
        return max_days

    @field_validator("min_day_minutes")
    @classmethod
    def _minutes_of_a_day(cls, minutes: int) -> int:
        if minutes > MINUTES_PER_DAY:
            raise problem("a day has 1440 minutes")
        return minutes


_Model = TypeVar("_Model", bound=BaseModel)
_Identified = TypeVar("_Identified", RoomIn, StaffIn, SessionIn, PatientIn)


def read_instance(data: object) -> Instance:
    """Validate and convert a parsed week file; raise `InstanceError` with every problem."""
    reader = _Reader()
    instance = reader.instance(data)
    if reader.errors or instance is None:
        raise InstanceError(reader.errors)
    return instance


class _Reader:
    """Validates record by record, collecting every error; the first per field is kept."""

    def __init__(self) -> None:
        self.errors: list[FieldError] = []

    def error(self, path: str, message: str) -> None:
        if all(error.field != path for error in self.errors):
            self.errors.append(FieldError(path, message))

    def validate(self, model: type[_Model], value: object, path: str) -> _Model | None:
        try:
            return model.model_validate(value)
        except ValidationError as error:
            for field, message in field_errors(error, path, _MESSAGES):
                self.error(field, message)
            return None

    def records(self, model: type[_Identified], data: dict[str, Any], section: str) -> list[Any]:
        """Each record of a section, None where it is invalid; ids must be unique."""
        values = data.get(section)
        records = [
            self.validate(model, value, f"{section}[{index}]")
            for index, value in enumerate(values if isinstance(values, list) else [])
        ]
        seen: set[str] = set()
        for index, record in enumerate(records):
            if record is not None and record.id in seen:
                self.error(f"{section}[{index}].id", f"duplicate id {record.id!r}")
            if record is not None:
                seen.add(record.id)
        return records

    def span(self, record: _Span, path: str) -> tuple[int, int] | None:
        span = record.span()
        if span is None:
            self.error(f"{path}.end", "must be after start")
        return span

    def windows(self, windows: Sequence[WindowIn], path: str) -> tuple[Window, ...]:
        spans = [(i, self.span(window, f"{path}[{i}]")) for i, window in enumerate(windows)]
        ordered = sorted(
            ((index, Window(*span)) for index, span in spans if span is not None),
            key=lambda pair: pair[1].start,
        )
        for (_, earlier), (index, later) in itertools.pairwise(ordered):
            if later.start < earlier.end:
                self.error(f"{path}[{index}]", "overlaps another window on the same day")
        return tuple(window for _, window in ordered)

    def instance(self, data: object) -> Instance | None:
        self.validate(SectionsIn, data, "")
        if not isinstance(data, dict):
            return None
        program_in = (
            self.validate(ProgramIn, data["program"], "program") if "program" in data else None
        )
        program = None if program_in is None else _program(program_in)
        rooms = [
            None if room is None else Room(room.id, room.capacity)
            for room in self.records(RoomIn, data, "rooms")
        ]
        staff = [
            None if member is None else self.staff(member, f"staff[{index}]")
            for index, member in enumerate(self.records(StaffIn, data, "staff"))
        ]
        staff_by_id = {member.id: member for member in staff if member is not None}
        room_ids = {room.id for room in rooms if room is not None}
        sessions = [
            None
            if session is None
            else self.session(session, f"sessions[{i}]", room_ids, staff_by_id)
            for i, session in enumerate(self.records(SessionIn, data, "sessions"))
        ]
        self.shared_resources(sessions)
        defaults = (program.min_minutes, program.max_minutes) if program else ADULT_MINUTES
        patients = [
            None
            if patient is None
            else self.patient(patient, f"patients[{i}]", defaults, staff_by_id)
            for i, patient in enumerate(self.records(PatientIn, data, "patients"))
        ]
        if self.errors or program is None:
            return None
        return Instance(
            program=program,
            rooms=tuple(rooms),  # type: ignore[arg-type]
            staff=tuple(staff),  # type: ignore[arg-type]
            sessions=tuple(sessions),  # type: ignore[arg-type]
            patients=tuple(patients),  # type: ignore[arg-type]
        )

    def staff(self, member: StaffIn, path: str) -> Staff:
        availability = self.windows(member.availability, f"{path}.availability")
        return Staff(member.id, member.role, member.max_individual_minutes, availability)

    def session(
        self, session: SessionIn, path: str, room_ids: set[str], staff_by_id: dict[str, Staff]
    ) -> Session | None:
        span = self.span(session, path)
        if session.room not in room_ids:
            self.error(f"{path}.room", f"unknown room {session.room!r}")
        staff_ids: list[str] = []
        for index, staff_id in enumerate(session.staff):
            member = staff_by_id.get(staff_id)
            if member is None:
                self.error(f"{path}.staff[{index}]", f"unknown staff {staff_id!r}")
            elif staff_id in staff_ids:
                self.error(f"{path}.staff[{index}]", f"staff {staff_id!r} listed twice")
            else:
                staff_ids.append(staff_id)
                if span and not any(window.contains(*span) for window in member.availability):
                    self.error(
                        f"{path}.staff[{index}]",
                        f"session lies outside staff {staff_id!r}'s availability",
                    )
        if span is None:
            return None
        return Session(
            session.id,
            session.kind,
            session.title,
            session.track,
            *span,
            session.capacity,
            tuple(staff_ids),
            session.room,
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
        self,
        patient: PatientIn,
        path: str,
        defaults: tuple[int, int],
        staff_by_id: dict[str, Staff],
    ) -> Patient:
        min_minutes = defaults[0] if patient.min_minutes is None else patient.min_minutes
        max_minutes = defaults[1] if patient.max_minutes is None else patient.max_minutes
        if max_minutes < min_minutes:
            self.error(f"{path}.max_minutes", "must not be below min_minutes")
        availability = self.windows(patient.availability, f"{path}.availability")
        appointments = []
        for kind in AppointmentType:
            request: AppointmentIn | None = getattr(patient, kind.value)
            if request is None:
                continue
            if request.staff is not None and request.staff not in staff_by_id:
                self.error(f"{path}.{kind.value}.staff", f"unknown staff {request.staff!r}")
            if request.count > 0:
                appointments.append(
                    AppointmentRequest(kind, request.count, request.minutes, request.staff)
                )
        kinds = sorted((kind, n) for kind, n in patient.min_sessions_by_kind.items() if n > 0)
        return Patient(
            id=patient.id,
            track=patient.track,
            min_minutes=min_minutes,
            max_minutes=max_minutes,
            min_days=patient.min_days,
            max_days=patient.max_days,
            availability=availability,
            min_sessions_by_kind=tuple(kinds),
            appointments=tuple(appointments),
            min_day_minutes=patient.min_day_minutes,
        )


def _program(program: ProgramIn) -> Program:
    assert program.min_minutes is not None
    assert program.max_minutes is not None
    return Program(
        program.name,
        program.timezone,
        program.min_minutes,
        program.max_minutes,
        program.slot_minutes,
        program.population,
    )
