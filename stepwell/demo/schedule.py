"""The demo clinic's program calendar, shaped like a real IOP: each program runs a morning
and an evening track of 3-hour blocks three or four days a week (for example Monday,
Tuesday and Thursday 18:00-21:00: a process group, then skills and psychoeducation), a
family group and an alumni group; holidays are closures; an 8-module
psychoeducation curriculum cycles. Patients without availability from intake get one
(day workers in the evening, students after class, parents in school hours...). There
are occurrences for the last 8 and the next 2 weeks, and optimizer plans accepted for this
week and the next; the past weeks repeat this week's plan. Everything here is invented."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, time, timedelta

from django.db import transaction

from stepwell.accounts.models import Role, User
from stepwell.intake.models import AvailabilityWindow
from stepwell.patients.models import Episode, EpisodeState
from stepwell.schedule.calendar import services as calendar_services
from stepwell.schedule.calendar.weeks import (
    iso_week_of,
    week_utc_range,
)
from stepwell.schedule.models import (
    CurriculumModule,
    Holiday,
    PlanRunStatus,
    Room,
    StaffAvailability,
    StaffSchedulingProfile,
)
from stepwell.schedule.planning import services as planning_services
from stepwell.schedule.planning.tasks import plan_run_execute

from .clinic import DEMO_ACTOR
from .history import repeat_plans_in_past_weeks

WEEKS_BEHIND = 8
WEEKS_AHEAD = 2
# The demo's plans are solved with a work limit (CP-SAT's deterministic time), so the
# same seed gives the same plans however loaded the machine is; the seconds are only a
# safety cap that a healthy machine never reaches.
SOLVE_WORK = 3.0
SOLVE_SECONDS_CAP = 600.0
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
class Track:
    """One track of 3-hour blocks: a 90-minute process group, then 90 minutes of skills
    and psychoeducation (the curriculum), on each of the track's days."""

    name: str
    days: tuple[str, ...]
    start: time
    lead: str
    room: str


@dataclass(frozen=True)
class Timetable:
    tracks: tuple[Track, Track]
    skills: str
    family_day: str
    alumni_day: str

    @property
    def day_lead(self) -> str:
        return self.tracks[0].lead

    @property
    def evening_lead(self) -> str:
        return self.tracks[1].lead


MORNING, EVENING = time(9, 0), time(18, 0)
BLOCK_HALF = 90
TIMETABLES = {
    "mh": Timetable(
        (
            Track("morning", ("MO", "WE", "FR"), MORNING, "therapist", "Group Room A"),
            Track("evening", ("MO", "TU", "TH"), EVENING, "clinician4", "Group Room B"),
        ),
        "DBT skills and psychoeducation",
        "WE",
        "TH",
    ),
    "sud": Timetable(
        (
            Track("morning", ("MO", "TU", "TH"), MORNING, "therapist2", "Group Room 1"),
            Track("evening", ("MO", "TU", "WE", "TH"), EVENING, "director2", "Group Room 2"),
        ),
        "Recovery skills and psychoeducation",
        "FR",
        "WE",
    ),
    "dual": Timetable(
        (
            Track("morning", ("TU", "WE", "FR"), MORNING, "clinician3", "Group Room C"),
            Track("evening", ("MO", "WE", "TH"), EVENING, "counselor1", "Group Room D"),
        ),
        "Integrated skills and psychoeducation",
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
    """Day leads work 08:00-17:00 (to 20:30 on the family and alumni evenings they lead);
    evening leads 12:00-21:30 Monday to Thursday and Friday morning; prescribers split
    days and evenings, so evening patients can see them too."""
    users = clinic.users
    hours: dict[str, list[tuple[int, time, time]]] = {}
    for table in TIMETABLES.values():
        late = {DAY_CODES.index(table.family_day), DAY_CODES.index(table.alumni_day)}
        hours[table.day_lead] = [
            (d, time(8, 0), time(20, 30) if d in late else time(17, 0)) for d in range(5)
        ]
        hours[table.evening_lead] = [(d, time(12, 0), time(21, 30)) for d in range(4)] + [
            (4, time(9, 0), time(15, 0))
        ]
    hours["prescriber"] = [(d, time(8, 0), time(17, 0)) for d in (0, 2, 4)] + [
        (d, time(12, 0), time(20, 30)) for d in (1, 3)
    ]
    hours["np1"] = [(d, time(12, 0), time(20, 30)) for d in range(4)] + [
        (4, time(8, 0), time(16, 0))
    ]
    clinical = User.objects.filter(
        role_assignments__role__in=[Role.CLINICIAN, Role.PRESCRIBER, Role.NURSE]
    ).distinct()
    by_pk = {user.pk: username for username, user in users.items()}
    rows = []
    for user in clinical:
        username = by_pk.get(user.pk, user.username)
        windows = hours.get(username) or [(d, time(8, 0), time(16, 30)) for d in range(5)]
        rows += [StaffAvailability(user=user, weekday=d, start=s, end=e) for d, s, e in windows]
        if user.program_ids_with(Role.PRESCRIBER):
            StaffSchedulingProfile.objects.get_or_create(
                user=user, defaults={"max_individual_minutes": 1500}
            )
    StaffAvailability.objects.bulk_create(rows)


def _timetable(clinic, key: str, program, rooms: dict[str, Room], starts_on: date) -> None:
    table = TIMETABLES[key]
    users = clinic.users
    series = []
    for track in table.tracks:
        label = f"({track.name})"
        second = time(track.start.hour + 1, track.start.minute + 30)
        lead, room = users[track.lead], rooms[track.room]
        series += [
            ("process_group", f"Process group {label}", track.start, track.days, lead, room),
            ("psychoeducation", f"{table.skills} {label}", second, track.days, lead, room),
        ]
    family_room = rooms["Family Room"]
    day = users[table.day_lead]
    series += [
        ("family_group", "Family group", time(18, 0), (table.family_day,), day, family_room),
        ("alumni_group", "Alumni group", time(18, 0), (table.alumni_day,), day, family_room),
    ]
    for kind, title, start, days, lead, room in series:
        calendar_services.series_create(
            actor=DEMO_ACTOR,
            program_id=program.pk,
            kind=kind,
            title=title,
            start_time=start,
            duration_minutes=BLOCK_HALF if kind != "alumni_group" else 60,
            recurrence=f"FREQ=WEEKLY;BYDAY={','.join(days)}",
            starts_on=starts_on,
            facilitators=[lead],
            room=room,
            capacity=room.capacity,
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
            calendar_services.occurrences_generate(
                actor=DEMO_ACTOR, program_id=program.pk, week=week
            )
    director = clinic.users["director"]
    for week in _weeks(today)[WEEKS_BEHIND : WEEKS_BEHIND + 2]:
        for program in clinic.programs.values():
            week_start, _ = week_utc_range(program.timezone, week)
            run = planning_services.plan_run_start(
                actor=director, program_id=program.pk, week=week, enqueue=False
            )
            plan_run_execute(run, now=week_start, seconds=SOLVE_SECONDS_CAP, work=SOLVE_WORK)
            if run.status == PlanRunStatus.DONE:
                planning_services.plan_accept(actor=director, run_id=run.pk, now=week_start)
    repeat_plans_in_past_weeks(clinic, _weeks(today)[0], _weeks(today)[WEEKS_BEHIND])  # history.py
