"""The week as it stands and a plan against it: current schedules per patient (the
search's starting point), the hint for the solver, and the changes a plan would make.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from stepwell.clinic.models import Program
from stepwell.schedule.calendar.weeks import (
    utc_to_local,
)
from stepwell.schedule.models import (
    Appointment,
    Enrollment,
    OccurrenceStatus,
    SchedulePlanRun,
    SessionOccurrence,
)
from stepwell.schedule.optimizer.instance import (
    AppointmentType,
)
from stepwell.schedule.optimizer.plan import (
    PatientSchedule,
    PlannedAppointment,
    schedules_from_plan_dict,
)
from stepwell.schedule.planning.week import (
    PlanningWeek,
    replaceable_appointments,
    replaceable_enrollments,
)


def _schedules_of(planning: PlanningWeek, enrollments, appointments, session_id) -> dict:
    sessions: dict[str, list[str]] = defaultdict(list)
    planned: dict[str, list[PlannedAppointment]] = defaultdict(list)
    for enrollment in enrollments:
        mapped = session_id(enrollment.occurrence)
        if mapped is not None:
            sessions[f"P{enrollment.patient_id}"].append(mapped)
    for appointment in appointments:
        start, end = planning.span(appointment.starts_at, appointment.ends_at)
        planned[f"P{appointment.patient_id}"].append(
            PlannedAppointment(
                AppointmentType(appointment.kind), f"S{appointment.staff_id}", start, end
            )
        )
    return {
        patient: PatientSchedule(tuple(sorted(sessions[patient])), tuple(planned[patient]))
        for patient in sorted(set(sessions) | set(planned))
    }


def current_schedules(
    *, program: Program, week: str, now: datetime | None = None
) -> tuple[dict[str, PatientSchedule], str]:
    """What the optimizer would replace this week, else last week's plan carried over.

    Returns (schedules by patient id, basis): basis is "this week", "last week" or "".
    Last week's group bookings map to the same series on the same weekday this week; its
    appointments keep their staff member, weekday and time.
    """
    planning = PlanningWeek.of(program, week, now)
    enrollments = replaceable_enrollments(planning).select_related("occurrence")
    appointments = replaceable_appointments(planning)
    if enrollments.exists() or appointments.exists():
        return (
            _schedules_of(planning, enrollments, appointments, lambda o: f"O{o.pk}"),
            "this week",
        )
    previous_monday = planning.monday - timedelta(days=7)
    year, number, _ = previous_monday.isocalendar()
    previous = PlanningWeek.of(program, f"{year}-W{number:02d}", planning.starts_at)
    by_series_day = {}
    for occurrence in SessionOccurrence.objects.filter(
        program=program,
        starts_at__gte=planning.cutoff,
        starts_at__lt=planning.ends_at,
        status=OccurrenceStatus.SCHEDULED,
        series__isnull=False,
    ):
        day = utc_to_local(program.timezone, occurrence.starts_at).weekday()
        by_series_day[(occurrence.series_id, day)] = occurrence

    def carried(occurrence: SessionOccurrence) -> str | None:
        day = utc_to_local(program.timezone, occurrence.starts_at).weekday()
        match = by_series_day.get((occurrence.series_id, day))
        return f"O{match.pk}" if match is not None else None

    old_enrollments = Enrollment.objects.filter(
        occurrence__program=program,
        occurrence__starts_at__gte=previous.starts_at,
        occurrence__starts_at__lt=previous.ends_at,
    ).select_related("occurrence")
    old_appointments = Appointment.objects.filter(
        program=program, starts_at__gte=previous.starts_at, starts_at__lt=previous.ends_at
    )
    schedules = _schedules_of(previous, old_enrollments, old_appointments, carried)
    return schedules, ("last week" if schedules else "")


def hint_for(instance_data: Mapping, schedules: Mapping[str, PatientSchedule]) -> dict:
    """Only what the exported week knows: the solver reads ids against the instance."""
    sessions = {row["id"] for row in instance_data["sessions"]}
    staff = {row["id"] for row in instance_data["staff"]}
    patients = {row["id"] for row in instance_data["patients"]}
    return {
        patient: PatientSchedule(
            tuple(s for s in schedule.sessions if s in sessions),
            tuple(a for a in schedule.appointments if a.staff in staff),
        )
        for patient, schedule in schedules.items()
        if patient in patients
    }


@dataclass(frozen=True)
class PatientChange:
    patient: str
    sessions_added: tuple[str, ...]
    sessions_removed: tuple[str, ...]
    sessions_kept: tuple[str, ...]
    appointments_added: tuple[PlannedAppointment, ...]
    appointments_removed: tuple[PlannedAppointment, ...]

    @property
    def changed(self) -> bool:
        return bool(
            self.sessions_added
            or self.sessions_removed
            or self.appointments_added
            or self.appointments_removed
        )


def plan_diff(
    current: Mapping[str, PatientSchedule], proposed: Mapping[str, PatientSchedule]
) -> list[PatientChange]:
    """Per patient, what the proposed week adds, removes and keeps against the current one."""
    changes = []
    for patient in sorted(set(current) | set(proposed), key=lambda p: (len(p), p)):
        before = current.get(patient, PatientSchedule())
        after = proposed.get(patient, PatientSchedule())
        old_sessions, new_sessions = set(before.sessions), set(after.sessions)
        old_appointments, new_appointments = set(before.appointments), set(after.appointments)
        changes.append(
            PatientChange(
                patient=patient,
                sessions_added=tuple(sorted(new_sessions - old_sessions)),
                sessions_removed=tuple(sorted(old_sessions - new_sessions)),
                sessions_kept=tuple(sorted(new_sessions & old_sessions)),
                appointments_added=tuple(
                    sorted(new_appointments - old_appointments, key=lambda a: a.start)
                ),
                appointments_removed=tuple(
                    sorted(old_appointments - new_appointments, key=lambda a: a.start)
                ),
            )
        )
    return changes


def proposed_schedules(run: SchedulePlanRun) -> dict[str, PatientSchedule]:
    return schedules_from_plan_dict(run.plan) if run.plan.get("patients") is not None else {}
