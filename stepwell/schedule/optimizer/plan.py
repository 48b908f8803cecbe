"""A weekly plan: per-patient schedules, unmet requirements and the summary, and the
output format of docs/schedule-instance.md."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from stepwell.schedule.optimizer.instance import (
    MINUTES_PER_DAY,
    AppointmentType,
    Instance,
    Patient,
    format_clock,
    format_day,
    week_minute,
)

# -- the plan -----------------------------------------------------------------------------


class PlanStatus(StrEnum):
    OPTIMAL = "optimal"
    FEASIBLE = "feasible"
    INFEASIBLE_INPUT = "infeasible_input"


class StopReason(StrEnum):
    """Why the optimizer returned: every objective level proven optimal; every patient
    the upper bound allows met and nothing more found (before the limit); the time or
    work limit; or the greedy baseline, which does not search."""

    PROVEN = "proven"
    BOUND = "bound"
    LIMIT = "limit"
    FIRST_FIT = "first_fit"


class UnmetReason(StrEnum):
    AVAILABILITY = "availability"
    CAPACITY = "capacity"


@dataclass(frozen=True)
class PlannedAppointment:
    type: AppointmentType
    staff: str
    start: int
    end: int


@dataclass(frozen=True)
class PatientSchedule:
    """What one patient attends: session ids and appointments."""

    sessions: tuple[str, ...] = ()
    appointments: tuple[PlannedAppointment, ...] = ()


@dataclass(frozen=True)
class UnmetRequirement:
    """A requirement (named after its input field) the plan misses: required vs planned."""

    requirement: str
    required: int
    planned: int
    reason: UnmetReason


@dataclass(frozen=True)
class PatientPlan:
    id: str
    sessions: tuple[str, ...]
    appointments: tuple[PlannedAppointment, ...]
    minutes: int
    days: int
    requirements_met: bool
    unmet: tuple[UnmetRequirement, ...]


@dataclass(frozen=True)
class PlanSummary:
    patients: int
    requirements_met: int
    solve_seconds: float
    upper_bound_met: int
    stopped: StopReason = StopReason.LIMIT


@dataclass(frozen=True)
class Plan:
    status: PlanStatus
    patients: tuple[PatientPlan, ...]
    summary: PlanSummary


def plan_to_dict(plan: Plan) -> dict[str, Any]:
    """The spec's output JSON."""
    return {
        "status": plan.status.value,
        "patients": [
            {
                "id": patient.id,
                "sessions": list(patient.sessions),
                "appointments": [
                    {
                        "type": appointment.type.value,
                        "staff": appointment.staff,
                        "day": format_day(appointment.start),
                        "start": format_clock(appointment.start),
                        "end": format_clock(appointment.end),
                    }
                    for appointment in patient.appointments
                ],
                "minutes": patient.minutes,
                "days": patient.days,
                "requirements_met": patient.requirements_met,
                "unmet": [
                    {
                        "requirement": item.requirement,
                        "required": item.required,
                        "planned": item.planned,
                        "reason": item.reason.value,
                    }
                    for item in patient.unmet
                ],
            }
            for patient in plan.patients
        ],
        "summary": {
            "patients": plan.summary.patients,
            "requirements_met": plan.summary.requirements_met,
            "solve_seconds": plan.summary.solve_seconds,
            "upper_bound_met": plan.summary.upper_bound_met,
            "stopped": plan.summary.stopped.value,
        },
    }


def schedules_from_plan_dict(data: Mapping[str, Any]) -> dict[str, PatientSchedule]:
    """Read back the schedules of a plan file (last week's plan, used as `hint`)."""
    schedules = {}
    for patient in data["patients"]:
        appointments = tuple(
            PlannedAppointment(
                AppointmentType(item["type"]),
                item["staff"],
                week_minute(item["day"], item["start"]),
                week_minute(item["day"], item["end"]),
            )
            for item in patient["appointments"]
        )
        schedules[patient["id"]] = PatientSchedule(tuple(patient["sessions"]), appointments)
    return schedules


def schedules_of(plan: Plan) -> dict[str, PatientSchedule]:
    """The schedules in a plan, to pass as next week's `hint`."""
    return {p.id: PatientSchedule(p.sessions, p.appointments) for p in plan.patients}


def schedule_minutes_and_days(instance: Instance, schedule: PatientSchedule) -> tuple[int, int]:
    """All attended minutes (sessions and appointments) and distinct days attended."""
    sessions = [instance.sessions_by_id[session_id] for session_id in schedule.sessions]
    minutes = sum(s.minutes for s in sessions)
    minutes += sum(a.end - a.start for a in schedule.appointments)
    days = {s.day for s in sessions} | {a.start // MINUTES_PER_DAY for a in schedule.appointments}
    return minutes, len(days)


def minutes_by_day(instance: Instance, schedule: PatientSchedule) -> dict[int, int]:
    """Attended minutes per day (0 = Monday): sessions and appointments together."""
    by_day: dict[int, int] = {}
    for session_id in schedule.sessions:
        session = instance.sessions_by_id[session_id]
        by_day[session.day] = by_day.get(session.day, 0) + session.minutes
    for appointment in schedule.appointments:
        day = appointment.start // MINUTES_PER_DAY
        by_day[day] = by_day.get(day, 0) + appointment.end - appointment.start
    return by_day


def counted_days(instance: Instance, patient: Patient, schedule: PatientSchedule) -> int:
    """Days that count toward `min_days`: those reaching the patient's `min_day_minutes`."""
    return sum(
        1
        for minutes in minutes_by_day(instance, schedule).values()
        if minutes >= patient.min_day_minutes
    )


def requirement_shortfalls(
    instance: Instance, patient: Patient, schedule: PatientSchedule
) -> list[tuple[str, int, int]]:
    """(requirement, required, planned) for each requirement the schedule misses."""
    minutes, days = schedule_minutes_and_days(instance, schedule)
    shortfalls = []
    if minutes < patient.min_minutes:
        shortfalls.append(("min_minutes", patient.min_minutes, minutes))
    if minutes > patient.max_minutes:
        shortfalls.append(("max_minutes", patient.max_minutes, minutes))
    counted = counted_days(instance, patient, schedule)
    if counted < patient.min_days:
        shortfalls.append(("min_days", patient.min_days, counted))
    if days > patient.max_days:
        shortfalls.append(("max_days", patient.max_days, days))
    for kind, count in patient.min_sessions_by_kind:
        planned = sum(instance.sessions_by_id[s].kind is kind for s in schedule.sessions)
        if planned < count:
            shortfalls.append((f"min_sessions_by_kind.{kind.value}", count, planned))
    for request in patient.appointments:
        placed = sum(a.type is request.type for a in schedule.appointments)
        if placed != request.count:
            shortfalls.append((f"{request.type.value}.count", request.count, placed))
    return shortfalls


def build_plan(
    instance: Instance,
    schedules: Mapping[str, PatientSchedule],
    *,
    status: PlanStatus,
    solve_seconds: float,
    met_alone: Mapping[str, bool],
    stopped: StopReason = StopReason.LIMIT,
) -> Plan:
    """Turn schedules into the plan: minutes, days, requirements met, unmet and why."""
    patients = []
    for patient in instance.patients:
        schedule = schedules.get(patient.id, PatientSchedule())
        sessions = sorted(schedule.sessions, key=lambda s: (instance.sessions_by_id[s].start, s))
        appointments = sorted(schedule.appointments, key=lambda a: (a.start, a.type, a.staff))
        ordered = PatientSchedule(tuple(sessions), tuple(appointments))
        minutes, days = schedule_minutes_and_days(instance, ordered)
        reason = UnmetReason.CAPACITY if met_alone[patient.id] else UnmetReason.AVAILABILITY
        unmet = tuple(
            UnmetRequirement(requirement, required, planned, reason)
            for requirement, required, planned in requirement_shortfalls(instance, patient, ordered)
        )
        patients.append(
            PatientPlan(
                patient.id, ordered.sessions, ordered.appointments, minutes, days, not unmet, unmet
            )
        )
    summary = PlanSummary(
        patients=len(patients),
        requirements_met=sum(p.requirements_met for p in patients),
        solve_seconds=round(solve_seconds, 3),
        upper_bound_met=sum(met_alone.values()),
        stopped=stopped,
    )
    return Plan(status, tuple(patients), summary)
