"""Every patient-week of a report's programs, measured as the program's compliance page
measures it (care/hours/weekly.py `program_compliance`), but gathered for all weeks and
programs at once so the time grows with the number of patient-weeks, not with one
round of queries and engine calls per program and week.

What a week needs, and where it comes from:
- who: the episodes `program_compliance` lists for the week (attending and admitted by
  its Sunday, or discharged during or after it): one query for all weeks;
- attended minutes: summed by the database per patient and week (sessions over by now);
- minutes still to come (only a week under way has any): the scheduled group meetings
  and visits not yet over, at their full length, as weekly.py counts them;
- the rule: the patient's coverage in force that week by priority, else the program's
  own rule (billing/selectors/hours.py), from one query of coverages;
- closures and open weekdays per program and week, days on hold from the episode's
  transitions, step-down weeks: a handful of queries;
- the week's minimum after proration: care/hours/rules.py `week_requirement`, the same
  engine, computed once per distinct week context (most patients share one).
A week is below the minimum when its projected minutes are under the prorated minimum,
unless it is a step-down week or no open day could be attended (rules.py).
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections import defaultdict
from datetime import date, datetime, timedelta
from typing import NamedTuple

from django.db.models import Case, IntegerField, Q, QuerySet, Sum, Value, When

from stepwell.billing.models import Coverage
from stepwell.billing.selectors.hours import by_priority, payer_rule, program_default_rules
from stepwell.care.hours.rules import HoursRule, Requirement, WeekContext, week_requirement
from stepwell.care.hours.weekly import HOURS_EPISODE_STATES, ProgramWeek
from stepwell.care.hours.weekly import _hold_days_from as hold_days_from  # the same rule
from stepwell.care.models import Attendance, EpisodeTransitionWeek
from stepwell.clinic.models import Program
from stepwell.patients.models import Episode, EpisodeEvent, EpisodeState
from stepwell.schedule.calendar.weeks import iso_week_bounds, week_utc_range
from stepwell.schedule.models import Appointment, Enrollment, OccurrenceStatus

from ..scope import ReportScope

NO_COVERAGE = "No coverage on file"


class PatientWeek(NamedTuple):
    week: str
    patient_id: int
    payer_id: int | None
    payer_name: str
    rule: HoursRule
    projected_minutes: int
    requirement: Requirement
    transitioning: bool

    @property
    def on_hold(self) -> bool:
        """Every open day on hold: not measured (WeeklyHours.on_hold)."""
        reasons = [reason for _, reason in self.requirement.lost]
        return bool(reasons) and self.requirement.available_days == 0 and "on_hold" in reasons

    @property
    def below_minimum(self) -> bool:
        """As rules.weekly_hours flags "below_minimum"."""
        requirement = self.requirement
        exempt = self.transitioning or (
            requirement.available_days == 0 and requirement.open_days > 0
        )
        return self.projected_minutes < requirement.min_minutes and not exempt


def _episodes(scope: ReportScope, weeks: list[ProgramWeek]) -> QuerySet[Episode]:
    first_monday = min(week.monday for week in weeks)
    last_sunday = max(week.monday for week in weeks) + timedelta(days=6)
    attending = Q(state__in=HOURS_EPISODE_STATES) & (
        Q(admitted_on__isnull=True) | Q(admitted_on__lte=last_sunday)
    )
    left = Q(
        state=EpisodeState.DISCHARGED,
        admitted_on__lte=last_sunday,
        discharged_on__gte=first_monday,
    )
    return Episode.objects.filter(attending | left, program_id__in=scope.program_ids)


def _weeks_of(row: tuple, mondays: list[date]) -> range:
    """The indexes in `mondays` (consecutive ISO weeks, oldest first) of the weeks that
    program_compliance lists the episode in: attending and admitted by the Sunday, or
    discharged during or after the week having been admitted by its Sunday. Found by
    bisection, not by testing every week: a report runs this once per episode."""
    _, _, _, state, admitted, discharged = row
    last = len(mondays)
    if state == EpisodeState.DISCHARGED:
        if admitted is None or discharged is None:
            return range(0)
        last = bisect_right(mondays, discharged)  # weeks whose Monday is on or before it
    elif state not in HOURS_EPISODE_STATES:
        return range(0)
    elif admitted is None:
        return range(last)
    # The first week whose Sunday is on or after the admission.
    first = bisect_left(mondays, admitted - timedelta(days=6))
    return range(first, max(first, last))


def _week_case(field: str, ranges: dict[str, tuple[datetime, datetime]]) -> Case:
    """The index of the week (in `ranges`' order) a moment falls in, in SQL."""
    return Case(
        *(
            When(**{f"{field}__gte": start, f"{field}__lt": end}, then=Value(n))
            for n, (start, end) in enumerate(ranges.values())
        ),
        default=Value(-1),
        output_field=IntegerField(),
    )


def _attended(patients, ranges, now) -> dict[tuple[int, int], int]:
    """(patient, week index) -> minutes attended at sessions over by now, summed in SQL."""
    start = min(r[0] for r in ranges.values())
    end = max(r[1] for r in ranges.values())
    rows = (
        Attendance.objects.filter(
            patient_id__in=patients,
            session_starts_at__gte=start,
            session_starts_at__lt=end,
            session_ends_at__lte=now,
            minutes_attended__gt=0,
        )
        .annotate(week_index=_week_case("session_starts_at", ranges))
        .values("patient_id", "week_index")
        .annotate(minutes=Sum("minutes_attended"))
        .values_list("patient_id", "week_index", "minutes")
        .order_by()
    )
    return {(patient, index): minutes for patient, index, minutes in rows}


def _still_to_come(patients, ranges, now) -> dict[tuple[int, int], int]:
    """(patient, week index) -> minutes of scheduled sessions not over yet (a session
    under way or to come counts in full, weekly.py). Only weeks not over have any."""
    live = {name: r for name, r in ranges.items() if r[1] > now}
    if not live:
        return {}
    index_of = {name: n for n, name in enumerate(ranges)}
    start = min(r[0] for r in live.values())
    end = max(r[1] for r in live.values())
    found: dict[tuple[int, int], int] = defaultdict(int)
    enrolled = Enrollment.objects.filter(
        patient_id__in=patients,
        occurrence__status=OccurrenceStatus.SCHEDULED,
        occurrence__starts_at__gte=start,
        occurrence__starts_at__lt=end,
        occurrence__ends_at__gt=now,
    ).values_list("patient_id", "occurrence__starts_at", "occurrence__ends_at")
    visits = Appointment.objects.filter(
        patient_id__in=patients,
        status=OccurrenceStatus.SCHEDULED,
        starts_at__gte=start,
        starts_at__lt=end,
        ends_at__gt=now,
    ).values_list("patient_id", "starts_at", "ends_at")
    for patient, starts, ends in [*enrolled, *visits]:
        for name, (week_start, week_end) in live.items():
            if week_start <= starts < week_end:
                found[patient, index_of[name]] += int((ends - starts).total_seconds() // 60)
    return found


def _coverages(patients) -> dict[int, list[Coverage]]:
    found: dict[int, list[Coverage]] = defaultdict(list)
    for coverage in Coverage.objects.filter(patient_id__in=patients).select_related("payer"):
        found[coverage.patient_id].append(coverage)
    return found


def _covering(coverages: list[Coverage], monday: date) -> Coverage | None:
    """The first coverage by priority in force on a day of the week (hours_rules_for)."""
    in_force = [c for c in coverages if any(c.covers(monday + timedelta(days=d)) for d in range(7))]
    ordered = by_priority(in_force)
    return ordered[0] if ordered else None


def _holds(episode_ids) -> dict[int, list[tuple[str, date]]]:
    """Transitions of the episodes that were ever on hold, in order."""
    ever_held = EpisodeEvent.objects.filter(
        episode_id__in=episode_ids, to_state=EpisodeState.ON_HOLD
    ).values("episode_id")
    events: dict[int, list[tuple[str, date]]] = defaultdict(list)
    for episode_id, state, effective in (
        EpisodeEvent.objects.filter(episode_id__in=ever_held)
        .order_by("episode_id", "effective_date", "occurred_at", "pk")
        .values_list("episode_id", "to_state", "effective_date")
    ):
        events[episode_id].append((state, effective))
    return events


def patient_weeks(scope: ReportScope) -> list[PatientWeek]:
    """Every measured or on-hold patient-week of the scope's programs and weeks."""
    programs: dict[int, Program] = {program.pk: program for program in scope.programs}
    if not programs:
        return []
    weeks = ProgramWeek.of_many(
        (program, week) for program in programs.values() for week in scope.weeks
    )
    chosen = _episodes(scope, list(weeks.values()))
    episodes = list(
        chosen.order_by("pk").values_list(
            "pk", "patient_id", "program_id", "state", "admitted_on", "discharged_on"
        )
    )
    patients = chosen.values("patient_id")
    ids = chosen.values("pk")
    ranges_by_zone: dict[str, dict[str, tuple[datetime, datetime]]] = {}
    for zone in scope.by_zone():
        ranges_by_zone[zone] = {week: week_utc_range(zone, week) for week in scope.weeks}
    minutes: dict[str, dict[tuple[int, int], int]] = {}
    for zone, ranges in ranges_by_zone.items():
        attended = _attended(patients, ranges, scope.now)
        for key, value in _still_to_come(patients, ranges, scope.now).items():
            attended[key] = attended.get(key, 0) + value
        minutes[zone] = attended
    coverages = _coverages(patients)
    defaults = program_default_rules(programs.values())
    transitioning = set(
        EpisodeTransitionWeek.objects.filter(episode_id__in=ids, week__in=scope.weeks).values_list(
            "episode_id", "week"
        )
    )
    holds = _holds(ids)
    week_index = {week: n for n, week in enumerate(scope.weeks)}
    mondays = [iso_week_bounds(week)[0] for week in scope.weeks]
    requirements: dict[tuple, Requirement] = {}
    rules: dict[tuple[int | None, int], HoursRule] = {}  # by payer (None: none) and program
    none = frozenset()
    found = []
    for row in episodes:
        episode_id, patient_id, program_id, _, admitted, discharged = row
        program = programs[program_id]
        held = holds.get(episode_id)
        covered = coverages.get(patient_id)
        zone_minutes = minutes[program.timezone]
        for index in _weeks_of(row, mondays):
            week = scope.weeks[index]
            program_week = weeks[program_id, week]
            monday = program_week.monday
            sunday = monday + timedelta(days=6)
            coverage = _covering(covered, monday) if covered else None
            payer_id = coverage.payer_id if coverage else None
            rule = rules.get((payer_id, program_id))
            if rule is None:
                default = defaults[program_id]
                rule = payer_rule(coverage.payer, default) if coverage else default
                rules[payer_id, program_id] = rule
            admitted_key = admitted if admitted and admitted > monday else None
            discharged_key = discharged if discharged and discharged < sunday else None
            hold = hold_days_from(held, monday) if held else none
            # The rule is named by its payer: a rule's own hash walks all its fields.
            key = (program_id, week, payer_id, admitted_key, discharged_key, hold)
            requirement = requirements.get(key)
            if requirement is None:
                context = WeekContext(
                    monday=monday,
                    open_weekdays=program_week.open_weekdays,
                    closures=program_week.closures,
                    admitted_on=admitted_key,
                    discharged_on=discharged_key,
                    hold_days=hold,
                )
                requirement = week_requirement(rule, program.min_weekly_minutes, context)
                requirements[key] = requirement
            found.append(
                PatientWeek(
                    week,
                    patient_id,
                    payer_id,
                    coverage.payer.name if coverage else NO_COVERAGE,
                    rule,
                    zone_minutes.get((patient_id, week_index[week]), 0),
                    requirement,
                    (episode_id, week) in transitioning,
                )
            )
    return found
