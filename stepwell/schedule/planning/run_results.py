"""An optimizer run's results as the run page shows them: the proposed week per patient
and per staff member, who is not fully served and why, and the changes against the week's
current schedule. Built for a run the selector (planning.selectors.plan_run_read) let the user see.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from stepwell.accounts.models import User
from stepwell.patients.models import Patient
from stepwell.schedule.calendar.weeks import utc_to_local
from stepwell.schedule.models import SchedulePlanRun, SessionOccurrence

UNMET_REASONS = {
    "availability": "their own availability cannot meet it, even with the program to themselves",
    "capacity": "other patients took the seats or the staff time",
}
REQUIREMENT_LABELS = {
    "min_minutes": "weekly minutes",
    "max_minutes": "weekly minutes (maximum)",
    "min_days": "days attended",
    "max_days": "days attended (maximum)",
    "individual.count": "individual sessions",
    "medication.count": "medication visits",
}


def requirement_label(requirement: str) -> str:
    if requirement.startswith("min_sessions_by_kind."):
        return requirement.split(".", 1)[1].replace("_", " ") + " sessions"
    return REQUIREMENT_LABELS.get(requirement, requirement.replace("_", " "))


@dataclass
class PatientRow:
    patient_id: int
    name: str
    sessions: list[str]
    appointments: list[str]
    minutes: int
    days: int
    met: bool
    unmet: list[str]


@dataclass
class StaffRow:
    name: str
    sessions: list[str]
    appointments: list[str]


@dataclass
class ChangeRow:
    name: str
    added: list[str]
    removed: list[str]
    kept: int
    had_bookings: bool = False


@dataclass
class RunResults:
    summary: dict
    patients: list[PatientRow]
    staff: list[StaffRow]
    changes: list[ChangeRow]
    unchanged: int
    basis: str
    patient_ids: list[int]

    @property
    def not_served(self) -> list[PatientRow]:
        return [row for row in self.patients if not row.met]

    @property
    def moved(self) -> list[ChangeRow]:
        """Patients who were booked this week and whose bookings the plan changes."""
        return [row for row in self.changes if row.had_bookings]


def run_results(run: SchedulePlanRun) -> RunResults:
    """The proposed week per patient and per staff member, the unmet requirements with
    their reasons, and the changes against the week's current schedule."""
    from stepwell.schedule.planning.compare import (
        current_schedules,
        hint_for,
        plan_diff,
        proposed_schedules,
    )

    plan, instance = run.plan, run.instance or {"sessions": [], "staff": [], "patients": []}
    zone = run.program.timezone
    patient_ids = [int(p["id"][1:]) for p in plan.get("patients", [])]
    patients = {p.pk: p for p in Patient.objects.filter(pk__in=patient_ids)}
    session_rows = {row["id"]: row for row in instance["sessions"]}
    staff_ids = {int(row["id"][1:]) for row in instance["staff"]}
    staff_names = {u.pk: str(u) for u in User.objects.filter(pk__in=staff_ids)}
    occurrences = {
        f"O{o.pk}": o
        for o in SessionOccurrence.objects.filter(
            pk__in=[int(key[1:]) for key in session_rows if key.startswith("O")]
        )
    }

    def patient_name(key: str) -> str:
        patient = patients.get(int(key[1:]))
        return patient.display_name if patient else key

    def staff_name(key: str) -> str:
        return staff_names.get(int(key[1:]), key)

    def session_label(key: str) -> str:
        row = session_rows.get(key)
        if row is None:
            occurrence = occurrences.get(key)
            if occurrence is None:
                return key
            local = utc_to_local(zone, occurrence.starts_at)
            return f"{local:%a %H:%M} {occurrence.title}"
        return f"{row['day'].title()} {row['start']}–{row['end']} {row['title']}"

    def appointment_label(day: str, start: str, end: str, kind: str, staff: str) -> str:
        return f"{day.title()} {start}–{end} {kind} with {staff_name(staff)}"

    rows = []
    staff_sessions: dict[str, list[str]] = defaultdict(list)
    staff_appointments: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for row in instance["sessions"]:
        for staff in row["staff"]:
            staff_sessions[staff].append(session_label(row["id"]))
    for patient in plan.get("patients", []):
        appointments = []
        for item in patient["appointments"]:
            appointments.append(
                appointment_label(
                    item["day"], item["start"], item["end"], item["type"], item["staff"]
                )
            )
            staff_appointments[item["staff"]].append(
                (
                    f"{item['day']}{item['start']}",
                    f"{item['day'].title()} {item['start']}–{item['end']} {item['type']}: "
                    f"{patient_name(patient['id'])}",
                )
            )
        rows.append(
            PatientRow(
                patient_id=int(patient["id"][1:]),
                name=patient_name(patient["id"]),
                sessions=[session_label(s) for s in patient["sessions"]],
                appointments=appointments,
                minutes=patient["minutes"],
                days=patient["days"],
                met=patient["requirements_met"],
                unmet=[
                    f"{requirement_label(u['requirement'])}: {u['planned']} of {u['required']}, "
                    f"because {UNMET_REASONS.get(u['reason'], u['reason'])}"
                    for u in patient["unmet"]
                ],
            )
        )
    rows.sort(key=lambda r: (r.met, r.name))
    staff_rows = [
        StaffRow(
            name=staff_name(key),
            sessions=staff_sessions[key],
            appointments=[label for _, label in sorted(staff_appointments[key])],
        )
        for key in sorted(set(staff_sessions) | set(staff_appointments), key=staff_name)
    ]
    changes, unchanged, basis = [], 0, ""
    if run.status == "done":
        current, basis = current_schedules(program=run.program, week=run.week)
        current = hint_for(instance, current) if instance.get("patients") else current
        for change in plan_diff(current, proposed_schedules(run)):
            if not change.changed:
                unchanged += 1
                continue
            changes.append(
                ChangeRow(
                    name=patient_name(change.patient),
                    added=[session_label(s) for s in change.sessions_added]
                    + [_planned_label(a, staff_name) for a in change.appointments_added],
                    removed=[session_label(s) for s in change.sessions_removed]
                    + [_planned_label(a, staff_name) for a in change.appointments_removed],
                    kept=len(change.sessions_kept),
                    had_bookings=basis == "this week" and change.patient in current,
                )
            )
    return RunResults(
        summary=plan.get("summary", {}),
        patients=rows,
        staff=staff_rows,
        changes=changes,
        unchanged=unchanged,
        basis=basis,
        patient_ids=sorted(patients),
    )


def _planned_label(appointment, staff_name) -> str:
    from stepwell.schedule.optimizer.instance import format_clock, format_day

    return (
        f"{format_day(appointment.start).title()} {format_clock(appointment.start)}–"
        f"{format_clock(appointment.end)} {appointment.type.value} with "
        f"{staff_name(appointment.staff)}"
    )
