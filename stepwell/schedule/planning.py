"""From the calendar to the optimizer and back: export a program week in the file format of
docs/schedule-instance.md, start the search from the week's current bookings,
compare a plan with them, and accept a plan in one transaction.

What the export says about a program week (ids: "O<occurrence>", "P<patient>",
"S<user>", "R<room>", "V<occurrence>" for a telehealth session without a room):
- sessions: the week's scheduled group occurrences that have not started yet, with the
  seats left after the bookings the optimizer does not own (manual bookings), except
  alumni groups (alumni are not patients of the episode being planned);
- staff: the program's clinicians (`therapist`), prescribers (`prescriber`) and nurses
  (`nurse`), with their weekly availability minus leave, program holidays, the time
  already past, and whatever they are booked for outside this plan (other programs,
  manual appointments); their individual minutes minus those appointments;
- patients: everyone admitted or active in the program. Their week is planned to their
  payer's hours rule and the program's own rule together, each number at its stricter
  (care/hours.py `stricter`; docs/clinical-sources.md §1.2, §2): the weekly minimum
  (the payer's, else the program's window, ASAM level 2.1: 9-19 h adults, 6-19 h
  adolescents), `min_days` and, for those days, `min_day_minutes` (a day counts from
  the rule's `day_counts_from_minutes`), prorated for holidays and the admission week
  like the hours page (`week_requirement`), less what bookings outside the plan already
  give (their minutes, and their days that count on their own); the weekly maximum is
  the program's less the minutes already booked outside the plan; what
  the week must hold comes from the latest signed treatment plan's interventions
  (requirements.py: individual therapy and medication management with the responsible
  staff member and the plan's minutes, psychoeducation / group / family sessions, each as
  often a week as the plan says, while the intervention's weeks last), or, without a signed plan, at least one psychoeducation session, one
  60-minute individual session with the primary clinician (any therapist when they have
  none) and, when a prescriber is on the care team, one 30-minute medication visit with
  them; availability from intake (AvailabilityWindow) minus their bookings outside the
  plan.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.db import transaction
from django.utils import timezone

from stepwell.accounts.models import Role, User, UserKind
from stepwell.billing.selectors import RuleSource, hours_rules_for, program_default_rule
from stepwell.care.hours import Closure, HoursRule, WeekContext, stricter, week_requirement
from stepwell.clinic.models import Program, Track
from stepwell.core.errors import AccessDenied, ApplicationError
from stepwell.patients.models import CareTeamRole, Episode, Patient
from stepwell.privacy.access.schedule import (
    ScheduleNeed,
    access_plan_run_by_id,
    access_program_schedule_by_id,
)
from stepwell.privacy.audit import AuditAction, audit_record

from stepwell.schedule import services
from stepwell.schedule.calendar import iso_week_bounds, local_to_utc, utc_to_local, week_utc_range
from stepwell.schedule.closures import program_open_weekdays
from stepwell.schedule.instance import DAYS, MINUTES_PER_DAY, AppointmentType, SessionKind, week_minute
from stepwell.schedule.models import (
    Appointment,
    AppointmentKind,
    BookingSource,
    Enrollment,
    Holiday,
    OccurrenceStatus,
    PlanRunMode,
    PlanRunStatus,
    SchedulePlanRun,
    SessionOccurrence,
    StaffAvailability,
    StaffLeave,
    StaffSchedulingProfile,
)
from stepwell.schedule.plan import PatientSchedule, PlannedAppointment, schedules_from_plan_dict
from stepwell.schedule.requirements import PlanRequirements, plan_requirements

SLOT_MINUTES = services.SLOT_MINUTES
INDIVIDUAL_MINUTES = 60
MEDICATION_MINUTES = 30
WEEK_MINUTES = 7 * MINUTES_PER_DAY
EXPORTED_KINDS = {kind.value for kind in SessionKind}
Span = tuple[int, int]


# -- week minutes ----------------------------------------------------------------------


def week_minute_of(zone: str, monday: date, moment: datetime) -> int:
    """Minutes since the local Monday 00:00 by the wall clock (so DST weeks read right)."""
    local = utc_to_local(zone, moment)
    return (local.date() - monday).days * MINUTES_PER_DAY + local.hour * 60 + local.minute


def _clock_minutes(clock: time) -> int:
    return clock.hour * 60 + clock.minute


def _day_span(weekday: int, start: time, end: time) -> Span:
    end_minutes = _clock_minutes(end)
    if end >= time(23, 59):
        end_minutes = MINUTES_PER_DAY
    return weekday * MINUTES_PER_DAY + _clock_minutes(
        start
    ), weekday * MINUTES_PER_DAY + end_minutes


def _subtract(windows: list[Span], busy: list[Span]) -> list[Span]:
    """The parts of `windows` outside every `busy` span."""
    free = sorted(windows)
    for busy_start, busy_end in busy:
        remaining = []
        for start, end in free:
            if busy_end <= start or end <= busy_start:
                remaining.append((start, end))
                continue
            if start < busy_start:
                remaining.append((start, busy_start))
            if busy_end < end:
                remaining.append((busy_end, end))
        free = remaining
    return sorted(free)


def _without_overlaps(windows: list[Span]) -> list[Span]:
    """Overlapping windows of one person merged (the file format refuses overlaps)."""
    merged: list[Span] = []
    for start, end in sorted(windows):
        if merged and start < merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def _clock_text(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def _window_dicts(windows: list[Span]) -> list[dict]:
    rows = []
    for start, end in windows:
        day = start // MINUTES_PER_DAY
        offset = day * MINUTES_PER_DAY
        rows.append(
            {
                "day": DAYS[day],
                "start": _clock_text(start - offset),
                "end": _clock_text(end - offset),
            }
        )
    return rows


def _closed_days(days: set[date], monday: date) -> list[Span]:
    spans = []
    for day in days:
        index = (day - monday).days
        if 0 <= index < 7:
            spans.append((index * MINUTES_PER_DAY, (index + 1) * MINUTES_PER_DAY))
    return spans


# -- what the optimizer owns ---------------------------------------------------------------


@dataclass(frozen=True)
class PlanningWeek:
    """A program week as the planning sees it: bounds, and the moment before which
    nothing is planned (now, inside the current week)."""

    program: Program
    week: str
    monday: date
    starts_at: datetime
    ends_at: datetime
    cutoff: datetime

    @classmethod
    def of(cls, program: Program, week: str, now: datetime | None = None) -> PlanningWeek:
        monday, _ = iso_week_bounds(week)
        starts_at, ends_at = week_utc_range(program.timezone, week)
        moment = now or timezone.now()
        cutoff = min(max(starts_at, moment), ends_at)
        return cls(program, week.upper(), monday, starts_at, ends_at, cutoff)

    @property
    def cutoff_minute(self) -> int:
        if self.cutoff <= self.starts_at:
            return 0
        if self.cutoff >= self.ends_at:
            return WEEK_MINUTES
        return week_minute_of(self.program.timezone, self.monday, self.cutoff)

    def minute(self, moment: datetime) -> int:
        return week_minute_of(self.program.timezone, self.monday, moment)

    def span(self, starts_at: datetime, ends_at: datetime) -> Span:
        return self.minute(starts_at), self.minute(ends_at)

    def moment(self, day: str, clock: str) -> datetime:
        hours, minutes = (int(part) for part in clock.split(":"))
        local_day = self.monday + timedelta(days=DAYS.index(day))
        return local_to_utc(self.program.timezone, local_day, time(hours, minutes))


def replaceable_enrollments(planning: PlanningWeek):
    """The optimizer's own future group bookings of the week: an accepted plan replaces them."""
    return Enrollment.objects.filter(
        source=BookingSource.OPTIMIZER,
        occurrence__program=planning.program,
        occurrence__starts_at__gte=planning.cutoff,
        occurrence__starts_at__lt=planning.ends_at,
    )


def replaceable_appointments(planning: PlanningWeek):
    return Appointment.objects.filter(
        source=BookingSource.OPTIMIZER,
        program=planning.program,
        starts_at__gte=planning.cutoff,
        starts_at__lt=planning.ends_at,
    )


def _staff_role(user: User, program: Program) -> str | None:
    """What the staff member is in this program's plan: roles are held per program."""
    if user.has_role_in(program.pk, Role.PRESCRIBER):
        return "prescriber"
    if user.has_role_in(program.pk, Role.CLINICIAN):
        return "therapist"
    if user.has_role_in(program.pk, Role.NURSE):
        return "nurse"
    return None


@dataclass
class _Fixed:
    """Bookings the plan keeps, per person: their spans and, in this program, minutes."""

    spans: dict[int, list[Span]] = field(default_factory=lambda: defaultdict(list))
    minutes: dict[int, int] = field(default_factory=lambda: defaultdict(int))
    day_minutes: dict[int, dict[int, int]] = field(
        default_factory=lambda: defaultdict(lambda: defaultdict(int))
    )
    kinds: dict[int, dict[str, int]] = field(
        default_factory=lambda: defaultdict(lambda: defaultdict(int))
    )


# -- export --------------------------------------------------------------------------------


def schedule_instance_export(*, program: Program, week: str, now: datetime | None = None) -> dict:
    """The program week in the optimizer's input format (see the module docstring).

    Reads only; generate the week's occurrences first (`services.occurrences_generate`).
    """
    planning = PlanningWeek.of(program, week, now)
    zone = program.timezone
    cutoff = planning.cutoff_minute
    past = [(0, cutoff)] if cutoff else []
    holidays = set(
        Holiday.objects.filter(
            program=program, date__gte=planning.monday, date__lte=planning.monday + timedelta(6)
        ).values_list("date", flat=True)
    )
    closed = _closed_days(holidays, planning.monday)
    own_enrollments = set(replaceable_enrollments(planning).values_list("pk", flat=True))
    own_appointments = set(replaceable_appointments(planning).values_list("pk", flat=True))

    occurrences = list(
        SessionOccurrence.objects.filter(
            program=program,
            status=OccurrenceStatus.SCHEDULED,
            starts_at__gte=planning.cutoff,
            starts_at__lt=planning.ends_at,
            kind__in=EXPORTED_KINDS,
        )
        .select_related("room")
        .prefetch_related("facilitators")
        .order_by("starts_at", "pk")
    )
    exported_occurrences = {o.pk for o in occurrences}

    staff_users = [
        user
        for user in User.objects.filter(
            program_memberships__program=program, kind=UserKind.STAFF, is_active=True
        )
        .distinct()
        .order_by("pk")
        if _staff_role(user, program)
    ]
    staff_ids = [user.pk for user in staff_users]
    staff_busy: dict[int, list[Span]] = defaultdict(list)
    staff_booked_minutes: dict[int, int] = defaultdict(int)
    for appointment in Appointment.objects.filter(
        staff_id__in=staff_ids,
        status=OccurrenceStatus.SCHEDULED,
        starts_at__lt=planning.ends_at,
        ends_at__gt=planning.starts_at,
    ).exclude(pk__in=own_appointments):
        staff_busy[appointment.staff_id].append(
            planning.span(appointment.starts_at, appointment.ends_at)
        )
        staff_booked_minutes[appointment.staff_id] += appointment.minutes
    for occurrence in (
        SessionOccurrence.objects.filter(
            facilitators__in=staff_ids,
            status=OccurrenceStatus.SCHEDULED,
            starts_at__lt=planning.ends_at,
            ends_at__gt=planning.starts_at,
        )
        .exclude(pk__in=exported_occurrences)
        .prefetch_related("facilitators")
        .distinct()
    ):
        span = planning.span(occurrence.starts_at, occurrence.ends_at)
        for facilitator in occurrence.facilitators.all():
            staff_busy[facilitator.pk].append(span)
    leave: dict[int, set[date]] = defaultdict(set)
    for away in StaffLeave.objects.filter(
        user_id__in=staff_ids,
        starts_on__lte=planning.monday + timedelta(6),
        ends_on__gte=planning.monday,
    ):
        day = max(away.starts_on, planning.monday)
        while day <= min(away.ends_on, planning.monday + timedelta(6)):
            leave[away.user_id].add(day)
            day += timedelta(days=1)
    limits = dict(
        StaffSchedulingProfile.objects.filter(user_id__in=staff_ids).values_list(
            "user_id", "max_individual_minutes"
        )
    )
    windows_of: dict[int, list[Span]] = defaultdict(list)
    for window in StaffAvailability.objects.filter(user_id__in=staff_ids):
        windows_of[window.user_id].append(_day_span(window.weekday, window.start, window.end))

    staff_rows = []
    staff_windows: dict[int, list[Span]] = {}
    staff_role: dict[int, str] = {}
    for user in staff_users:
        busy = past + closed + _closed_days(leave[user.pk], planning.monday) + staff_busy[user.pk]
        windows = _subtract(_without_overlaps(windows_of[user.pk]), busy)
        staff_windows[user.pk] = windows
        staff_role[user.pk] = _staff_role(user, program)
        staff_rows.append(
            {
                "id": f"S{user.pk}",
                "role": staff_role[user.pk],
                "max_individual_minutes": max(
                    0, limits.get(user.pk, 1200) - staff_booked_minutes[user.pk]
                ),
                "availability": _window_dicts(windows),
            }
        )

    fixed_enrollments = (
        Enrollment.objects.filter(
            occurrence__starts_at__lt=planning.ends_at,
            occurrence__ends_at__gt=planning.starts_at,
            occurrence__status=OccurrenceStatus.SCHEDULED,
        )
        .exclude(pk__in=own_enrollments)
        .select_related("occurrence")
    )
    seats_taken: dict[int, int] = defaultdict(int)
    fixed = _Fixed()
    episodes = list(
        Episode.objects.filter(program=program, state__in=services.SCHEDULABLE_STATES)
        .select_related("patient")
        .order_by("patient_id")
    )
    patient_ids = {episode.patient_id for episode in episodes}
    for enrollment in fixed_enrollments:
        occurrence = enrollment.occurrence
        if occurrence.program_id == program.pk:
            seats_taken[occurrence.pk] += 1
        if enrollment.patient_id not in patient_ids:
            continue
        fixed.spans[enrollment.patient_id].append(
            planning.span(occurrence.starts_at, occurrence.ends_at)
        )
        if occurrence.program_id == program.pk:
            fixed.minutes[enrollment.patient_id] += occurrence.minutes
            fixed.kinds[enrollment.patient_id][occurrence.kind] += 1
            day = planning.minute(occurrence.starts_at) // MINUTES_PER_DAY
            fixed.day_minutes[enrollment.patient_id][day] += occurrence.minutes
    for appointment in Appointment.objects.filter(
        patient_id__in=patient_ids,
        status=OccurrenceStatus.SCHEDULED,
        starts_at__lt=planning.ends_at,
        ends_at__gt=planning.starts_at,
    ).exclude(pk__in=own_appointments):
        fixed.spans[appointment.patient_id].append(
            planning.span(appointment.starts_at, appointment.ends_at)
        )
        if appointment.program_id == program.pk:
            fixed.minutes[appointment.patient_id] += appointment.minutes
            fixed.kinds[appointment.patient_id][appointment.kind] += 1
            day = planning.minute(appointment.starts_at) // MINUTES_PER_DAY
            fixed.day_minutes[appointment.patient_id][day] += appointment.minutes

    rooms: dict[str, int] = {}
    session_rows = []
    for occurrence in occurrences:
        seats = occurrence.capacity - seats_taken[occurrence.pk]
        start, end = planning.span(occurrence.starts_at, occurrence.ends_at)
        if seats < 1 or start // MINUTES_PER_DAY != (end - 1) // MINUTES_PER_DAY:
            continue
        if occurrence.room_id:
            room_id = f"R{occurrence.room_id}"
            rooms[room_id] = occurrence.room.capacity
        else:
            room_id = f"V{occurrence.pk}"
            rooms[room_id] = occurrence.capacity
        leaders = [
            f"S{user.pk}"
            for user in sorted(occurrence.facilitators.all(), key=lambda u: u.pk)
            if user.pk in staff_windows
            and any(s <= start and end <= e for s, e in staff_windows[user.pk])
        ]
        day = start // MINUTES_PER_DAY
        session_rows.append(
            {
                "id": f"O{occurrence.pk}",
                "kind": occurrence.kind,
                "title": occurrence.title,
                "track": occurrence.track,
                "day": DAYS[day],
                "start": _clock_text(start - day * MINUTES_PER_DAY),
                "end": _clock_text(end - day * MINUTES_PER_DAY),
                "capacity": seats,
                "staff": leaders,
                "room": room_id,
            }
        )

    team = defaultdict(dict)
    for patient_id, user_id, role in (
        Patient.objects.filter(pk__in=patient_ids)
        .values_list("pk", "care_team__user_id", "care_team__team_role")
        .order_by("care_team__added_at", "care_team__pk")
    ):
        if user_id is not None:
            team[patient_id].setdefault(role, user_id)
    windows_by_patient: dict[int, list[Span]] = defaultdict(list)
    from stepwell.intake.models import AvailabilityWindow

    for window in AvailabilityWindow.objects.filter(patient_id__in=patient_ids):
        windows_by_patient[window.patient_id].append(
            _day_span(window.weekday, window.start, window.end)
        )

    from_plan = plan_requirements(patient_ids, week_start=planning.monday)
    hours = _HoursRules.of(program, planning.monday, patient_ids, holidays)
    patient_rows = []
    seen: set[int] = set()
    for episode in episodes:
        patient_id = episode.patient_id
        if patient_id in seen:
            continue
        seen.add(patient_id)
        busy = past + closed + fixed.spans[patient_id]
        windows = _subtract(_without_overlaps(windows_by_patient[patient_id]), busy)
        booked = fixed.minutes[patient_id]
        kinds = fixed.kinds[patient_id]
        row: dict = {
            "id": f"P{patient_id}",
            "track": program.track,
            **hours.week_of(episode, booked, fixed.day_minutes[patient_id]),
            "max_minutes": max(0, program.max_weekly_minutes - booked),
            "availability": _window_dicts(windows),
        }
        wanted = from_plan.get(patient_id)
        if wanted is None:
            wanted = _default_requirements(team[patient_id])
        sessions = {
            kind: count - kinds[kind]
            for kind, count in wanted.sessions_by_kind.items()
            if count > kinds[kind]
        }
        if sessions:
            row["min_sessions_by_kind"] = sessions
        for key, count, staff, role, minutes in (
            (
                "individual",
                wanted.individual_count,
                wanted.individual_staff,
                "therapist",
                wanted.individual_minutes or INDIVIDUAL_MINUTES,
            ),
            (
                "medication",
                wanted.medication_count,
                wanted.medication_staff,
                "prescriber",
                wanted.medication_minutes or MEDICATION_MINUTES,
            ),
        ):
            still = (
                count
                - kinds[
                    AppointmentKind.INDIVIDUAL
                    if key == "individual"
                    else AppointmentKind.MEDICATION
                ]
            )
            if still > 0:
                row[key] = {"count": still, "minutes": minutes}
                if staff is not None and staff_role.get(staff) == role:
                    row[key]["staff"] = f"S{staff}"
        patient_rows.append(row)

    return {
        "program": {
            "name": program.name,
            "timezone": zone,
            "min_minutes": program.min_weekly_minutes,
            "max_minutes": program.max_weekly_minutes,
            "slot_minutes": SLOT_MINUTES,
            "population": "adolescent" if program.track == Track.ADOLESCENT else "adult",
        },
        "rooms": [{"id": room_id, "capacity": rooms[room_id]} for room_id in sorted(rooms)],
        "staff": staff_rows,
        "sessions": session_rows,
        "patients": patient_rows,
    }


@dataclass(frozen=True)
class _HoursRules:
    """Each patient's hours rule for the week, planned together with the program's own."""

    program: Program
    context: WeekContext
    program_rule: HoursRule
    by_patient: dict[int, RuleSource]

    @classmethod
    def of(cls, program: Program, monday: date, patient_ids, holidays) -> _HoursRules:
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

    def week_of(self, episode: Episode, booked: int, fixed_days: Mapping[int, int]) -> dict:
        """`min_minutes`, and `min_days` with `min_day_minutes` when the rule counts days."""
        rule = stricter(self.by_patient[episode.patient_id].rule, self.program_rule)
        context = WeekContext(
            monday=self.context.monday,
            open_weekdays=self.context.open_weekdays,
            closures=self.context.closures,
            admitted_on=episode.admitted_on,
        )
        requirement = week_requirement(rule, self.program.min_weekly_minutes, context)
        fields = {"min_minutes": max(0, requirement.min_minutes - booked)}
        counted = sum(1 for m in fixed_days.values() if m >= rule.day_counts_from_minutes)
        if requirement.min_days - counted > 0:
            fields["min_days"] = requirement.min_days - counted
            fields["min_day_minutes"] = rule.day_counts_from_minutes
        return fields


def _default_requirements(team: dict) -> PlanRequirements:
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


# -- the week as it stands ---------------------------------------------------------------


def _schedules_of(planning: PlanningWeek, enrollments, appointments, session_id) -> dict:
    sessions: dict[str, list[str]] = defaultdict(list)
    planned: dict[str, list[PlannedAppointment]] = defaultdict(list)
    for enrollment in enrollments:
        mapped = session_id(enrollment.occurrence)
        if mapped is not None:
            sessions[f"P{enrollment.patient_id}"].append(mapped)
    for appointment in appointments:
        start, end = planning.span(appointment.starts_at, appointment.ends_at)
        planned[f"P{appointment.patient_id}"].append(
            PlannedAppointment(
                AppointmentType(appointment.kind), f"S{appointment.staff_id}", start, end
            )
        )
    return {
        patient: PatientSchedule(tuple(sorted(sessions[patient])), tuple(planned[patient]))
        for patient in sorted(set(sessions) | set(planned))
    }


def current_schedules(
    *, program: Program, week: str, now: datetime | None = None
) -> tuple[dict[str, PatientSchedule], str]:
    """What the optimizer would replace this week, else last week's plan carried over.

    Returns (schedules by patient id, basis): basis is "this week", "last week" or "".
    Last week's group bookings map to the same series on the same weekday this week; its
    appointments keep their staff member, weekday and time.
    """
    planning = PlanningWeek.of(program, week, now)
    enrollments = replaceable_enrollments(planning).select_related("occurrence")
    appointments = replaceable_appointments(planning)
    if enrollments.exists() or appointments.exists():
        return (
            _schedules_of(planning, enrollments, appointments, lambda o: f"O{o.pk}"),
            "this week",
        )
    previous_monday = planning.monday - timedelta(days=7)
    year, number, _ = previous_monday.isocalendar()
    previous = PlanningWeek.of(program, f"{year}-W{number:02d}", planning.starts_at)
    by_series_day = {}
    for occurrence in SessionOccurrence.objects.filter(
        program=program,
        starts_at__gte=planning.cutoff,
        starts_at__lt=planning.ends_at,
        status=OccurrenceStatus.SCHEDULED,
        series__isnull=False,
    ):
        day = utc_to_local(program.timezone, occurrence.starts_at).weekday()
        by_series_day[(occurrence.series_id, day)] = occurrence

    def carried(occurrence: SessionOccurrence) -> str | None:
        day = utc_to_local(program.timezone, occurrence.starts_at).weekday()
        match = by_series_day.get((occurrence.series_id, day))
        return f"O{match.pk}" if match is not None else None

    old_enrollments = Enrollment.objects.filter(
        occurrence__program=program,
        occurrence__starts_at__gte=previous.starts_at,
        occurrence__starts_at__lt=previous.ends_at,
    ).select_related("occurrence")
    old_appointments = Appointment.objects.filter(
        program=program, starts_at__gte=previous.starts_at, starts_at__lt=previous.ends_at
    )
    schedules = _schedules_of(previous, old_enrollments, old_appointments, carried)
    return schedules, ("last week" if schedules else "")


def hint_for(instance_data: Mapping, schedules: Mapping[str, PatientSchedule]) -> dict:
    """Only what the exported week knows: the solver reads ids against the instance."""
    sessions = {row["id"] for row in instance_data["sessions"]}
    staff = {row["id"] for row in instance_data["staff"]}
    patients = {row["id"] for row in instance_data["patients"]}
    return {
        patient: PatientSchedule(
            tuple(s for s in schedule.sessions if s in sessions),
            tuple(a for a in schedule.appointments if a.staff in staff),
        )
        for patient, schedule in schedules.items()
        if patient in patients
    }


# -- comparing ---------------------------------------------------------------------------


@dataclass(frozen=True)
class PatientChange:
    patient: str
    sessions_added: tuple[str, ...]
    sessions_removed: tuple[str, ...]
    sessions_kept: tuple[str, ...]
    appointments_added: tuple[PlannedAppointment, ...]
    appointments_removed: tuple[PlannedAppointment, ...]

    @property
    def changed(self) -> bool:
        return bool(
            self.sessions_added
            or self.sessions_removed
            or self.appointments_added
            or self.appointments_removed
        )


def plan_diff(
    current: Mapping[str, PatientSchedule], proposed: Mapping[str, PatientSchedule]
) -> list[PatientChange]:
    """Per patient, what the proposed week adds, removes and keeps against the current one."""
    changes = []
    for patient in sorted(set(current) | set(proposed), key=lambda p: (len(p), p)):
        before = current.get(patient, PatientSchedule())
        after = proposed.get(patient, PatientSchedule())
        old_sessions, new_sessions = set(before.sessions), set(after.sessions)
        old_appointments, new_appointments = set(before.appointments), set(after.appointments)
        changes.append(
            PatientChange(
                patient=patient,
                sessions_added=tuple(sorted(new_sessions - old_sessions)),
                sessions_removed=tuple(sorted(old_sessions - new_sessions)),
                sessions_kept=tuple(sorted(new_sessions & old_sessions)),
                appointments_added=tuple(
                    sorted(new_appointments - old_appointments, key=lambda a: a.start)
                ),
                appointments_removed=tuple(
                    sorted(old_appointments - new_appointments, key=lambda a: a.start)
                ),
            )
        )
    return changes


# -- accepting ---------------------------------------------------------------------------


def _plan_starts(planning: PlanningWeek, plan: Mapping) -> list[datetime]:
    occurrence_ids = [
        int(session[1:]) for patient in plan.get("patients", []) for session in patient["sessions"]
    ]
    starts = list(
        SessionOccurrence.objects.filter(pk__in=occurrence_ids).values_list("starts_at", flat=True)
    )
    starts += [
        planning.moment(item["day"], item["start"])
        for patient in plan.get("patients", [])
        for item in patient["appointments"]
    ]
    return starts


def plan_run_start(
    *,
    actor,
    program_id: int,
    week: str,
    mode: str = PlanRunMode.KEEP,
    patient_ids: Sequence[int] = (),
    enqueue: bool = True,
) -> SchedulePlanRun:
    """Start the optimizer for a program week: the program's director. The run records who
    started it; the background job (tasks.schedule_plan_run_execute) acts for them.

    `mode` (PlanRunMode): `keep` plans only patients without bookings this week and keeps
    everyone else's; `fit` places the chosen `patient_ids` around the bookings that stand
    and changes no one else; `full` re-plans everyone. `enqueue=False` leaves the solving
    to the caller (the demo builder runs it at once)."""
    program = access_program_schedule_by_id(
        actor,
        program_id,
        need=ScheduleNeed.MANAGE,
        action=AuditAction.CREATE,
        object_type="schedule_plan_run",
        object_id="new",
    )
    iso_week_bounds(week)  # an ApplicationError naming `week`
    week = week.upper()
    if mode not in PlanRunMode.values:
        raise ApplicationError(
            "Choose what the optimizer may change.",
            field_errors={"mode": f"Unknown choice {mode!r}."},
        )
    chosen = sorted({int(pk) for pk in patient_ids}) if mode == PlanRunMode.FIT else []
    if mode == PlanRunMode.FIT:
        if not chosen:
            raise ApplicationError(
                "Choose at least one patient to fit into the week.",
                field_errors={"patients": "Choose at least one patient."},
            )
        schedulable = set(
            Episode.objects.filter(
                program=program, state__in=services.SCHEDULABLE_STATES, patient_id__in=chosen
            ).values_list("patient_id", flat=True)
        )
        if set(chosen) - schedulable:
            raise ApplicationError(
                "Only patients admitted to or active in this program can be fitted in.",
                field_errors={"patients": "Not admitted to or active in this program."},
            )
    with transaction.atomic():
        run = SchedulePlanRun.objects.create(
            program=program, week=week, requested_by=actor, mode=mode, fit_patient_ids=chosen
        )
        audit_record(
            user=actor,
            action=AuditAction.CREATE,
            object_type="schedule_plan_run",
            object_id=run.pk,
            detail={"program": program.pk, "week": week, "mode": mode, "patients": chosen},
        )
    if enqueue:
        from stepwell.schedule.tasks import schedule_plan_run_execute

        schedule_plan_run_execute.enqueue(run.pk)
    return run


def run_inputs(
    run: SchedulePlanRun, data: dict, current: Mapping[str, PatientSchedule], basis: str
) -> tuple[dict, dict[str, PatientSchedule], dict[str, PatientSchedule]]:
    """What a run gives the optimizer, by its mode: (instance data, hint, keep).

    The hint is the week's current schedules (or last week's carried over); `keep` the
    schedules that must stay: everyone booked this week in `keep` mode, everyone booked
    but the chosen patients in `fit` mode, no one in `full` mode. A `fit` run's instance
    holds only the chosen patients and those it keeps, so no one else is planned.
    """
    hint = hint_for(data, current)
    if run.mode == PlanRunMode.FULL:
        return data, hint, {}
    booked = dict(hint) if basis == "this week" else {}
    if run.mode == PlanRunMode.KEEP:
        return data, hint, booked
    chosen = {f"P{pk}" for pk in run.fit_patient_ids}
    keep = {patient: schedule for patient, schedule in booked.items() if patient not in chosen}
    data = {
        **data,
        "patients": [p for p in data["patients"] if p["id"] in chosen or p["id"] in keep],
    }
    return data, hint, keep


def plan_accept(
    *, actor, run_id: int, now: datetime | None = None, confirm: bool = False
) -> SchedulePlanRun:
    """Book the plan by difference, in one transaction: the week's future optimizer
    bookings the plan drops are cancelled, what it adds is booked through the same
    services (and rules) as a manual booking, with source "optimizer"; bookings it keeps
    are not touched. Patients outside a `fit` run's plan are not touched either. When the
    plan moves patients who were booked, the director must `confirm` (a field error
    otherwise). Any refusal undoes it all and is raised with the patient's name and the
    reason; the run keeps the reason. The director of the run's program accepts."""
    run = access_plan_run_by_id(actor, run_id, action=AuditAction.UPDATE)
    program = run.program
    try:
        with transaction.atomic():
            locked = SchedulePlanRun.objects.select_for_update().get(pk=run.pk)
            if locked.status != PlanRunStatus.DONE:
                raise ApplicationError(
                    f"This run is {locked.get_status_display().lower()}; only a finished run "
                    "can be accepted."
                )
            planning = PlanningWeek.of(program, locked.week, now)
            changes = booking_changes(planning, locked)
            if changes.moved and not confirm:
                raise ApplicationError(
                    f"This plan changes the bookings of {len(changes.moved)} patients; "
                    "confirm to accept it.",
                    field_errors={"confirm": "Tick to confirm these patients' bookings change."},
                )
            if any(start < planning.cutoff for start in changes.starts(planning)):
                raise ApplicationError(
                    "Part of this plan lies in the past now; run the optimizer again."
                )
            for enrollment_id in changes.cancel_enrollments:
                services.enrollment_cancel(actor=actor, enrollment_id=enrollment_id)
            for appointment_id in changes.cancel_appointments:
                services.appointment_cancel(actor=actor, appointment_id=appointment_id)
            booked = _book_plan(actor, planning, changes.to_book)
            locked.status = PlanRunStatus.ACCEPTED
            locked.accepted_at = timezone.now()
            cancelled = len(changes.cancel_enrollments) + len(changes.cancel_appointments)
            locked.message = f"Accepted: {booked} bookings made, {cancelled} cancelled."
            locked.save(update_fields=["status", "accepted_at", "message"])
            audit_record(
                user=actor,
                action="accept",
                object_type="schedule_plan_run",
                object_id=locked.pk,
                detail={
                    "program": program.pk,
                    "week": locked.week,
                    "bookings": booked,
                    "cancelled": cancelled,
                    "moved": sorted(changes.moved),
                },
            )
    except ApplicationError as error:
        SchedulePlanRun.objects.filter(pk=run.pk).update(
            message=f"Not accepted: {error.message}"[:300]
        )
        raise
    run.refresh_from_db()
    return run


@dataclass
class BookingChanges:
    """What accepting a plan does: optimizer bookings to cancel (pks), the plan's items
    to book (plan-dict form), and the patients who had bookings that change."""

    cancel_enrollments: list[int]
    cancel_appointments: list[int]
    to_book: dict
    moved: set[str]
    cancelled_starts: list[datetime]

    def starts(self, planning: PlanningWeek) -> list[datetime]:
        return _plan_starts(planning, self.to_book) + self.cancelled_starts


def booking_changes(planning: PlanningWeek, run: SchedulePlanRun) -> BookingChanges:
    """Compare the run's plan with the week's optimizer bookings (from Monday, so a kept
    booking that has started since is still recognised as kept)."""
    enrollments = {
        (f"P{e.patient_id}", f"O{e.occurrence_id}"): e
        for e in Enrollment.objects.filter(
            source=BookingSource.OPTIMIZER,
            occurrence__program=planning.program,
            occurrence__starts_at__gte=planning.starts_at,
            occurrence__starts_at__lt=planning.ends_at,
        ).select_related("occurrence")
    }
    appointments = {}
    for appointment in Appointment.objects.filter(
        source=BookingSource.OPTIMIZER,
        program=planning.program,
        starts_at__gte=planning.starts_at,
        starts_at__lt=planning.ends_at,
    ):
        start, end = planning.span(appointment.starts_at, appointment.ends_at)
        key = (f"P{appointment.patient_id}", appointment.kind, f"S{appointment.staff_id}")
        appointments[(*key, start, end)] = appointment
    planned = {p["id"]: p for p in run.plan.get("patients", [])}
    only_planned = run.mode == PlanRunMode.FIT
    to_book, moved = [], set()
    wanted_sessions, wanted_appointments = set(), set()
    for patient_id, row in planned.items():
        sessions = [s for s in row["sessions"] if (patient_id, s) not in enrollments]
        items = []
        for item in row["appointments"]:
            key = (
                patient_id,
                item["type"],
                item["staff"],
                week_minute(item["day"], item["start"]),
                week_minute(item["day"], item["end"]),
            )
            wanted_appointments.add(key)
            if key not in appointments:
                items.append(item)
        wanted_sessions |= {(patient_id, s) for s in row["sessions"]}
        if sessions or items:
            to_book.append({"id": patient_id, "sessions": sessions, "appointments": items})
    cancel_enrollments, cancel_appointments, cancelled_starts = [], [], []
    for key, enrollment in enrollments.items():
        if key not in wanted_sessions and (key[0] in planned or not only_planned):
            cancel_enrollments.append(enrollment.pk)
            cancelled_starts.append(enrollment.occurrence.starts_at)
            moved.add(key[0])
    for key, appointment in appointments.items():
        if key not in wanted_appointments and (key[0] in planned or not only_planned):
            cancel_appointments.append(appointment.pk)
            cancelled_starts.append(appointment.starts_at)
            moved.add(key[0])
    booked_before = {key[0] for key in enrollments} | {key[0] for key in appointments}
    moved |= {row["id"] for row in to_book if row["id"] in booked_before}
    return BookingChanges(
        cancel_enrollments,
        cancel_appointments,
        {"patients": to_book},
        moved,
        cancelled_starts,
    )


def _book_plan(actor, planning: PlanningWeek, plan: Mapping) -> int:
    booked = 0
    names = {
        patient.pk: patient.display_name
        for patient in Patient.objects.filter(
            pk__in=[int(p["id"][1:]) for p in plan.get("patients", [])]
        )
    }
    for patient in plan.get("patients", []):
        patient_id = int(patient["id"][1:])
        try:
            for session in patient["sessions"]:
                services.enrollment_book(
                    actor=actor,
                    occurrence_id=int(session[1:]),
                    patient_id=patient_id,
                    source=BookingSource.OPTIMIZER,
                )
                booked += 1
            for item in patient["appointments"]:
                starts_at = planning.moment(item["day"], item["start"])
                minutes = week_minute(item["day"], item["end"]) - week_minute(
                    item["day"], item["start"]
                )
                services.appointment_book(
                    actor=actor,
                    patient_id=patient_id,
                    staff_id=int(item["staff"][1:]),
                    program_id=planning.program.pk,
                    kind=item["type"],
                    starts_at=starts_at,
                    minutes=minutes,
                    source=BookingSource.OPTIMIZER,
                )
                booked += 1
        except ApplicationError as error:
            if isinstance(error, AccessDenied):
                raise  # a refusal goes on as it is, so the edge keeps it in the audit trail
            name = names.get(patient_id, patient["id"])
            raise ApplicationError(f"{name} ({patient['id']}): {error.message}") from error
    return booked


def proposed_schedules(run: SchedulePlanRun) -> dict[str, PatientSchedule]:
    return schedules_from_plan_dict(run.plan) if run.plan.get("patients") is not None else {}


# -- `stepwell schedule export` ----------------------------------------------------------------


def _export_arguments(parser) -> None:
    parser.add_argument("--program", required=True, help="program id or exact name")
    parser.add_argument("--week", required=True, help="ISO week, e.g. 2026-W50")
    parser.add_argument("--out", help="where to write WEEK.json (default: standard output)")


def _export_command(arguments) -> int:
    import json
    import sys
    from pathlib import Path

    from stepwell.core.command_line import (
        EXIT_BAD_INPUT,
        CommandInputError,
        ascii_integer,
        emit,
        output_path,
        printable,
        shown,
        text_argument,
    )

    text = arguments.program.strip()
    number = ascii_integer(text)
    errors = []
    try:
        text_argument(text, "program")
    except CommandInputError as error:
        program = None
        errors.append({"field": error.field, "message": error.message})
    else:
        programs = (
            Program.objects.filter(pk=number) if number is not None else Program.objects.none()
        )
        program = programs.first() or Program.objects.filter(name=text).first()
        if program is None:
            errors.append(
                {"field": "program", "message": f"no program with id or name {shown(text)!r}"}
            )
    if arguments.out:
        try:
            output_path(arguments.out)
        except CommandInputError as error:
            errors.append({"field": error.field, "message": error.message})
    if program is not None and not errors:
        try:
            data = _export_week(program, arguments.week)
        except ApplicationError as error:
            errors.append({"field": "week", "message": error.message})
    if errors:
        return emit(EXIT_BAD_INPUT, {"status": "error", "errors": errors}, indent=2)
    output = json.dumps(data, indent=2) + "\n"
    if not arguments.out:
        sys.stdout.write(output)
        return 0
    try:
        Path(arguments.out).write_text(output, encoding="utf-8")
    except OSError as error:
        message = (
            f"cannot write {printable(arguments.out)}: {error.strerror or type(error).__name__}"
        )
        return emit(
            EXIT_BAD_INPUT, {"status": "error", "errors": [{"field": "out", "message": message}]}
        )
    return 0


def _export_week(program: Program, week: str) -> dict:
    """The command line prepares the week as a job and audits the export, naming each
    patient it writes out."""
    from stepwell.privacy.actors import system_actor

    job = system_actor("schedule-export")
    services.occurrences_generate(actor=job, program_id=program.pk, week=week)
    data = schedule_instance_export(program=program, week=week)
    audit_record(
        user=job,
        action=AuditAction.EXPORT,
        object_type="schedule_week",
        object_id=f"{program.pk}/{week.upper()}",
        detail={"patients": instance_patient_ids(data)},
    )
    return data


def instance_patient_ids(data: Mapping) -> list[int]:
    """The patients an exported week names ("P<id>")."""
    return sorted(int(row["id"][1:]) for row in data["patients"])


def export_subcommand():
    from stepwell.schedule.commandline import Subcommand

    return Subcommand(
        "export",
        "write a program week from the calendar in the WEEK.json format",
        _export_arguments,
        _export_command,
    )
