"""The facts of an episode the milestone engine decides from, read from the other apps.
Called by the services after their access check; dates are the program's dates."""

from __future__ import annotations

import zoneinfo
from collections import defaultdict
from datetime import date, datetime, time, timedelta

from django.db.models import Q
from django.utils import timezone

from stepwell.care.attendance.states import ATTENDED, AttendanceStatus
from stepwell.care.hours.weekly import patient_weekly_hours
from stepwell.care.models import Attendance
from stepwell.clinic.models import LevelOfCare
from stepwell.measures.instruments import UnknownInstrumentError
from stepwell.measures.models import Administration, AdministrationStatus
from stepwell.measures.selectors import instrument_for
from stepwell.meds.models import DrugTest, TestStatus
from stepwell.meds.testing_rules import TestDay
from stepwell.patients.models import Episode, LevelOfCareChange, LevelOfCareDirection
from stepwell.plans.models import Objective, ObjectiveStatus, PlanStatus
from stepwell.schedule.models import CurriculumModule

from .engine import (
    EpisodeFacts,
    Module,
    ObjectiveMet,
    Rule,
    Score,
    ScoreSeries,
    StepDown,
    WeekFacts,
)

ATTENDED_VALUES = {str(s) for s in ATTENDED}
UNEXCUSED = str(AttendanceStatus.ABSENT_UNEXCUSED)


def _zone(episode: Episode) -> zoneinfo.ZoneInfo:
    return zoneinfo.ZoneInfo(episode.program.timezone)


def _local_day(moment: datetime, zone: zoneinfo.ZoneInfo) -> date:
    return timezone.localtime(moment, zone).date()


def _start_of(day: date, zone: zoneinfo.ZoneInfo) -> datetime:
    return datetime.combine(day, time.min, tzinfo=zone)


def episode_facts(
    episode: Episode, *, today: date, now: datetime, known_codes: frozenset[str] = frozenset()
) -> EpisodeFacts:
    """Everything the engine needs for one admitted episode, up to `today`."""
    if episode.admitted_on is None:
        return EpisodeFacts(today=today)
    return EpisodeFacts(
        today=today,
        weeks=finished_weeks(episode, today=today, now=now, known_codes=known_codes),
        scores=tuple(score_series(_episode_administrations(episode))),
        objectives_met=objectives_met(episode),
        curriculum=curriculum(episode),
        drug_tests=drug_test_days(episode),
        step_downs=step_downs(episode),
    )


def finished_weeks(
    episode: Episode, *, today: date, now: datetime, known_codes: frozenset[str]
) -> tuple[WeekFacts, ...]:
    """Every week from the admission week to the last one before `today`'s week. Weekly
    hours are judged (care's hours rule) only until the first week that met them, and not
    at all once that milestone is recorded."""
    zone = _zone(episode)
    first_monday = episode.admitted_on - timedelta(days=episode.admitted_on.weekday())
    this_monday = today - timedelta(days=today.weekday())
    if first_monday >= this_monday:
        return ()
    rows = Attendance.objects.filter(
        patient_id=episode.patient_id,
        session_starts_at__gte=_start_of(first_monday, zone),
        session_starts_at__lt=_start_of(this_monday, zone),
    ).values_list("status", "session_starts_at")
    attended: dict[date, int] = defaultdict(int)
    unexcused: dict[date, int] = defaultdict(int)
    for status, starts_at in rows:
        day = _local_day(starts_at, zone)
        monday = day - timedelta(days=day.weekday())
        if status in ATTENDED_VALUES:
            attended[monday] += 1
        elif status == UNEXCUSED:
            unexcused[monday] += 1
    judge_hours = Rule.FIRST_WEEK_HOURS_MET not in known_codes
    weeks = []
    monday = first_monday
    while monday < this_monday:
        hours_met = None
        if judge_hours and attended[monday]:
            hours_met = _hours_met(episode, monday, now)
            judge_hours = not hours_met
        weeks.append(WeekFacts(monday, attended[monday], unexcused[monday], hours_met))
        monday += timedelta(days=7)
    return tuple(weeks)


def _hours_met(episode: Episode, monday: date, now: datetime) -> bool | None:
    year, week, _ = monday.isocalendar()
    hours = patient_weekly_hours(
        patient=episode.patient, week=f"{year}-W{week:02d}", now=now, episode=episode
    )
    if hours is None or hours.on_hold:
        return None
    return hours.attended_minutes > 0 and not hours.below_minimum


def _episode_administrations(episode: Episode):
    zone = _zone(episode)
    return Administration.objects.filter(
        Q(episode=episode)
        | Q(episode__isnull=True, completed_at__gte=_start_of(episode.admitted_on, zone)),
        patient_id=episode.patient_id,
    )


def score_series(administrations) -> list[ScoreSeries]:
    """Scored administrations per instrument, oldest first, with each instrument's
    definition (the version of its latest score)."""
    rows = administrations.filter(
        status=AdministrationStatus.COMPLETED, total__isnull=False, completed_at__isnull=False
    ).order_by("completed_at", "pk")
    by_key: dict[str, list[Administration]] = {}
    for row in rows:
        by_key.setdefault(row.instrument_key, []).append(row)
    series = []
    for key, found in by_key.items():
        try:
            instrument = instrument_for(key, found[-1].instrument_version)
        except UnknownInstrumentError:
            continue
        scores = tuple(Score(timezone.localdate(a.completed_at), a.total) for a in found)
        series.append(ScoreSeries(instrument=instrument, scores=scores))
    return series


def objectives_met(episode: Episode) -> tuple[ObjectiveMet, ...]:
    """Objectives of the episode's signed plans marked achieved: on the day the status
    was recorded, or the plan's signing day when it was signed achieved."""
    objectives = (
        Objective.objects.filter(
            goal__problem__plan__episode=episode, goal__problem__plan__status=PlanStatus.SIGNED
        )
        .select_related("goal__problem__plan")
        .prefetch_related("status_updates")
    )
    found = []
    for objective in objectives:
        updates = [
            timezone.localdate(u.recorded_at)
            for u in objective.status_updates.all()
            if u.status == ObjectiveStatus.ACHIEVED
        ]
        plan = objective.goal.problem.plan
        if objective.status == ObjectiveStatus.ACHIEVED and plan.signed_at is not None:
            updates.append(timezone.localdate(plan.signed_at))
        if updates:
            found.append(ObjectiveMet(str(objective.lineage), objective.description, min(updates)))
    return tuple(found)


def curriculum(episode: Episode) -> tuple[Module, ...]:
    """The program's modules, each with the day the patient first attended it."""
    zone = _zone(episode)
    modules = list(CurriculumModule.objects.filter(program_id=episode.program_id))
    attended = Attendance.objects.filter(
        patient_id=episode.patient_id,
        status__in=ATTENDED_VALUES,
        occurrence__curriculum_module__in=modules,
        session_starts_at__gte=_start_of(episode.admitted_on, zone),
    ).values_list("occurrence__curriculum_module_id", "session_starts_at")
    first: dict[int, date] = {}
    for module_id, starts_at in attended:
        day = _local_day(starts_at, zone)
        first[module_id] = min(day, first.get(module_id, day))
    return tuple(Module(m.title, first.get(m.pk)) for m in modules)


def drug_test_days(episode: Episode) -> tuple[TestDay, ...]:
    """The episode's resulted drug tests (its program's Part 2 records)."""
    zone = _zone(episode)
    tests = DrugTest.objects.filter(
        episode=episode, status=TestStatus.RESULTED, collected_at__isnull=False
    ).prefetch_related("results")
    return tuple(
        TestDay(
            collected_on=_local_day(test.collected_at, zone),
            unexpected_positive=any(r.unexpected_positive for r in test.results.all()),
        )
        for test in tests
    )


def step_downs(episode: Episode) -> tuple[StepDown, ...]:
    changes = LevelOfCareChange.objects.filter(
        episode=episode, direction=LevelOfCareDirection.STEPPED_DOWN_TO
    )
    return tuple(
        StepDown(on=c.effective_date, level_label=str(LevelOfCare(c.level_of_care).label))
        for c in changes
    )
