"""Reads of the program calendar, as week items in the program's local time.

Patient names appear only for patients the acting user may see (privacy.access).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from stepwell.accounts.models import User, UserKind
from stepwell.clinic.models import Program
from stepwell.patients.models import Patient
from stepwell.privacy.access import patients_visible_to

from .calendar import iso_week_bounds, iso_week_of, utc_to_local, week_utc_range
from .models import (
    Appointment,
    CalendarFeed,
    Enrollment,
    OccurrenceStatus,
    SchedulePlanRun,
    SessionOccurrence,
)


@dataclass(frozen=True)
class Person:
    id: int
    name: str


@dataclass(frozen=True)
class WeekItem:
    """One group session or appointment, with local labels for the page."""

    kind: str
    kind_label: str
    title: str
    starts_at: datetime
    ends_at: datetime
    local_day: date
    time_label: str
    room: str
    program: str
    staff: tuple[Person, ...] = ()
    patients: tuple[Person, ...] = ()
    enrolled: int = 0
    capacity: int = 0
    module: str = ""
    occurrence_id: int | None = None
    appointment_id: int | None = None
    source: str = ""
    telehealth_url: str = ""

    @property
    def minutes(self) -> int:
        return int((self.ends_at - self.starts_at).total_seconds() // 60)

    @property
    def is_appointment(self) -> bool:
        return self.appointment_id is not None


@dataclass
class Group:
    heading: str
    items: list[WeekItem] = field(default_factory=list)

    @property
    def minutes(self) -> int:
        return sum(item.minutes for item in self.items)


def week_default(program: Program | None = None, today: date | None = None) -> str:
    from django.utils import timezone

    if today is None:
        moment = timezone.now()
        today = utc_to_local(program.timezone, moment).date() if program else moment.date()
    return iso_week_of(today)


def week_neighbours(week: str) -> tuple[str, str]:
    monday, _ = iso_week_bounds(week)
    return iso_week_of(monday - timedelta(days=7)), iso_week_of(monday + timedelta(days=7))


def _time_label(zone: str, starts_at: datetime, ends_at: datetime) -> tuple[date, str]:
    start, end = utc_to_local(zone, starts_at), utc_to_local(zone, ends_at)
    return start.date(), f"{start:%H:%M}–{end:%H:%M}"


def _room_label(room, telehealth_url: str) -> str:
    if room is not None:
        return room.name
    return "Telehealth" if telehealth_url else ""


def _occurrence_item(occurrence: SessionOccurrence, patients: tuple[Person, ...]) -> WeekItem:
    zone = occurrence.program.timezone
    day, label = _time_label(zone, occurrence.starts_at, occurrence.ends_at)
    return WeekItem(
        kind=occurrence.kind,
        kind_label=occurrence.get_kind_display(),
        title=occurrence.title,
        starts_at=occurrence.starts_at,
        ends_at=occurrence.ends_at,
        local_day=day,
        time_label=label,
        room=_room_label(occurrence.room, occurrence.telehealth_url),
        program=occurrence.program.name,
        staff=tuple(Person(u.pk, str(u)) for u in occurrence.facilitators.all()),
        patients=patients,
        enrolled=occurrence.enrolled_count,
        capacity=occurrence.capacity,
        module=occurrence.curriculum_module.title if occurrence.curriculum_module else "",
        occurrence_id=occurrence.pk,
        telehealth_url=occurrence.telehealth_url,
    )


def _appointment_item(appointment: Appointment, patient_name: str | None) -> WeekItem:
    zone = appointment.program.timezone
    day, label = _time_label(zone, appointment.starts_at, appointment.ends_at)
    return WeekItem(
        kind=appointment.kind,
        kind_label=appointment.get_kind_display(),
        title=appointment.get_kind_display(),
        starts_at=appointment.starts_at,
        ends_at=appointment.ends_at,
        local_day=day,
        time_label=label,
        room=_room_label(appointment.room, ""),
        program=appointment.program.name,
        staff=(Person(appointment.staff_id, str(appointment.staff)),),
        patients=(Person(appointment.patient_id, patient_name),) if patient_name else (),
        appointment_id=appointment.pk,
        source=appointment.source,
    )


def _occurrences(**filters):
    return (
        SessionOccurrence.objects.filter(status=OccurrenceStatus.SCHEDULED, **filters)
        .select_related("program", "room", "curriculum_module")
        .prefetch_related("facilitators")
        .order_by("starts_at", "pk")
    )


def _appointments(**filters):
    return (
        Appointment.objects.filter(status=OccurrenceStatus.SCHEDULED, **filters)
        .select_related("program", "room", "staff", "patient")
        .order_by("starts_at", "pk")
    )


def _visible_names(user, patient_ids) -> dict[int, str]:
    visible = patients_visible_to(user).filter(pk__in=set(patient_ids))
    return {p.pk: p.display_name for p in visible}


@dataclass
class ProgramWeek:
    items: list[WeekItem]
    patient_ids: list[int]


def program_week(*, user, program: Program, week: str) -> ProgramWeek:
    """The program's sessions and appointments of the week, attendees the user may see."""
    start, end = week_utc_range(program.timezone, week)
    occurrences = list(_occurrences(program=program, starts_at__gte=start, starts_at__lt=end))
    enrollments = Enrollment.objects.filter(occurrence__in=occurrences).values_list(
        "occurrence_id", "patient_id"
    )
    attendees: dict[int, list[int]] = defaultdict(list)
    for occurrence_id, patient_id in enrollments:
        attendees[occurrence_id].append(patient_id)
    appointments = list(_appointments(program=program, starts_at__gte=start, starts_at__lt=end))
    every_patient = {p for ids in attendees.values() for p in ids} | {
        a.patient_id for a in appointments
    }
    names = _visible_names(user, every_patient)
    items = [
        _occurrence_item(
            o,
            tuple(
                sorted(
                    (Person(p, names[p]) for p in attendees[o.pk] if p in names),
                    key=lambda person: person.name,
                )
            ),
        )
        for o in occurrences
    ]
    items += [
        _appointment_item(a, names.get(a.patient_id)) for a in appointments if a.patient_id in names
    ]
    items.sort(key=lambda item: (item.starts_at, item.title))
    return ProgramWeek(items=items, patient_ids=sorted(names))


def patient_week(*, patient: Patient, week: str, zone: str) -> list[WeekItem]:
    """The patient's own bookings of the week (every program)."""
    start, end = week_utc_range(zone, week)
    occurrence_ids = Enrollment.objects.filter(patient=patient).values("occurrence_id")
    items = [
        _occurrence_item(o, ())
        for o in _occurrences(pk__in=occurrence_ids, starts_at__gte=start, starts_at__lt=end)
    ]
    items += [
        _appointment_item(a, patient.display_name)
        for a in _appointments(patient=patient, starts_at__gte=start, starts_at__lt=end)
    ]
    return sorted(items, key=lambda item: item.starts_at)


def staff_week(*, user, staff: User, week: str, zone: str) -> list[WeekItem]:
    """Sessions the staff member leads and their appointments; patients the user may see."""
    start, end = week_utc_range(zone, week)
    occurrences = list(_occurrences(facilitators=staff, starts_at__gte=start, starts_at__lt=end))
    appointments = list(_appointments(staff=staff, starts_at__gte=start, starts_at__lt=end))
    names = _visible_names(user, [a.patient_id for a in appointments])
    items = [_occurrence_item(o, ()) for o in occurrences]
    items += [_appointment_item(a, names.get(a.patient_id)) for a in appointments]
    return sorted(items, key=lambda item: item.starts_at)


def staff_zone(staff: User) -> str:
    program = Program.objects.filter(memberships__user=staff).order_by("name").first()
    return program.timezone if program else "UTC"


def patient_zone(patient: Patient) -> str:
    zone = (
        patient.episodes.order_by("-created_at").values_list("program__timezone", flat=True).first()
    )
    return zone or "UTC"


# -- grouping for the pages -------------------------------------------------------------


def by_day(items: list[WeekItem], week: str) -> list[Group]:
    monday, _ = iso_week_bounds(week)
    days = [monday + timedelta(days=n) for n in range(7)]
    groups = [Group(f"{day:%A %b} {day.day}") for day in days]
    for item in items:
        index = (item.local_day - monday).days
        if 0 <= index < 7:
            groups[index].items.append(item)
    weekend = [g for g in groups[5:] if g.items]
    return groups[:5] + weekend


def by_room(items: list[WeekItem]) -> list[Group]:
    groups: dict[str, Group] = {}
    for item in items:
        heading = item.room or "No room"
        groups.setdefault(heading, Group(heading)).items.append(item)
    return [groups[key] for key in sorted(groups)]


def by_staff(items: list[WeekItem]) -> list[Group]:
    groups: dict[str, Group] = {}
    for item in items:
        for person in item.staff or (Person(0, "No facilitator"),):
            groups.setdefault(person.name, Group(person.name)).items.append(item)
    return [groups[key] for key in sorted(groups)]


# -- other reads ----------------------------------------------------------------------------


def feeds_of(*, patient: Patient | None = None, staff: User | None = None):
    feeds = CalendarFeed.objects.filter(revoked_at__isnull=True)
    if patient is not None:
        return feeds.filter(patient=patient)
    return feeds.filter(user=staff)


def plan_runs(*, program: Program, week: str):
    return SchedulePlanRun.objects.filter(program=program, week=week).select_related(
        "requested_by"
    )[:5]


def program_staff(program: Program):
    return User.objects.filter(
        program_memberships__program=program, kind=UserKind.STAFF, is_active=True
    ).order_by("last_name", "first_name")


# -- an optimizer run's results -------------------------------------------------------------

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


def run_results(run: SchedulePlanRun) -> RunResults:
    """The proposed week per patient and per staff member, the unmet requirements with
    their reasons, and the changes against the week's current schedule."""
    from .planning import current_schedules, hint_for, plan_diff, proposed_schedules

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
    from .instance import format_clock, format_day

    return (
        f"{format_day(appointment.start).title()} {format_clock(appointment.start)}–"
        f"{format_clock(appointment.end)} {appointment.type.value} with "
        f"{staff_name(appointment.staff)}"
    )
