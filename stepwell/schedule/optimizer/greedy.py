"""Greedy first-fit scheduling: what a coordinator with a spreadsheet does.

It is the benchmark's baseline and the optimizer's first plan. Patients are taken in
arrival (file) order, and each is placed before the next is looked at, never moved again:
1. for each required session kind, the earliest fitting sessions of that kind;
2. each individual and medication appointment at the earliest slot, with the first
   staff member (file order) who is free;
3. the earliest remaining fitting sessions until the minimum minutes are reached;
4. sessions on days that do not count yet, earliest first, until the minimum days are
   reached (a day counts once it reaches the patient's `min_day_minutes`; days whose
   fitting sessions could never reach it are skipped).

"Fits" means a seat is left, nothing of the patient's or the staff member's overlaps, and
the patient's maximum minutes, maximum days and the staff member's appointment minutes
are not exceeded. A patient it cannot complete keeps what was placed.

`keep_schedules` places given schedules (bookings that stand, last week's plan) item by
item under the same rules and drops what no longer fits; the optimizer starts from it.
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from stepwell.schedule.optimizer.bound import patients_met_alone
from stepwell.schedule.optimizer.candidates import Usage, appointment_options, candidate_sessions
from stepwell.schedule.optimizer.instance import MINUTES_PER_DAY, Instance, Patient, Session
from stepwell.schedule.optimizer.plan import (
    PatientSchedule,
    Plan,
    PlannedAppointment,
    PlanStatus,
    StopReason,
    build_plan,
    requirement_shortfalls,
)


def greedy_plan(instance: Instance) -> Plan:
    """The first-fit plan, with the same explanations and upper bound as the optimizer's."""
    started = time.perf_counter()
    schedules = greedy_schedules(instance)
    seconds = time.perf_counter() - started
    return build_plan(
        instance,
        schedules,
        status=PlanStatus.FEASIBLE,
        solve_seconds=seconds,
        stopped=StopReason.FIRST_FIT,
        met_alone=patients_met_alone(instance, met=_met_ids(instance, schedules)),
    )


def _met_ids(instance: Instance, schedules: Mapping[str, PatientSchedule]) -> set[str]:
    return {
        p.id
        for p in instance.patients
        if not requirement_shortfalls(instance, p, schedules.get(p.id, PatientSchedule()))
    }


def greedy_schedules(
    instance: Instance,
    *,
    order: Sequence[Patient] | None = None,
    keep_unmet: bool = True,
    kept: Mapping[str, PatientSchedule] | None = None,
    start_from: Mapping[str, PatientSchedule] | None = None,
) -> dict[str, PatientSchedule]:
    """First-fit schedules, patients in `order` (default: file order).

    `kept` patients keep exactly those schedules (placed first, assumed valid: see
    `keep_schedules`); `start_from` gives the others a schedule to start from, each item
    kept where it still fits, then completed first-fit. With `keep_unmet=False` a patient
    who cannot be completed gives back what was placed.
    """
    kept = kept or {}
    usage = Usage.of(instance)
    for schedule in kept.values():
        usage.place(schedule)
    schedules = dict(kept)
    for patient in instance.patients if order is None else order:
        if patient.id in kept:
            continue
        week = _PatientWeek(instance, patient, usage)
        if start_from and patient.id in start_from:
            week.keep(start_from[patient.id])
        week.complete()
        schedule = week.schedule()
        if not keep_unmet and requirement_shortfalls(instance, patient, schedule):
            usage.release(schedule)
            schedule = PatientSchedule()
        schedules[patient.id] = schedule
    return schedules


def keep_schedules(
    instance: Instance, schedules: Mapping[str, PatientSchedule]
) -> tuple[dict[str, PatientSchedule], dict[str, PatientSchedule]]:
    """The parts of `schedules` that still fit the week, placed in patient file order, and
    the parts that do not (a session gone or full, a window or a staff member's hours
    changed...), each as patient id to schedule."""
    usage = Usage.of(instance)
    kept, dropped = {}, {}
    for patient in instance.patients:
        if patient.id not in schedules:
            continue
        week = _PatientWeek(instance, patient, usage)
        lost = week.keep(schedules[patient.id])
        kept[patient.id] = week.schedule()
        if lost.sessions or lost.appointments:
            dropped[patient.id] = lost
    return kept, dropped


@dataclass
class _PatientWeek:
    """One patient's week as it is filled, against what others took (`usage`)."""

    instance: Instance
    patient: Patient
    usage: Usage
    busy: list[tuple[int, int]] = field(default_factory=list)
    days: set[int] = field(default_factory=set)
    day_minutes: dict[int, int] = field(default_factory=lambda: defaultdict(int))
    minutes: int = 0
    sessions: list[Session] = field(default_factory=list)
    taken: set[str] = field(default_factory=set)
    appointments: list[PlannedAppointment] = field(default_factory=list)

    def schedule(self) -> PatientSchedule:
        return PatientSchedule(tuple(s.id for s in self.sessions), tuple(self.appointments))

    def fits(self, start: int, end: int) -> bool:
        if self.minutes + end - start > self.patient.max_minutes:
            return False
        day = start // MINUTES_PER_DAY
        if day not in self.days and len(self.days) >= self.patient.max_days:
            return False
        return all(end <= b_start or b_end <= start for b_start, b_end in self.busy)

    def add(self, start: int, end: int) -> None:
        self.busy.append((start, end))
        self.days.add(start // MINUTES_PER_DAY)
        self.day_minutes[start // MINUTES_PER_DAY] += end - start
        self.minutes += end - start

    def day_counts(self, day: int) -> bool:
        return day in self.days and self.day_minutes[day] >= self.patient.min_day_minutes

    def counted_days(self) -> int:
        return sum(1 for day in self.days if self.day_counts(day))

    def take(self, session: Session) -> bool:
        if self.usage.seats[session.id] > 0 and self.fits(session.start, session.end):
            self.usage.seats[session.id] -= 1
            self.add(session.start, session.end)
            self.sessions.append(session)
            self.taken.add(session.id)
            return True
        return False

    def bookable(self, staff_id: str, start: int, end: int) -> bool:
        """Cheapest checks first: the staff member's minutes, their busy spans, then the
        patient's own week (a full slot list is tried for every appointment)."""
        limit = self.instance.staff_by_id[staff_id].max_individual_minutes
        return (
            self.usage.staff_minutes[staff_id] + end - start <= limit
            and self.usage.staff_free(staff_id, start, end)
            and self.fits(start, end)
        )

    def book(self, appointment: PlannedAppointment) -> bool:
        if not self.bookable(appointment.staff, appointment.start, appointment.end):
            return False
        self.add(appointment.start, appointment.end)
        self.appointments.append(appointment)
        self.usage.book(appointment)
        return True

    def keep(self, schedule: PatientSchedule) -> PatientSchedule:
        """Place what still fits of `schedule`; return what does not."""
        fitting = {s.id: s for s in candidate_sessions(self.instance, self.patient)}
        lost_sessions = [
            session_id
            for session_id in schedule.sessions
            if session_id not in fitting
            or session_id in self.taken
            or not self.take(fitting[session_id])
        ]
        requests = {request.type: request for request in self.patient.appointments}
        lost_appointments = []
        for appointment in sorted(schedule.appointments, key=lambda a: (a.start, a.staff)):
            request = requests.get(appointment.type)
            placed = sum(a.type is appointment.type for a in self.appointments)
            if (
                request is None
                or placed >= request.count
                or appointment.end - appointment.start != request.minutes
                or not _offered(self.instance, self.patient, request, appointment)
                or not self.book(appointment)
            ):
                lost_appointments.append(appointment)
        return PatientSchedule(tuple(lost_sessions), tuple(lost_appointments))

    def complete(self) -> None:
        """Steps 1-4 of the module docstring, from what is placed already."""
        patient = self.patient
        candidates = candidate_sessions(self.instance, patient)
        for kind, count in patient.min_sessions_by_kind:
            for session in candidates:
                if sum(s.kind is kind for s in self.sessions) >= count:
                    break
                if session.kind is kind and session.id not in self.taken:
                    self.take(session)
        for request in patient.appointments:
            slots = _slots(self.instance, patient, request)
            for _ in range(request.count - sum(a.type is request.type for a in self.appointments)):
                slot = next(
                    (
                        (s, staff)
                        for s, _, staff in slots
                        if self.bookable(staff, s, s + request.minutes)
                    ),
                    None,
                )
                if slot is None:
                    break
                start, staff = slot
                self.book(PlannedAppointment(request.type, staff, start, start + request.minutes))
        for session in candidates:
            if self.minutes >= patient.min_minutes:
                break
            if session.id not in self.taken:
                self.take(session)
        reachable: dict[int, int] = defaultdict(int)
        for session in candidates:
            if session.id not in self.taken:
                reachable[session.day] += session.minutes
        for session in candidates:
            if self.counted_days() >= patient.min_days:
                break
            day = session.day
            if self.day_counts(day) or session.id in self.taken:
                continue
            if self.day_minutes[day] + reachable[day] < patient.min_day_minutes:
                continue
            self.take(session)
            reachable[day] -= session.minutes


def _slots(instance: Instance, patient: Patient, request) -> tuple[tuple[int, int, str], ...]:
    """(start, option number, staff) of every offered slot, earliest first, then staff in
    file order."""
    key = ("slots", patient.availability, request)
    if key not in instance.memo:
        options = appointment_options(instance, patient, request)
        instance.memo[key] = tuple(
            sorted((s, n, o.staff) for n, o in enumerate(options) for s in o.starts)
        )
    return instance.memo[key]


def _offered(instance: Instance, patient: Patient, request, appointment) -> bool:
    key = ("offered", patient.availability, request)
    if key not in instance.memo:
        instance.memo[key] = frozenset(
            (o.staff, s) for o in appointment_options(instance, patient, request) for s in o.starts
        )
    return (appointment.staff, appointment.start) in instance.memo[key]
