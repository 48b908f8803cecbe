"""The demo clinic's program calendar: rooms, staff hours, a weekly group timetable per
program (a morning and an evening track, family and alumni groups), an 8-module
psychoeducation curriculum that cycles, patient availability where intake recorded none
(day workers in the evening, students after class, parents in school hours...),
occurrences for the last 8 and the next 2 weeks, and optimizer plans accepted for this
week and the next so the week views are full. Everything here is invented."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, time, timedelta

from django.db import transaction

from stepwell.accounts.models import Role, User
from stepwell.core.errors import ApplicationError
from stepwell.intake.models import AvailabilityWindow
from stepwell.patients.models import Episode, EpisodeState
from stepwell.schedule import planning, services
from stepwell.schedule.calendar import iso_week_of, week_utc_range
from stepwell.schedule.models import (
    CurriculumModule,
    Holiday,
    PlanRunStatus,
    Room,
    SchedulePlanRun,
    StaffAvailability,
    StaffSchedulingProfile,
)
from stepwell.schedule.tasks import plan_run_execute

WEEKS_BEHIND = 8
WEEKS_AHEAD = 2
SOLVE_SECONDS = 1.2
MODULES = [
    ("Understanding your condition", "What the diagnosis means and how treatment works."),
    ("Triggers and coping strategies", "Spotting early signs and a plan for each."),
    ("Healthy communication", "Saying what you need; listening; repairing."),
    ("Stress management", "Breathing, grounding, pacing the day."),
    ("Relapse prevention", "Warning signs, high-risk situations, a written plan."),
    ("Sleep and routine", "Regular hours, light, activity and rest."),
    ("Building support", "Who is in your corner and how to ask for help."),
    ("Planning for aftercare", "Outpatient care, alumni groups and the next months."),
]
ROOMS = {
    "Northside Clinic": [
        ("Group Room A", 14),
        ("Group Room B", 12),
        ("Group Room C", 14),
        ("Group Room D", 12),
        ("Family Room", 20),
    ],
    "Riverside Clinic": [("Group Room 1", 14), ("Group Room 2", 12), ("Family Room", 20)],
}


@dataclass(frozen=True)
class Timetable:
    day_lead: str
    evening_lead: str
    rooms: tuple[str, str]
    skills: str
    family_day: str
    alumni_day: str


TIMETABLES = {
    "mh": Timetable(
        "therapist", "clinician4", ("Group Room A", "Group Room B"), "DBT skills group", "WE", "TH"
    ),
    "sud": Timetable(
        "therapist2",
        "director2",
        ("Group Room 1", "Group Room 2"),
        "Recovery skills group",
        "WE",
        "TH",
    ),
    "dual": Timetable(
        "clinician3",
        "counselor1",
        ("Group Room C", "Group Room D"),
        "Integrated skills group",
        "TU",
        "MO",
    ),
}
DAY_CODES = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"]

# Availability archetypes (weekday, start, end): who an IOP serves around work and family.
ARCHETYPES = {
    "mornings free": [(d, time(8, 30), time(13, 0)) for d in range(5)],
    "day worker, evenings": [(d, time(17, 0), time(21, 30)) for d in range(4)],
    "student, after class": [(d, time(15, 0), time(21, 30)) for d in range(5)],
    "parent, school hours": [(d, time(8, 45), time(14, 30)) for d in range(5)],
    "shift worker": [(d, time(8, 30), time(13, 0)) for d in (0, 2, 4)]
    + [(d, time(17, 0), time(21, 30)) for d in (1, 3)],
}
ARCHETYPE_WEIGHTS = [3, 3, 1, 2, 1]


def _thanksgiving(year: int) -> date:
    first = date(year, 11, 1)
    first_thursday = first + timedelta(days=(3 - first.weekday()) % 7)
    return first_thursday + timedelta(weeks=3)


def _staff_hours(clinic) -> None:
    users = clinic.users
    hours: dict[str, list[tuple[int, time, time]]] = {}
    for key, table in TIMETABLES.items():
        late = {DAY_CODES.index(table.family_day), DAY_CODES.index(table.alumni_day)}
        hours[table.day_lead] = [
            (d, time(8, 0), time(20, 30) if d in late else time(17, 0)) for d in range(5)
        ]
        hours[table.evening_lead] = [(d, time(12, 0), time(21, 30)) for d in range(4)] + [
            (4, time(9, 0), time(15, 0))
        ]
        del key
    hours["prescriber"] = [(d, time(8, 0), time(17, 0)) for d in (0, 2, 4)] + [
        (d, time(12, 0), time(20, 30)) for d in (1, 3)
    ]
    hours["np1"] = [(d, time(12, 0), time(20, 30)) for d in (0, 2)] + [
        (d, time(8, 0), time(16, 0)) for d in (1, 3, 4)
    ]
    clinical = User.objects.filter(
        role_assignments__role__in=[Role.CLINICIAN, Role.PRESCRIBER, Role.NURSE]
    ).distinct()
    by_username = {username: user for username, user in users.items()}
    rows = []
    for user in clinical:
        username = next((k for k, v in by_username.items() if v.pk == user.pk), user.username)
        windows = hours.get(username) or [(d, time(8, 0), time(16, 30)) for d in range(5)]
        rows += [StaffAvailability(user=user, weekday=d, start=s, end=e) for d, s, e in windows]
        if user.has_role(Role.PRESCRIBER):
            StaffSchedulingProfile.objects.get_or_create(
                user=user, defaults={"max_individual_minutes": 1500}
            )
    StaffAvailability.objects.bulk_create(rows)


def _timetable(clinic, key: str, program, rooms: dict[str, Room], starts_on: date) -> None:
    table = TIMETABLES[key]
    users = clinic.users
    day, evening = users[table.day_lead], users[table.evening_lead]
    first, second = rooms[table.rooms[0]], rooms[table.rooms[1]]
    family_room = rooms["Family Room"]
    series = [
        (
            "process_group",
            "Process group (morning)",
            time(9, 0),
            90,
            "MO,TU,WE,TH,FR",
            day,
            first,
            12,
        ),
        (
            "psychoeducation",
            "Psychoeducation (morning)",
            time(10, 45),
            60,
            "MO,WE,FR",
            day,
            first,
            12,
        ),
        ("skills_group", f"{table.skills} (morning)", time(10, 45), 90, "TU,TH", day, second, 12),
        (
            "process_group",
            "Process group (evening)",
            time(17, 30),
            90,
            "MO,TU,WE,TH",
            evening,
            first,
            12,
        ),
        (
            "psychoeducation",
            "Psychoeducation (evening)",
            time(19, 15),
            60,
            "MO,WE",
            evening,
            first,
            12,
        ),
        (
            "skills_group",
            f"{table.skills} (evening)",
            time(19, 15),
            90,
            "TU,TH",
            evening,
            second,
            12,
        ),
        ("family_group", "Family group", time(18, 0), 90, table.family_day, day, family_room, 16),
        ("alumni_group", "Alumni group", time(18, 0), 60, table.alumni_day, day, family_room, 16),
    ]
    for kind, title, start, minutes, days, lead, room, capacity in series:
        services.series_create(
            actor=None,
            program=program,
            kind=kind,
            title=title,
            start_time=start,
            duration_minutes=minutes,
            recurrence=f"FREQ=WEEKLY;BYDAY={days}",
            starts_on=starts_on,
            facilitators=[lead],
            room=room,
            capacity=capacity,
        )


def _patient_availability(clinic, rng) -> None:
    names = list(ARCHETYPES)
    rows = []
    for patient in clinic.patients:
        schedulable = Episode.objects.filter(
            patient=patient, state__in=[EpisodeState.ADMITTED, EpisodeState.ACTIVE]
        ).exists()
        if not schedulable or patient.availability_windows.exists():
            continue
        archetype = rng.choices(names, weights=ARCHETYPE_WEIGHTS)[0]
        rows += [
            AvailabilityWindow(patient=patient, weekday=d, start=s, end=e)
            for d, s, e in ARCHETYPES[archetype]
        ]
    AvailabilityWindow.objects.bulk_create(rows)


def _weeks(today: date) -> list[str]:
    monday = today - timedelta(days=today.weekday())
    return [iso_week_of(monday + timedelta(weeks=n)) for n in range(-WEEKS_BEHIND, WEEKS_AHEAD + 1)]


@transaction.atomic
def seed_schedule(clinic, rng, today: date) -> None:
    """Rooms, hours, timetables, curricula, availability, 11 weeks of sessions, and the
    optimizer's accepted plans for this week and next."""
    sites = {site.name: site for site in clinic.organization.sites.all()}
    rooms_by_site: dict[str, dict[str, Room]] = {}
    for site_name, rooms in ROOMS.items():
        site = sites.get(site_name)
        if site is None:
            continue
        rooms_by_site[site_name] = {
            name: Room.objects.create(site=site, name=name, capacity=capacity)
            for name, capacity in rooms
        }
    _staff_hours(clinic)
    monday = today - timedelta(days=today.weekday())
    starts_on = monday - timedelta(weeks=WEEKS_BEHIND + 4)
    holidays = []
    for year in sorted(
        {
            (monday - timedelta(weeks=WEEKS_BEHIND)).year,
            today.year,
            (monday + timedelta(weeks=WEEKS_AHEAD + 1)).year,
        }
    ):
        holidays += [
            (_thanksgiving(year), "Thanksgiving"),
            (date(year, 12, 25), "Christmas Day"),
            (date(year, 1, 1), "New Year's Day"),
        ]
    for key, program in clinic.programs.items():
        for position, (title, description) in enumerate(MODULES, start=1):
            CurriculumModule.objects.create(
                program=program, position=position, title=title, description=description
            )
        for day, name in holidays:
            Holiday.objects.create(program=program, date=day, name=name)
        _timetable(clinic, key, program, rooms_by_site[program.site.name], starts_on)
    _patient_availability(clinic, rng)
    for week in _weeks(today):
        for program in clinic.programs.values():
            services.occurrences_generate(program=program, week=week)
    director = clinic.users["director"]
    for week in _weeks(today)[WEEKS_BEHIND : WEEKS_BEHIND + 2]:
        for program in clinic.programs.values():
            week_start, _ = week_utc_range(program.timezone, week)
            run = SchedulePlanRun.objects.create(program=program, week=week, requested_by=director)
            plan_run_execute(run, now=week_start, seconds=SOLVE_SECONDS)
            if run.status == PlanRunStatus.DONE:
                planning.plan_accept(actor=director, run=run, now=week_start)
    _repeat_plans_in_past_weeks(clinic, today)


def _repeat_plans_in_past_weeks(clinic, today: date) -> None:
    """Give the past eight weeks the same bookings as this week's accepted plan (same
    group series on the same weekday, same appointment times), for patients already
    admitted then, so attendance and notes have a history to document."""
    from stepwell.schedule.models import Appointment, BookingSource, Enrollment, SessionOccurrence

    this_week = _weeks(today)[WEEKS_BEHIND]
    for program in clinic.programs.values():
        start, end = week_utc_range(program.timezone, this_week)
        enrollments = Enrollment.objects.filter(
            occurrence__program=program,
            occurrence__starts_at__gte=start,
            occurrence__starts_at__lt=end,
            source=BookingSource.OPTIMIZER,
        ).select_related("occurrence", "patient")
        appointments = Appointment.objects.filter(
            program=program, starts_at__gte=start, starts_at__lt=end, source=BookingSource.OPTIMIZER
        )
        admitted_on = dict(
            Episode.objects.filter(program=program, state__in=["admitted", "active"]).values_list(
                "patient_id", "admitted_on"
            )
        )
        for weeks_back in range(1, WEEKS_BEHIND + 1):
            shift = timedelta(weeks=weeks_back)
            for enrollment in enrollments:
                occurrence = enrollment.occurrence
                earlier = SessionOccurrence.objects.filter(
                    series=occurrence.series_id,
                    starts_at__gte=occurrence.starts_at - shift - timedelta(hours=2),
                    starts_at__lte=occurrence.starts_at - shift + timedelta(hours=2),
                ).first()
                first_day = admitted_on.get(enrollment.patient_id)
                if earlier is None or first_day is None or earlier.starts_at.date() < first_day:
                    continue
                try:
                    services.enrollment_book(
                        actor=None,
                        occurrence_id=earlier.pk,
                        patient_id=enrollment.patient_id,
                        source=BookingSource.OPTIMIZER,
                    )
                except ApplicationError:
                    continue
            for appointment in appointments:
                first_day = admitted_on.get(appointment.patient_id)
                moment = appointment.starts_at - shift
                if first_day is None or moment.date() < first_day:
                    continue
                try:
                    services.appointment_book(
                        actor=None,
                        patient_id=appointment.patient_id,
                        staff_id=appointment.staff_id,
                        program=program,
                        kind=appointment.kind,
                        starts_at=moment,
                        minutes=appointment.minutes,
                        source=BookingSource.OPTIMIZER,
                    )
                except ApplicationError:
                    continue
