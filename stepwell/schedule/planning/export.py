"""A program week exported in the optimizer's file format (docs/schedule-instance.md).
Each part has its builder, which reads the calendar and returns frozen dataclasses
(`staff_export`, `fixed_bookings`, `sessions_export`, `patients_export`); `instance_export`
puts them together and `schedule_instance_export` writes the file's dict.

What the export says about a program week (ids: "O<occurrence>", "P<patient>",
"S<user>", "R<room>", "V<occurrence>" for a telehealth session without a room):
- sessions: the week's scheduled group occurrences that have not started yet, with the
  seats left after the bookings the optimizer does not own (manual bookings), except
  alumni groups (alumni are not patients of the episode being planned);
- staff: the program's clinicians (`therapist`), prescribers (`prescriber`) and nurses
  (`nurse`), with their weekly availability minus leave, program holidays, the time
  already past, and whatever they are booked for outside this plan (other programs,
  manual appointments); their individual minutes minus those appointments;
- patients: everyone admitted or active in the program. Their week is planned to their
  payer's hours rule and the program's own rule together, each number at its stricter
  (care/hours/rules.py `stricter`; docs/clinical-sources.md §1.2, §2): the weekly minimum
  (the payer's, else the program's window, ASAM level 2.1: 9-19 h adults, 6-19 h
  adolescents), `min_days` and, for those days, `min_day_minutes` (a day counts from
  the rule's `day_counts_from_minutes`), prorated for holidays and the admission week
  like the hours page (`week_requirement`), less what bookings outside the plan already
  give (their minutes, and their days that count on their own); the weekly maximum is
  the program's less the minutes already booked outside the plan; what
  the week must hold comes from the latest signed treatment plan's interventions
  (planning/requirements.py: individual therapy and medication management with the responsible
  staff member and the plan's minutes, psychoeducation / group / family sessions, each as
  often a week as the plan says, while the intervention's weeks last), or, without a signed plan, at least one psychoeducation session, one
  60-minute individual session with the primary clinician (any therapist when they have
  none) and, when a prescriber is on the care team, one 30-minute medication visit with
  them; availability from intake (AvailabilityWindow) minus their bookings outside the
  plan.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from stepwell.accounts.models import Role, User, UserKind
from stepwell.clinic.models import Program, Track
from stepwell.patients.models import Episode
from stepwell.schedule.booking.services import SCHEDULABLE_STATES, SLOT_MINUTES
from stepwell.schedule.models import (
    Appointment,
    OccurrenceStatus,
    SessionOccurrence,
    StaffAvailability,
    StaffLeave,
    StaffSchedulingProfile,
)
from stepwell.schedule.optimizer.instance import DAYS, MINUTES_PER_DAY, SessionKind
from stepwell.schedule.planning.patient_rows import PatientRow, patients_export
from stepwell.schedule.planning.spans import (
    Span,
    Window,
    clock_text,
    closed_days,
    day_span,
    subtract,
    windows_of,
    without_overlaps,
)
from stepwell.schedule.planning.week import (
    FixedBookings,
    PlanningWeek,
    WeekFrame,
    fixed_bookings,
)

EXPORTED_KINDS = {kind.value for kind in SessionKind}
DEFAULT_INDIVIDUAL_LIMIT = 1200


# -- staff ------------------------------------------------------------------------------


@dataclass(frozen=True)
class StaffRow:
    id: str
    role: str
    max_individual_minutes: int
    availability: tuple[Window, ...]

    def as_dict(self) -> dict:
        return {
            "id": self.id,
            "role": self.role,
            "max_individual_minutes": self.max_individual_minutes,
            "availability": [window.as_dict() for window in self.availability],
        }


@dataclass(frozen=True)
class StaffExport:
    rows: tuple[StaffRow, ...]
    windows: Mapping[int, list[Span]]  # user id -> free spans
    roles: Mapping[int, str]  # user id -> role in this program's plan


def staff_role(user: User, program: Program) -> str | None:
    """What the staff member is in this program's plan: roles are held per program."""
    if user.has_role_in(program.pk, Role.PRESCRIBER):
        return "prescriber"
    if user.has_role_in(program.pk, Role.CLINICIAN):
        return "therapist"
    if user.has_role_in(program.pk, Role.NURSE):
        return "nurse"
    return None


def _staff_busy(
    frame: WeekFrame, staff_ids: list[int], exported: set[int]
) -> tuple[dict[int, list[Span]], dict[int, int]]:
    """Each staff member's bookings outside this plan: their spans, and appointment minutes."""
    planning = frame.planning
    busy: dict[int, list[Span]] = defaultdict(list)
    booked: dict[int, int] = defaultdict(int)
    for appointment in Appointment.objects.filter(
        staff_id__in=staff_ids,
        status=OccurrenceStatus.SCHEDULED,
        starts_at__lt=planning.ends_at,
        ends_at__gt=planning.starts_at,
    ).exclude(pk__in=frame.own_appointments):
        busy[appointment.staff_id].append(planning.span(appointment.starts_at, appointment.ends_at))
        booked[appointment.staff_id] += appointment.minutes
    for occurrence in (
        SessionOccurrence.objects.filter(
            facilitators__in=staff_ids,
            status=OccurrenceStatus.SCHEDULED,
            starts_at__lt=planning.ends_at,
            ends_at__gt=planning.starts_at,
        )
        .exclude(pk__in=exported)
        .prefetch_related("facilitators")
        .distinct()
    ):
        span = planning.span(occurrence.starts_at, occurrence.ends_at)
        for facilitator in occurrence.facilitators.all():
            busy[facilitator.pk].append(span)
    return busy, booked


def _leave_days(planning: PlanningWeek, staff_ids: list[int]) -> dict[int, set[date]]:
    sunday = planning.monday + timedelta(6)
    leave: dict[int, set[date]] = defaultdict(set)
    for away in StaffLeave.objects.filter(
        user_id__in=staff_ids, starts_on__lte=sunday, ends_on__gte=planning.monday
    ):
        day = max(away.starts_on, planning.monday)
        while day <= min(away.ends_on, sunday):
            leave[away.user_id].add(day)
            day += timedelta(days=1)
    return leave


def staff_export(frame: WeekFrame, exported: set[int]) -> StaffExport:
    """The program's clinicians, prescribers and nurses: availability less leave, holidays,
    the past and bookings outside the plan; individual minutes less those appointments."""
    planning = frame.planning
    program = planning.program
    users = [
        user
        for user in User.objects.filter(
            program_memberships__program=program, kind=UserKind.STAFF, is_active=True
        )
        .distinct()
        .order_by("pk")
        if staff_role(user, program)
    ]
    staff_ids = [user.pk for user in users]
    busy, booked = _staff_busy(frame, staff_ids, exported)
    leave = _leave_days(planning, staff_ids)
    limits = dict(
        StaffSchedulingProfile.objects.filter(user_id__in=staff_ids).values_list(
            "user_id", "max_individual_minutes"
        )
    )
    weekly: dict[int, list[Span]] = defaultdict(list)
    for window in StaffAvailability.objects.filter(user_id__in=staff_ids):
        weekly[window.user_id].append(day_span(window.weekday, window.start, window.end))
    rows, windows, roles = [], {}, {}
    for user in users:
        closed = list(frame.closed) + closed_days(leave[user.pk], planning.monday)
        free = subtract(without_overlaps(weekly[user.pk]), closed + busy[user.pk])
        windows[user.pk] = free
        roles[user.pk] = staff_role(user, program)
        rows.append(
            StaffRow(
                id=f"S{user.pk}",
                role=roles[user.pk],
                max_individual_minutes=max(
                    0, limits.get(user.pk, DEFAULT_INDIVIDUAL_LIMIT) - booked[user.pk]
                ),
                availability=windows_of(free),
            )
        )
    return StaffExport(rows=tuple(rows), windows=windows, roles=roles)


# -- sessions -------------------------------------------------------------------------------


@dataclass(frozen=True)
class SessionRow:
    id: str
    kind: str
    title: str
    track: str
    day: str
    start: str
    end: str
    capacity: int
    staff: tuple[str, ...]
    room: str

    def as_dict(self) -> dict:
        return {
            "id": self.id,
            "kind": self.kind,
            "title": self.title,
            "track": self.track,
            "day": self.day,
            "start": self.start,
            "end": self.end,
            "capacity": self.capacity,
            "staff": list(self.staff),
            "room": self.room,
        }


@dataclass(frozen=True)
class SessionsExport:
    rows: tuple[SessionRow, ...]
    rooms: Mapping[str, int]  # room id -> capacity


def exported_occurrences(planning: PlanningWeek) -> list[SessionOccurrence]:
    """The week's scheduled group occurrences that have not started, of the exported kinds."""
    return list(
        SessionOccurrence.objects.filter(
            program=planning.program,
            status=OccurrenceStatus.SCHEDULED,
            starts_at__gte=planning.cutoff,
            starts_at__lt=planning.ends_at,
            kind__in=EXPORTED_KINDS,
        )
        .select_related("room")
        .prefetch_related("facilitators")
        .order_by("starts_at", "pk")
    )


def sessions_export(
    planning: PlanningWeek,
    occurrences: list[SessionOccurrence],
    fixed: FixedBookings,
    staff: StaffExport,
) -> SessionsExport:
    """Occurrences with seats left, within one day, led by the facilitators free for them."""
    rooms: dict[str, int] = {}
    rows = []
    for occurrence in occurrences:
        seats = occurrence.capacity - fixed.seats_taken[occurrence.pk]
        start, end = planning.span(occurrence.starts_at, occurrence.ends_at)
        if seats < 1 or start // MINUTES_PER_DAY != (end - 1) // MINUTES_PER_DAY:
            continue
        if occurrence.room_id:
            room_id = f"R{occurrence.room_id}"
            rooms[room_id] = occurrence.room.capacity
        else:
            room_id = f"V{occurrence.pk}"
            rooms[room_id] = occurrence.capacity
        leaders = tuple(
            f"S{user.pk}"
            for user in sorted(occurrence.facilitators.all(), key=lambda u: u.pk)
            if user.pk in staff.windows
            and any(s <= start and end <= e for s, e in staff.windows[user.pk])
        )
        offset = (start // MINUTES_PER_DAY) * MINUTES_PER_DAY
        rows.append(
            SessionRow(
                id=f"O{occurrence.pk}",
                kind=occurrence.kind,
                title=occurrence.title,
                track=occurrence.track,
                day=DAYS[start // MINUTES_PER_DAY],
                start=clock_text(start - offset),
                end=clock_text(end - offset),
                capacity=seats,
                staff=leaders,
                room=room_id,
            )
        )
    return SessionsExport(rows=tuple(rows), rooms=rooms)


# -- the whole week -------------------------------------------------------------------------


@dataclass(frozen=True)
class InstanceExport:
    """A program week in the optimizer's file format; `as_dict()` is the file."""

    program: Program
    rooms: Mapping[str, int]
    staff: tuple[StaffRow, ...]
    sessions: tuple[SessionRow, ...]
    patients: tuple[PatientRow, ...]

    def as_dict(self) -> dict:
        program = self.program
        return {
            "program": {
                "name": program.name,
                "timezone": program.timezone,
                "min_minutes": program.min_weekly_minutes,
                "max_minutes": program.max_weekly_minutes,
                "slot_minutes": SLOT_MINUTES,
                "population": "adolescent" if program.track == Track.ADOLESCENT else "adult",
            },
            "rooms": [{"id": room, "capacity": self.rooms[room]} for room in sorted(self.rooms)],
            "staff": [row.as_dict() for row in self.staff],
            "sessions": [row.as_dict() for row in self.sessions],
            "patients": [row.as_dict() for row in self.patients],
        }


def instance_export(*, program: Program, week: str, now: datetime | None = None) -> InstanceExport:
    """The program week for the optimizer (see the module docstring). Reads only; generate
    the week's occurrences first (`calendar.services.occurrences_generate`)."""
    frame = WeekFrame.of(PlanningWeek.of(program, week, now))
    occurrences = exported_occurrences(frame.planning)
    staff = staff_export(frame, {occurrence.pk for occurrence in occurrences})
    episodes = list(
        Episode.objects.filter(program=program, state__in=SCHEDULABLE_STATES)
        .select_related("patient")
        .order_by("patient_id")
    )
    fixed = fixed_bookings(frame, {episode.patient_id for episode in episodes})
    sessions = sessions_export(frame.planning, occurrences, fixed, staff)
    return InstanceExport(
        program=program,
        rooms=sessions.rooms,
        staff=staff.rows,
        sessions=sessions.rows,
        patients=patients_export(frame, episodes, fixed, staff.roles),
    )


def schedule_instance_export(*, program: Program, week: str, now: datetime | None = None) -> dict:
    """The program week as the file of docs/schedule-instance.md (a dict ready for JSON)."""
    return instance_export(program=program, week=week, now=now).as_dict()


def instance_patient_ids(data: Mapping) -> list[int]:
    """The patients an exported week names ("P<id>")."""
    return sorted(int(row["id"][1:]) for row in data["patients"])
