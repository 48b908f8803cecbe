"""Greedy first-fit scheduling: what a coordinator with a spreadsheet does.

It is the benchmark's baseline and the optimizer's starting point. Patients are taken
in arrival (file) order, and each is placed before the next is looked at, never moved
again:
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
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

from stepwell.schedule.candidates import appointment_options, candidate_sessions
from stepwell.schedule.instance import MINUTES_PER_DAY, Instance, Patient, Session
from stepwell.schedule.plan import (
    PatientSchedule,
    Plan,
    PlannedAppointment,
    PlanStatus,
    build_plan,
    requirement_shortfalls,
)
from stepwell.schedule.solver import patients_met_alone


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
        met_alone=patients_met_alone(instance),
    )


def greedy_schedules(
    instance: Instance, *, order: Sequence[Patient] | None = None, keep_unmet: bool = True
) -> dict[str, PatientSchedule]:
    """First-fit schedules, patients in `order` (default: file order).

    With `keep_unmet=False` a patient who cannot be completed gives back what was placed
    (the optimizer's starting point uses that, most constrained patients first).
    """
    seats = {session.id: instance.session_capacity(session) for session in instance.sessions}
    staff_busy: dict[str, list[tuple[int, int]]] = defaultdict(list)
    for session in instance.sessions:
        for staff_id in session.staff:
            staff_busy[staff_id].append((session.start, session.end))
    staff_minutes: dict[str, int] = defaultdict(int)
    schedules = {}
    for patient in instance.patients if order is None else order:
        week = _PatientWeek(patient)
        candidates = candidate_sessions(instance, patient)

        def take(session: Session, week: _PatientWeek = week) -> None:
            if seats[session.id] > 0 and week.fits(session.start, session.end):
                seats[session.id] -= 1
                week.add(session.start, session.end)
                week.sessions.append(session)

        for kind, count in patient.min_sessions_by_kind:
            for session in candidates:
                if sum(s.kind is kind for s in week.sessions) >= count:
                    break
                if session.kind is kind:
                    take(session)
        for request in patient.appointments:
            limit = {m.id: m.max_individual_minutes for m in instance.staff}
            options = appointment_options(instance, patient, request)
            for _ in range(request.count):
                slot = next(
                    (
                        (start, option.staff)
                        for start in sorted({s for o in options for s in o.starts})
                        for option in options
                        if start in option.starts
                        and week.fits(start, start + request.minutes)
                        and staff_minutes[option.staff] + request.minutes <= limit[option.staff]
                        and _free(staff_busy[option.staff], start, start + request.minutes)
                    ),
                    None,
                )
                if slot is None:
                    break
                start, staff_id = slot
                end = start + request.minutes
                week.add(start, end)
                week.appointments.append(PlannedAppointment(request.type, staff_id, start, end))
                staff_busy[staff_id].append((start, end))
                staff_minutes[staff_id] += request.minutes
        for session in candidates:
            if week.minutes >= patient.min_minutes:
                break
            if session not in week.sessions:
                take(session)
        reachable: dict[int, int] = defaultdict(int)
        for session in candidates:
            if session not in week.sessions:
                reachable[session.day] += session.minutes
        for session in candidates:
            if week.counted_days() >= patient.min_days:
                break
            day = session.day
            if week.day_counts(day) or session in week.sessions:
                continue
            if week.day_minutes[day] + reachable[day] < patient.min_day_minutes:
                continue
            take(session)
            reachable[day] -= session.minutes
        schedule = PatientSchedule(tuple(s.id for s in week.sessions), tuple(week.appointments))
        if not keep_unmet and requirement_shortfalls(instance, patient, schedule):
            for session in week.sessions:
                seats[session.id] += 1
            for appointment in week.appointments:
                staff_busy[appointment.staff].remove((appointment.start, appointment.end))
                staff_minutes[appointment.staff] -= appointment.end - appointment.start
            schedule = PatientSchedule()
        schedules[patient.id] = schedule
    return schedules


def _free(busy: list[tuple[int, int]], start: int, end: int) -> bool:
    return all(end <= busy_start or busy_end <= start for busy_start, busy_end in busy)


@dataclass
class _PatientWeek:
    patient: Patient
    busy: list[tuple[int, int]] = field(default_factory=list)
    days: set[int] = field(default_factory=set)
    day_minutes: dict[int, int] = field(default_factory=lambda: defaultdict(int))
    minutes: int = 0
    sessions: list[Session] = field(default_factory=list)
    appointments: list[PlannedAppointment] = field(default_factory=list)

    def fits(self, start: int, end: int) -> bool:
        if self.minutes + end - start > self.patient.max_minutes:
            return False
        day = start // MINUTES_PER_DAY
        if day not in self.days and len(self.days) >= self.patient.max_days:
            return False
        return _free(self.busy, start, end)

    def add(self, start: int, end: int) -> None:
        self.busy.append((start, end))
        self.days.add(start // MINUTES_PER_DAY)
        self.day_minutes[start // MINUTES_PER_DAY] += end - start
        self.minutes += end - start

    def day_counts(self, day: int) -> bool:
        return day in self.days and self.day_minutes[day] >= self.patient.min_day_minutes

    def counted_days(self) -> int:
        return sum(1 for day in self.days if self.day_counts(day))
