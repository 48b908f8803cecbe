"""What each patient could be given: sessions that fit, appointment options, parallel
sessions grouped into classes and seated evenly, and what is still free (`Usage`).

Candidates depend only on a patient's track, availability and requests, which many
patients share, so they are worked out once per week and kept in `Instance.memo`.
"""

from __future__ import annotations

import bisect
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from stepwell.schedule.optimizer.instance import (
    MINUTES_PER_DAY,
    AppointmentRequest,
    Instance,
    Patient,
    Session,
    session_fits,
)
from stepwell.schedule.optimizer.plan import PatientSchedule, PlannedAppointment

Span = tuple[int, int]

# -- candidates -----------------------------------------------------------------------


@dataclass(frozen=True)
class AppointmentOption:
    """Where appointments of one request may go: one staff member, one day, grid starts."""

    request: AppointmentRequest
    staff: str
    day: int
    starts: tuple[int, ...]


def candidate_sessions(instance: Instance, patient: Patient) -> tuple[Session, ...]:
    """The sessions that fit the patient, in time order (file order at equal times)."""
    key = ("sessions", patient.track, patient.availability)
    if key not in instance.memo:
        fitting = [s for s in instance.sessions if session_fits(s, patient)]
        instance.memo[key] = tuple(sorted(fitting, key=lambda s: s.start))
    return instance.memo[key]


def staff_sessions(instance: Instance) -> dict[str, tuple[Span, ...]]:
    """Per staff member, the spans of the sessions they lead."""
    if "staff_sessions" not in instance.memo:
        busy: dict[str, list[Span]] = defaultdict(list)
        for session in instance.sessions:
            for staff_id in session.staff:
                busy[staff_id].append((session.start, session.end))
        instance.memo["staff_sessions"] = {s: tuple(sorted(b)) for s, b in busy.items()}
    return instance.memo["staff_sessions"]


def appointment_options(
    instance: Instance, patient: Patient, request: AppointmentRequest
) -> tuple[AppointmentOption, ...]:
    """Per staff member who may take the request and per day, the starts on the slot grid
    that lie inside a patient window and a staff window and clear the staff's sessions."""
    key = ("options", patient.availability, request)
    if key in instance.memo:
        return instance.memo[key]
    if request.staff is not None:
        staff = [instance.staff_by_id[request.staff]]
    else:
        role = request.type.default_role
        staff = [member for member in instance.staff if member.role is role]
    slot = instance.program.slot_minutes
    led = staff_sessions(instance)
    options = []
    for member in staff:
        busy = led.get(member.id, ())
        starts_by_day: dict[int, list[int]] = defaultdict(list)
        for patient_window in patient.availability:
            for staff_window in member.availability:
                low = max(patient_window.start, staff_window.start)
                high = min(patient_window.end, staff_window.end)
                midnight = low - low % MINUTES_PER_DAY
                start = midnight + -(-(low - midnight) // slot) * slot
                while start + request.minutes <= high:
                    end = start + request.minutes
                    if all(end <= b_start or b_end <= start for b_start, b_end in busy):
                        starts_by_day[start // MINUTES_PER_DAY].append(start)
                    start += slot
        for day in sorted(starts_by_day):
            starts = tuple(sorted(set(starts_by_day[day])))
            options.append(AppointmentOption(request, member.id, day, starts))
    instance.memo[key] = tuple(options)
    return instance.memo[key]


# -- what is taken ------------------------------------------------------------------------


@dataclass
class Usage:
    """Seats left per session, each staff member's busy spans (sessions they lead and
    appointments) and appointment minutes, as patients are placed."""

    seats: dict[str, int]
    staff_busy: dict[str, list[Span]]
    staff_minutes: dict[str, int] = field(default_factory=lambda: defaultdict(int))

    @classmethod
    def of(cls, instance: Instance) -> Usage:
        """Nothing placed yet: every seat free, staff busy only with the sessions they lead."""
        busy: dict[str, list[Span]] = defaultdict(list)
        for staff_id, spans in staff_sessions(instance).items():
            busy[staff_id] = list(spans)
        return cls({s.id: instance.session_capacity(s) for s in instance.sessions}, busy)

    def copy(self) -> Usage:
        return Usage(
            dict(self.seats),
            defaultdict(list, {staff: list(spans) for staff, spans in self.staff_busy.items()}),
            defaultdict(int, self.staff_minutes),
        )

    def staff_free(self, staff_id: str, start: int, end: int) -> bool:
        spans = self.staff_busy[staff_id]
        index = bisect.bisect_left(spans, (end, end))
        return index == 0 or spans[index - 1][1] <= start

    def place(self, schedule: PatientSchedule) -> None:
        for session_id in schedule.sessions:
            self.seats[session_id] -= 1
        for appointment in schedule.appointments:
            self.book(appointment)

    def book(self, appointment: PlannedAppointment) -> None:
        bisect.insort(self.staff_busy[appointment.staff], (appointment.start, appointment.end))
        self.staff_minutes[appointment.staff] += appointment.end - appointment.start

    def release(self, schedule: PatientSchedule) -> None:
        for session_id in schedule.sessions:
            self.seats[session_id] += 1
        for appointment in schedule.appointments:
            self.staff_busy[appointment.staff].remove((appointment.start, appointment.end))
            self.staff_minutes[appointment.staff] -= appointment.end - appointment.start


def usage_of(instance: Instance, schedules: Iterable[PatientSchedule]) -> Usage:
    usage = Usage.of(instance)
    for schedule in schedules:
        usage.place(schedule)
    return usage


# -- parallel sessions --------------------------------------------------------------------


@dataclass(frozen=True)
class ParallelSessions:
    """Sessions a patient cannot tell apart: same kind, track and time (parallel groups).

    The model seats patients in the class; `seat_patients` then spreads them over the
    sessions as evenly as capacities allow, which is exact for every objective level
    because only kind, track, time and total capacity matter to the rules.
    """

    index: int
    sessions: tuple[Session, ...]
    capacities: tuple[int, ...]

    @property
    def first(self) -> Session:
        return self.sessions[0]

    def even_sizes(self, seated: int, already: tuple[int, ...] | None = None) -> list[int]:
        """Group sizes with least sum of squares when `seated` more patients join groups
        that hold `already` (water-filling: each joins the smallest open group)."""
        sizes = list(already or (0,) * len(self.sessions))
        for _ in range(seated):
            open_sizes = [i for i, cap in enumerate(self.capacities) if sizes[i] < cap]
            sizes[min(open_sizes, key=lambda i: (sizes[i], i))] += 1
        return sizes


def parallel_sessions(instance: Instance) -> tuple[ParallelSessions, ...]:
    if "classes" not in instance.memo:
        classes: dict[tuple[object, ...], list[Session]] = {}
        for session in instance.sessions:
            key = (session.kind, session.track, session.start, session.end)
            classes.setdefault(key, []).append(session)
        instance.memo["classes"] = tuple(
            ParallelSessions(
                index, tuple(group), tuple(instance.session_capacity(s) for s in group)
            )
            for index, group in enumerate(classes.values())
        )
    return instance.memo["classes"]


def seat_patients(
    classes: tuple[ParallelSessions, ...],
    chosen: Mapping[str, list[int]],
    previous: Mapping[str, PatientSchedule],
    already: Mapping[str, int] | None = None,
) -> dict[str, list[str]]:
    """Concrete sessions for patients seated by class: even sizes around the `already`
    seated (patients kept as they are); last week's session kept where its size allows;
    otherwise in patient (file) order."""
    already = already or {}
    seated: dict[int, list[str]] = defaultdict(list)
    for patient_id, indices in chosen.items():
        for index in indices:
            seated[index].append(patient_id)
    sessions: dict[str, list[str]] = {patient_id: [] for patient_id in chosen}
    for index, patient_ids in sorted(seated.items()):
        group = classes[index]
        before = tuple(already.get(s.id, 0) for s in group.sessions)
        sizes = group.even_sizes(len(patient_ids), before)
        room = {
            s.id: size - taken for s, size, taken in zip(group.sessions, sizes, before, strict=True)
        }
        waiting = []
        for patient_id in patient_ids:
            kept_before = set(previous.get(patient_id, PatientSchedule()).sessions) & room.keys()
            kept = next((s for s in sorted(kept_before) if room[s] > 0), None)
            if kept is None:
                waiting.append(patient_id)
            else:
                room[kept] -= 1
                sessions[patient_id].append(kept)
        for patient_id in waiting:
            session_id = next(s for s in room if room[s] > 0)
            room[session_id] -= 1
            sessions[patient_id].append(session_id)
    return sessions
