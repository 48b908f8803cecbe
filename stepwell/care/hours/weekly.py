"""Reads of weekly hours, called after an access check. Weekly minutes come from stored
UTC instants, days from the program's zone (schedule/calendar/weeks.py); the hours rule from
the patient's coverage (billing), closures and open days from the program calendar
(schedule/calendar/closures.py); the rule itself is the engine in hours.py."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db.models import Q

from stepwell.billing.selectors import RuleSource, hours_rules_for, hours_rules_of
from stepwell.care.attendance.states import AttendanceStatus
from stepwell.care.hours.rules import (
    Block,
    BlockKind,
    Closure,
    WeekContext,
    WeeklyHours,
    weekly_hours,
)
from stepwell.care.models import Attendance, EpisodeTransitionWeek
from stepwell.clinic.models import Program
from stepwell.clinic.time import program_today
from stepwell.core.kept import KeptRows, Many
from stepwell.patients.models import Episode, EpisodeEvent, EpisodeState, Patient
from stepwell.schedule.calendar.closures import programs_closures, programs_open_weekdays
from stepwell.schedule.calendar.weeks import (
    iso_week_bounds,
    iso_week_of,
    utc_to_local,
    week_utc_range,
)
from stepwell.schedule.models import Appointment, Enrollment, OccurrenceStatus

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
        return cls.of_many([(program, week)])[program.pk, week]

    @classmethod
    def of_many(cls, wanted) -> dict[tuple[int, str], ProgramWeek]:
        """The week of each (program, week), by (program id, the week as given), in two
        queries whatever their number: the programs' holidays over the whole span, their
        groups once (a report's thirteen weeks, a caseload's programs)."""
        bounds = {(program.pk, week): (program, *iso_week_bounds(week)) for program, week in wanted}
        if not bounds:
            return {}
        closures = programs_closures(
            {program_id for program_id, _ in bounds},
            min(monday for _, monday, _ in bounds.values()),
            max(sunday for _, _, sunday in bounds.values()),
        )
        open_weekdays = programs_open_weekdays(
            (program.pk, monday) for program, monday, _ in bounds.values()
        )
        return {
            key: cls(
                program=program,
                week=iso_week_of(monday),
                monday=monday,
                open_weekdays=open_weekdays[program.pk, monday],
                closures=tuple(
                    Closure(day, name)
                    for day, name in sorted(closures[program.pk].items())
                    if monday <= day <= sunday
                ),
            )
            for key, (program, monday, sunday) in bounds.items()
        }


def _hold_days_from(events: list[tuple[str, date]], monday: date) -> frozenset[date]:
    """The days of the week on hold, from the episode's transitions in order: from the day
    it went on hold until the day it left that state (open-ended while still on hold)."""
    days: set[date] = set()
    week = [monday + timedelta(days=d) for d in range(7)]
    for index, (state, starts) in enumerate(events):
        if state != EpisodeState.ON_HOLD:
            continue
        later = [when for to, when in events[index + 1 :] if to != EpisodeState.ON_HOLD]
        ends = later[0] if later else None
        days.update(d for d in week if d >= starts and (ends is None or d < ends))
    return frozenset(days)


# The reads of a week's hours, by the page's patients and episodes, kept compiled
# (stepwell/core/kept.py): the ids go in as one list parameter (field__any_of), so a
# page of 50 patients and one of 49 run the same SQL, compiled once per connection
# instead of built and compiled on every caseload and compliance page.
_PATIENTS = Many(Patient._meta.pk)
_EPISODES = Many(Episode._meta.pk)
_TRANSITIONS = KeptRows(
    EpisodeEvent,
    lambda episodes: (
        EpisodeEvent.objects.filter(episode_id__any_of=episodes)
        .order_by("episode_id", "effective_date", "occurred_at", "pk")
        .values_list("episode_id", "to_state", "effective_date")
    ),
    episodes=_EPISODES,
)
_ATTENDED = KeptRows(
    Attendance,
    lambda patients, start, end: (
        Attendance.objects.filter(
            patient_id__any_of=patients, session_starts_at__gte=start, session_starts_at__lt=end
        )
        .order_by("session_starts_at", "pk")
        .values_list(
            "patient_id",
            "occurrence_id",
            "appointment_id",
            "appointment__kind",
            "status",
            "minutes_attended",
            "session_starts_at",
            "session_ends_at",
        )
    ),
    patients=_PATIENTS,
    start=Attendance._meta.get_field("session_starts_at"),
    end=Attendance._meta.get_field("session_starts_at"),
)


def _still_scheduled(model, starts: str, status: str, columns: tuple[str, ...]) -> KeptRows:
    """The patients' rows of ``model`` (group enrollments, appointments) whose session is
    still scheduled and starts (``starts``) in [start, end), by start time."""
    return KeptRows(
        model,
        lambda patients, start, end: (
            model.objects.filter(
                patient_id__any_of=patients,
                **{
                    status: OccurrenceStatus.SCHEDULED,
                    f"{starts}__gte": start,
                    f"{starts}__lt": end,
                },
            )
            .order_by(starts, "pk")
            .values_list(*columns)
        ),
        patients=_PATIENTS,
        # instants, prepared as any aware date and time is (a session's start is one too)
        start=Appointment._meta.get_field("starts_at"),
        end=Appointment._meta.get_field("starts_at"),
    )


_ENROLLED = _still_scheduled(
    Enrollment,
    "occurrence__starts_at",
    "occurrence__status",
    ("patient_id", "occurrence_id", "occurrence__starts_at", "occurrence__ends_at"),
)
_APPOINTED = _still_scheduled(
    Appointment, "starts_at", "status", ("patient_id", "pk", "kind", "starts_at", "ends_at")
)
_TRANSITION_WEEKS = KeptRows(
    EpisodeTransitionWeek,
    lambda episodes, weeks: EpisodeTransitionWeek.objects.filter(
        episode_id__any_of=episodes, week__any_of=weeks
    ).values_list("episode_id", "week"),
    episodes=_EPISODES,
    weeks=Many(EpisodeTransitionWeek._meta.get_field("week")),
)


def _transitions_of(episode_ids) -> dict[int, list[tuple[str, date]]]:
    events: dict[int, list[tuple[str, date]]] = defaultdict(list)
    for episode_id, state, effective in _TRANSITIONS.rows(episodes=list(episode_ids)):
        events[episode_id].append((state, effective))
    return events


def hold_days(episode: Episode, monday: date) -> frozenset[date]:
    """The days of the week the episode was on hold."""
    return _hold_days_from(_transitions_of([episode.pk])[episode.pk], monday)


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
    holds (care/hours/rules.py)."""
    episode = episode or hours_episode(patient)
    if episode is None:
        return None
    program_week = program_week or ProgramWeek.of(episode.program, week)
    rules = {patient.pk: rule_source} if rule_source is not None else None
    return weekly_hours_of(episodes=[episode], program_week=program_week, now=now, rules=rules)[
        episode.pk
    ]


def weekly_hours_of(
    *,
    episodes: list[Episode],
    program_week: ProgramWeek,
    now: datetime,
    rules: dict[int, RuleSource] | None = None,
) -> dict[int, WeeklyHours]:
    """The week of each episode's patient (by episode id), for episodes of the program of
    `program_week`, in a fixed number of queries whatever the number of patients."""
    program_id = program_week.program.pk
    return programs_weekly_hours(
        episodes=episodes,
        weeks={program_id: program_week},
        now=now,
        rules={(pid, program_id): source for pid, source in (rules or {}).items()},
    )


def programs_weekly_hours(
    *,
    episodes: list[Episode],
    weeks: dict[int, ProgramWeek],
    now: datetime,
    rules: dict[tuple[int, int], RuleSource] | None = None,
) -> dict[int, WeeklyHours]:
    """weekly_hours_of for episodes of several programs, each measured in its program's
    week (`weeks`, by program id): by episode id, in a fixed number of queries whatever
    the number of patients and programs. `rules` may give some by (patient, program)."""
    if not episodes:
        return {}
    ranges = {
        program_id: week_utc_range(week.program.timezone, week.week)
        for program_id, week in weeks.items()
    }
    start = min(first for first, _ in ranges.values())
    end = max(last for _, last in ranges.values())
    patient_ids = sorted({e.patient_id for e in episodes})
    # The programs each patient is measured in: a row counts in a program's week when its
    # moment falls in that week (programs in other time zones have other bounds).
    programs_of: dict[int, set[int]] = defaultdict(set)
    for episode in episodes:
        programs_of[episode.patient_id].add(episode.program_id)

    def weeks_holding(patient_id: int, moment: datetime):
        for program_id in programs_of[patient_id]:
            first, last = ranges[program_id]
            if first <= moment < last:
                yield program_id, utc_to_local(weeks[program_id].program.timezone, moment).date()

    def remaining(starts_at: datetime, ends_at: datetime) -> int:
        """A session not yet over and not yet taken counts in full: it may still be."""
        if ends_at <= now:
            return 0
        return int((ends_at - starts_at).total_seconds() // 60)

    attended: dict[tuple[int, int], list[Block]] = defaultdict(list)
    taken: set[tuple[int, str, int]] = set()
    for (
        patient_id,
        occurrence_id,
        appointment_id,
        kind,
        status,
        minutes,
        starts,
        ends,
    ) in _ATTENDED.rows(patients=patient_ids, start=start, end=end):
        if ends > now:
            # Not over yet: nothing attended counts before the session has ended; it
            # counts as scheduled below, as a session not yet taken (clinical-sources §4).
            continue
        if minutes:
            block_kind = BlockKind(kind) if kind else BlockKind.GROUP
            for program_id, day in weeks_holding(patient_id, starts):
                attended[patient_id, program_id].append(Block(day, minutes, block_kind))
        if status != AttendanceStatus.EXPECTED:
            if occurrence_id:
                taken.add((patient_id, "occurrence", occurrence_id))
            if appointment_id:
                taken.add((patient_id, "appointment", appointment_id))
    scheduled: dict[tuple[int, int], list[Block]] = defaultdict(list)
    for patient_id, occurrence_id, starts_at, ends_at in _ENROLLED.rows(
        patients=patient_ids, start=start, end=end
    ):
        minutes = remaining(starts_at, ends_at)
        if minutes and (patient_id, "occurrence", occurrence_id) not in taken:
            for program_id, day in weeks_holding(patient_id, starts_at):
                scheduled[patient_id, program_id].append(Block(day, minutes))
    for patient_id, appointment_id, kind, starts_at, ends_at in _APPOINTED.rows(
        patients=patient_ids, start=start, end=end
    ):
        minutes = remaining(starts_at, ends_at)
        if minutes and (patient_id, "appointment", appointment_id) not in taken:
            for program_id, day in weeks_holding(patient_id, starts_at):
                scheduled[patient_id, program_id].append(Block(day, minutes, BlockKind(kind)))
    episode_ids = [e.pk for e in episodes]
    transitioning = set(
        _TRANSITION_WEEKS.rows(
            episodes=episode_ids, weeks=sorted({week.week for week in weeks.values()})
        )
    )
    transitions = _transitions_of(episode_ids)
    rules = dict(rules or {})
    missing = [
        (e.patient_id, weeks[e.program_id].program, weeks[e.program_id].monday)
        for e in episodes
        if (e.patient_id, e.program_id) not in rules
    ]
    if missing:
        rules.update(hours_rules_of(missing))
    result = {}
    for episode in episodes:
        program_week = weeks[episode.program_id]
        program = program_week.program
        key = (episode.patient_id, episode.program_id)
        context = WeekContext(
            monday=program_week.monday,
            open_weekdays=program_week.open_weekdays,
            closures=program_week.closures,
            admitted_on=episode.admitted_on,
            discharged_on=episode.discharged_on,
            hold_days=_hold_days_from(transitions[episode.pk], program_week.monday),
        )
        result[episode.pk] = weekly_hours(
            week=program_week.week,
            attended=attended[key],
            scheduled=scheduled[key],
            program_min=program.min_weekly_minutes,
            program_max=program.max_weekly_minutes,
            rule=rules[key].rule,
            transitioning=(episode.pk, program_week.week) in transitioning,
            context=context,
        )
    return result


def hours_episodes(patient_ids) -> dict[int, Episode]:
    """For each patient, the episode whose program sets the weekly window (hours_episode)."""
    chosen: dict[int, Episode] = {}
    for episode in (
        Episode.objects.select_related("program", "patient")
        .filter(patient_id__in=patient_ids, state__in=HOURS_EPISODE_STATES)
        .order_by("patient_id", "-admitted_on", "-created_at")
    ):
        chosen.setdefault(episode.patient_id, episode)
    return chosen


def current_week_hours(*, patient_ids, now: datetime) -> dict[int, WeeklyHours]:
    """This week's hours of each patient with an attending episode, by patient id, each in
    its program's current week: a fixed number of queries whatever the number of patients
    and programs."""
    chosen = hours_episodes(patient_ids)
    current = {
        episode.program_id: (episode.program, current_week(episode.program, now))
        for episode in chosen.values()
    }
    found = ProgramWeek.of_many(current.values())
    weeks = {program_id: found[program_id, week] for program_id, (_, week) in current.items()}
    hours = programs_weekly_hours(episodes=list(chosen.values()), weeks=weeks, now=now)
    return {episode.patient_id: hours[episode.pk] for episode in chosen.values()}


@dataclass(frozen=True)
class ComplianceRow:
    patient: Patient
    episode: Episode
    hours: WeeklyHours
    rule_source: RuleSource


def compliance_episodes(program_week: ProgramWeek):
    """Every episode of the program that was admitted during the week: admitted on or
    before its Sunday and not discharged before its Monday (so a past week still shows
    who has left since), by name; a queryset, so a page counts and slices it in SQL."""
    sunday = program_week.monday + timedelta(days=6)
    attending = Q(state__in=HOURS_EPISODE_STATES) & (
        Q(admitted_on__isnull=True) | Q(admitted_on__lte=sunday)
    )
    left_during = Q(
        state=EpisodeState.DISCHARGED,
        admitted_on__lte=sunday,
        discharged_on__gte=program_week.monday,
    )
    return (
        Episode.objects.select_related("patient", "program")
        .filter(attending | left_during, program=program_week.program)
        .order_by("patient__legal_last_name", "patient__legal_first_name", "pk")
    )


def compliance_rows(
    *, episodes: list[Episode], program_week: ProgramWeek, now: datetime
) -> list[ComplianceRow]:
    """The week of each listed episode against its patient's rule, in a fixed number of
    queries: a page computes only the rows it shows."""
    rules = hours_rules_for(
        patient_ids={e.patient_id for e in episodes},
        program=program_week.program,
        monday=program_week.monday,
    )
    hours = weekly_hours_of(episodes=episodes, program_week=program_week, now=now, rules=rules)
    return [
        ComplianceRow(episode.patient, episode, hours[episode.pk], rules[episode.patient_id])
        for episode in episodes
    ]


def program_compliance(*, program: Program, week: str, now: datetime) -> list[ComplianceRow]:
    """Every episode of the program in treatment during the week (compliance_episodes),
    each against its rule. Episodes on hold are listed, never flagged."""
    program_week = ProgramWeek.of(program, week)
    episodes = list(compliance_episodes(program_week))
    return compliance_rows(episodes=episodes, program_week=program_week, now=now)
