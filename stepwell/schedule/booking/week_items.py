"""A program, patient or staff week as items in the program's local time, and their
grouping by day, room or staff member for the pages.

These build what the selectors (selectors.py) return after they checked access: patient
names appear only for patients the acting user may see (privacy.access).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from stepwell.accounts.models import User
from stepwell.clinic.models import Program
from stepwell.patients.models import Patient
from stepwell.privacy.access import about_patients, patients_visible_to
from stepwell.schedule.calendar.weeks import iso_week_bounds, utc_to_local, week_utc_range
from stepwell.schedule.models import Appointment, Enrollment, OccurrenceStatus, SessionOccurrence


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
    ids = set(patient_ids)
    with about_patients(ids):  # ask about the week's patients only, not the whole scope
        visible = list(patients_visible_to(user).filter(pk__in=ids))
    return {p.pk: p.display_name for p in visible}


@dataclass
class ProgramWeek:
    """The items of a program week and every patient they name."""

    items: list[WeekItem]
    patient_ids: list[int]


def program_week_items(*, user, program: Program, week: str) -> ProgramWeek:
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


def patient_week_items(*, patient: Patient, week: str, zone: str) -> list[WeekItem]:
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


def staff_week_items(*, user, staff: User, week: str, zone: str) -> list[WeekItem]:
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
