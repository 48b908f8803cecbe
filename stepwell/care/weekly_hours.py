"""Reads of weekly hours, called after an access check. Weekly minutes come from stored
UTC instants, days from the program's zone (schedule/calendar.py); the hours rule from
the patient's coverage (billing), closures and open days from the program calendar
(schedule/closures.py); the rule itself is the engine in hours.py."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db.models import Q

from stepwell.billing.selectors import RuleSource, hours_rules_for
from stepwell.clinic.models import Program
from stepwell.clinic.time import program_today
from stepwell.patients.models import Episode, EpisodeEvent, EpisodeState, Patient
from stepwell.schedule.calendar import iso_week_bounds, iso_week_of, utc_to_local, week_utc_range
from stepwell.schedule.closures import program_closures, program_open_weekdays
from stepwell.schedule.models import Appointment, OccurrenceStatus, SessionOccurrence

from .attendance_states import AttendanceStatus
from .hours import Block, BlockKind, Closure, WeekContext, WeeklyHours, weekly_hours
from .models import Attendance, EpisodeTransitionWeek

HOURS_EPISODE_STATES = (EpisodeState.ADMITTED, EpisodeState.ACTIVE, EpisodeState.ON_HOLD)


def current_week(program: Program, now: datetime) -> str:
    return iso_week_of(program_today(program, now))


def hours_episode(patient: Patient) -> Episode | None:
    """The episode whose program sets the weekly window: the newest attending one."""
    return (
        Episode.objects.select_related("program")
        .filter(patient=patient, state__in=HOURS_EPISODE_STATES)
        .order_by("-admitted_on", "-created_at")
        .first()
    )


@dataclass(frozen=True)
class ProgramWeek:
    """What every patient's week in a program shares: its bounds, open days, closures."""

    program: Program
    week: str
    monday: date
    open_weekdays: frozenset[int]
    closures: tuple[Closure, ...]

    @classmethod
    def of(cls, program: Program, week: str) -> ProgramWeek:
        monday, sunday = iso_week_bounds(week)
        closures = program_closures(program, monday, sunday)
        return cls(
            program=program,
            week=f"{monday.isocalendar()[0]}-W{monday.isocalendar()[1]:02d}",
            monday=monday,
            open_weekdays=program_open_weekdays(program, monday),
            closures=tuple(Closure(day, name) for day, name in sorted(closures.items())),
        )


def hold_days(episode: Episode, monday: date) -> frozenset[date]:
    """The days of the week the episode was on hold, from its transitions: from the day
    it went on hold until the day it left that state (open-ended while still on hold)."""
    days: set[date] = set()
    events = list(
        EpisodeEvent.objects.filter(episode=episode)
        .order_by("effective_date", "occurred_at", "pk")
        .values_list("to_state", "effective_date")
    )
    week = [monday + timedelta(days=d) for d in range(7)]
    for index, (state, starts) in enumerate(events):
        if state != EpisodeState.ON_HOLD:
            continue
        later = [when for to, when in events[index + 1 :] if to != EpisodeState.ON_HOLD]
        ends = later[0] if later else None
        days.update(d for d in week if d >= starts and (ends is None or d < ends))
    return frozenset(days)


def hours_rule_source(*, patient: Patient, episode: Episode, week: str) -> RuleSource:
    monday, _ = iso_week_bounds(week)
    return hours_rules_for(patient_ids=[patient.pk], program=episode.program, monday=monday)[
        patient.pk
    ]


def patient_weekly_hours(
    *,
    patient: Patient,
    week: str,
    now: datetime,
    episode: Episode | None = None,
    program_week: ProgramWeek | None = None,
    rule_source: RuleSource | None = None,
) -> WeeklyHours | None:
    """Attended minutes, scheduled minutes still to come, the projection and flags,
    against the patient's payer rule, prorated for closures, admission, discharge and
    holds (care/hours.py)."""
    episode = episode or hours_episode(patient)
    if episode is None:
        return None
    program = episode.program
    program_week = program_week or ProgramWeek.of(program, week)
    week = program_week.week
    zone = program.timezone
    start, end = week_utc_range(zone, week)

    def day_of(moment: datetime):
        return utc_to_local(zone, moment).date()

    rows = list(
        Attendance.objects.filter(
            patient=patient, session_starts_at__gte=start, session_starts_at__lt=end
        ).values_list(
            "occurrence_id",
            "appointment_id",
            "appointment__kind",
            "status",
            "minutes_attended",
            "session_starts_at",
        )
    )
    attended = [
        Block(day_of(starts), minutes, BlockKind(kind) if kind else BlockKind.GROUP)
        for _, _, kind, _, minutes, starts in rows
        if minutes
    ]
    taken_occurrences = {
        o for o, _, _, status, _, _ in rows if o and status != AttendanceStatus.EXPECTED
    }
    taken_appointments = {
        a for _, a, _, status, _, _ in rows if a and status != AttendanceStatus.EXPECTED
    }

    def remaining(starts_at: datetime, ends_at: datetime) -> int:
        """A session not yet over and not yet taken counts in full: it may still be."""
        if ends_at <= now:
            return 0
        return int((ends_at - starts_at).total_seconds() // 60)

    scheduled: list[Block] = []
    for occurrence in SessionOccurrence.objects.filter(
        enrollments__patient=patient,
        status=OccurrenceStatus.SCHEDULED,
        starts_at__gte=start,
        starts_at__lt=end,
    ).exclude(pk__in=taken_occurrences):
        minutes = remaining(occurrence.starts_at, occurrence.ends_at)
        if minutes:
            scheduled.append(Block(day_of(occurrence.starts_at), minutes))
    for appointment in Appointment.objects.filter(
        patient=patient,
        status=OccurrenceStatus.SCHEDULED,
        starts_at__gte=start,
        starts_at__lt=end,
    ).exclude(pk__in=taken_appointments):
        minutes = remaining(appointment.starts_at, appointment.ends_at)
        if minutes:
            scheduled.append(
                Block(day_of(appointment.starts_at), minutes, BlockKind(appointment.kind))
            )
    transitioning = EpisodeTransitionWeek.objects.filter(episode=episode, week=week).exists()
    rule_source = (
        rule_source
        or hours_rules_for(patient_ids=[patient.pk], program=program, monday=program_week.monday)[
            patient.pk
        ]
    )
    context = WeekContext(
        monday=program_week.monday,
        open_weekdays=program_week.open_weekdays,
        closures=program_week.closures,
        admitted_on=episode.admitted_on,
        discharged_on=episode.discharged_on,
        hold_days=hold_days(episode, program_week.monday),
    )
    return weekly_hours(
        week=week,
        attended=attended,
        scheduled=scheduled,
        program_min=program.min_weekly_minutes,
        program_max=program.max_weekly_minutes,
        rule=rule_source.rule,
        transitioning=transitioning,
        context=context,
    )


@dataclass(frozen=True)
class ComplianceRow:
    patient: Patient
    episode: Episode
    hours: WeeklyHours
    rule_source: RuleSource


def program_compliance(*, program: Program, week: str, now: datetime) -> list[ComplianceRow]:
    """Every episode of the program that was admitted during the week: admitted on or
    before its Sunday and not discharged before its Monday (so a past week still shows
    who has left since). Episodes on hold are listed, never flagged."""
    program_week = ProgramWeek.of(program, week)
    sunday = program_week.monday + timedelta(days=6)
    attending = Q(state__in=HOURS_EPISODE_STATES) & (
        Q(admitted_on__isnull=True) | Q(admitted_on__lte=sunday)
    )
    left_during = Q(
        state=EpisodeState.DISCHARGED,
        admitted_on__lte=sunday,
        discharged_on__gte=program_week.monday,
    )
    episodes = list(
        Episode.objects.select_related("patient", "program")
        .filter(attending | left_during, program=program)
        .order_by("patient__legal_last_name", "patient__legal_first_name", "pk")
    )
    rules = hours_rules_for(
        patient_ids={e.patient_id for e in episodes}, program=program, monday=program_week.monday
    )
    rows = []
    for episode in episodes:
        hours = patient_weekly_hours(
            patient=episode.patient,
            week=program_week.week,
            now=now,
            episode=episode,
            program_week=program_week,
            rule_source=rules[episode.patient_id],
        )
        if hours is not None:
            rows.append(ComplianceRow(episode.patient, episode, hours, rules[episode.patient_id]))
    return rows
