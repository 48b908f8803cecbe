"""The patients of an exported week (docs/schedule-instance.md): their hours by their payer's
and the program's rule together (care/hours/rules.py `stricter`), what their signed plan
asks of the week, and their availability less bookings outside the plan. Built by
`patients_export` for planning/export.py."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date

from stepwell.billing.selectors import RuleSource, hours_rules_for, program_default_rule
from stepwell.care.hours.rules import Closure, HoursRule, WeekContext, stricter, week_requirement
from stepwell.clinic.models import Program
from stepwell.intake.models import AvailabilityWindow
from stepwell.patients.models import CareTeamRole, Episode, Patient
from stepwell.schedule.calendar.closures import program_open_weekdays
from stepwell.schedule.models import (
    AppointmentKind,
    Holiday,
)
from stepwell.schedule.optimizer.instance import SessionKind
from stepwell.schedule.planning.requirements import PlanRequirements, plan_requirements
from stepwell.schedule.planning.spans import (
    Span,
    Window,
    day_span,
    subtract,
    windows_of,
    without_overlaps,
)
from stepwell.schedule.planning.week import (
    FixedBookings,
    WeekFrame,
)

INDIVIDUAL_MINUTES = 60


MEDICATION_MINUTES = 30


@dataclass(frozen=True)
class AppointmentNeed:
    count: int
    minutes: int
    staff: str | None = None

    def as_dict(self) -> dict:
        row: dict = {"count": self.count, "minutes": self.minutes}
        if self.staff is not None:
            row["staff"] = self.staff
        return row


@dataclass(frozen=True)
class PatientRow:
    id: str
    track: str
    min_minutes: int
    max_minutes: int
    availability: tuple[Window, ...]
    min_days: int | None = None
    min_day_minutes: int | None = None
    min_sessions_by_kind: Mapping[str, int] = field(default_factory=dict)
    individual: AppointmentNeed | None = None
    medication: AppointmentNeed | None = None

    def as_dict(self) -> dict:
        row: dict = {"id": self.id, "track": self.track, "min_minutes": self.min_minutes}
        if self.min_days is not None:
            row["min_days"] = self.min_days
            row["min_day_minutes"] = self.min_day_minutes
        row["max_minutes"] = self.max_minutes
        row["availability"] = [window.as_dict() for window in self.availability]
        if self.min_sessions_by_kind:
            row["min_sessions_by_kind"] = dict(self.min_sessions_by_kind)
        for key, need in (("individual", self.individual), ("medication", self.medication)):
            if need is not None:
                row[key] = need.as_dict()
        return row


@dataclass(frozen=True)
class WeekHours:
    """The weekly minimum still to plan, and the days that must count, for one patient."""

    min_minutes: int
    min_days: int | None = None
    min_day_minutes: int | None = None


@dataclass(frozen=True)
class HoursRules:
    """Each patient's hours rule for the week, planned together with the program's own."""

    program: Program
    context: WeekContext
    program_rule: HoursRule
    by_patient: Mapping[int, RuleSource]

    @classmethod
    def of(cls, program: Program, monday: date, patient_ids, holidays) -> HoursRules:
        names = dict(
            Holiday.objects.filter(program=program, date__in=holidays).values_list("date", "name")
        )
        context = WeekContext(
            monday=monday,
            open_weekdays=program_open_weekdays(program, monday),
            closures=tuple(Closure(day, names.get(day, "")) for day in sorted(holidays)),
        )
        return cls(
            program,
            context,
            program_default_rule(program),
            hours_rules_for(patient_ids=patient_ids, program=program, monday=monday),
        )

    def week_of(self, episode: Episode, booked: int, fixed_days: Mapping[int, int]) -> WeekHours:
        """`min_minutes`, and `min_days` with `min_day_minutes` when the rule counts days."""
        rule = stricter(self.by_patient[episode.patient_id].rule, self.program_rule)
        context = WeekContext(
            monday=self.context.monday,
            open_weekdays=self.context.open_weekdays,
            closures=self.context.closures,
            admitted_on=episode.admitted_on,
        )
        requirement = week_requirement(rule, self.program.min_weekly_minutes, context)
        minimum = max(0, requirement.min_minutes - booked)
        counted = sum(1 for m in fixed_days.values() if m >= rule.day_counts_from_minutes)
        if requirement.min_days - counted > 0:
            return WeekHours(minimum, requirement.min_days - counted, rule.day_counts_from_minutes)
        return WeekHours(minimum)


def default_requirements(team: Mapping) -> PlanRequirements:
    """Without a signed plan: one psychoeducation session, one individual session with the
    primary clinician, and one medication visit when a prescriber is on the care team."""
    prescriber = team.get(CareTeamRole.PRESCRIBER)
    return PlanRequirements(
        individual_count=1,
        individual_staff=team.get(CareTeamRole.PRIMARY_CLINICIAN),
        medication_count=1 if prescriber is not None else 0,
        medication_staff=prescriber,
        sessions_by_kind={SessionKind.PSYCHOEDUCATION.value: 1},
    )


def _care_teams(patient_ids: set[int]) -> dict[int, dict]:
    """Per patient, the first member of each care-team role."""
    team: dict[int, dict] = defaultdict(dict)
    for patient_id, user_id, role in (
        Patient.objects.filter(pk__in=patient_ids)
        .values_list("pk", "care_team__user_id", "care_team__team_role")
        .order_by("care_team__added_at", "care_team__pk")
    ):
        if user_id is not None:
            team[patient_id].setdefault(role, user_id)
    return team


def _availability(patient_ids: set[int]) -> dict[int, list[Span]]:
    weekly: dict[int, list[Span]] = defaultdict(list)
    for window in AvailabilityWindow.objects.filter(patient_id__in=patient_ids):
        weekly[window.patient_id].append(day_span(window.weekday, window.start, window.end))
    return weekly


def _appointment_need(
    count: int, booked: int, minutes: int, staff: int | None, role: str, roles: Mapping[int, str]
) -> AppointmentNeed | None:
    still = count - booked
    if still <= 0:
        return None
    named = f"S{staff}" if staff is not None and roles.get(staff) == role else None
    return AppointmentNeed(count=still, minutes=minutes, staff=named)


def patients_export(
    frame: WeekFrame,
    episodes: list[Episode],
    fixed: FixedBookings,
    staff_roles: Mapping[int, str],
) -> tuple[PatientRow, ...]:
    """Everyone admitted or active: hours by their payer's and the program's rule, what
    their plan asks for this week, availability less bookings outside the plan."""
    planning = frame.planning
    program = planning.program
    patient_ids = {episode.patient_id for episode in episodes}
    team = _care_teams(patient_ids)
    weekly = _availability(patient_ids)
    from_plan = plan_requirements(patient_ids, week_start=planning.monday)
    hours = HoursRules.of(program, planning.monday, patient_ids, frame.holidays)
    rows = []
    seen: set[int] = set()
    for episode in episodes:
        patient_id = episode.patient_id
        if patient_id in seen:
            continue
        seen.add(patient_id)
        free = subtract(
            without_overlaps(weekly[patient_id]), list(frame.closed) + fixed.spans[patient_id]
        )
        booked = fixed.minutes[patient_id]
        kinds = fixed.kinds[patient_id]
        week = hours.week_of(episode, booked, fixed.day_minutes[patient_id])
        wanted = from_plan.get(patient_id) or default_requirements(team[patient_id])
        rows.append(
            PatientRow(
                id=f"P{patient_id}",
                track=program.track,
                min_minutes=week.min_minutes,
                min_days=week.min_days,
                min_day_minutes=week.min_day_minutes,
                max_minutes=max(0, program.max_weekly_minutes - booked),
                availability=windows_of(free),
                min_sessions_by_kind={
                    kind: count - kinds[kind]
                    for kind, count in wanted.sessions_by_kind.items()
                    if count > kinds[kind]
                },
                individual=_appointment_need(
                    wanted.individual_count,
                    kinds[AppointmentKind.INDIVIDUAL],
                    wanted.individual_minutes or INDIVIDUAL_MINUTES,
                    wanted.individual_staff,
                    "therapist",
                    staff_roles,
                ),
                medication=_appointment_need(
                    wanted.medication_count,
                    kinds[AppointmentKind.MEDICATION],
                    wanted.medication_minutes or MEDICATION_MINUTES,
                    wanted.medication_staff,
                    "prescriber",
                    staff_roles,
                ),
            )
        )
    return tuple(rows)
