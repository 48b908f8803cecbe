"""Reads of the program calendar for the pages and the API, each starting from the user.

Each selector fetches what it shows through privacy.access.schedule, which refuses
(audited) a user who may not see it, then checks the week in the address (an
ApplicationError naming `week`, answered 400). A read that shows patients is written to
the audit trail naming every patient it shows.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.db.models import QuerySet

from stepwell.accounts.models import User, UserKind
from stepwell.clinic.models import Program
from stepwell.clinic.time import zone_today
from stepwell.patients.models import Episode, Patient
from stepwell.privacy.access import patients_visible_to
from stepwell.privacy.access.predicates import is_patient_user
from stepwell.privacy.access.schedule import (
    ScheduleNeed,
    access_patient_feed_manage,
    access_patient_schedule_by_id,
    access_program_schedule_by_id,
    access_program_schedule_manage,
    access_staff_feed_manage,
    access_staff_feed_revoke,
    access_staff_schedule_by_id,
    schedule_programs_for,
)
from stepwell.privacy.audit import AuditAction, audit_record
from stepwell.privacy.refusals import refuse
from stepwell.schedule.booking.services import SCHEDULABLE_STATES
from stepwell.schedule.booking.week_items import (
    WeekItem,
    patient_week_items,
    patient_zone,
    program_week_items,
    staff_week_items,
    staff_zone,
)
from stepwell.schedule.calendar.selectors import week_checked, week_default
from stepwell.schedule.calendar.weeks import (
    iso_week_bounds,
    week_utc_range,
)
from stepwell.schedule.models import (
    CalendarFeed,
    OccurrenceStatus,
    SchedulePlanRun,
    SessionOccurrence,
)


def _live_feed(**owner) -> CalendarFeed | None:
    return CalendarFeed.objects.filter(revoked_at__isnull=True, **owner).first()


# -- where /schedule/ opens ----------------------------------------------------------------


@dataclass(frozen=True)
class ScheduleHome:
    """A patient opens their own week; staff the first program whose week they may read."""

    patient_id: int | None = None
    program_id: int | None = None


def schedule_home(*, user) -> ScheduleHome:
    if is_patient_user(user):
        patient = patients_visible_to(user).first()
        if patient is None:
            raise refuse(actor=user, object_type="patient_schedule", object_id="own")
        return ScheduleHome(patient_id=patient.pk)
    program = schedule_programs_for(user).order_by("name").first()
    return ScheduleHome(program_id=program.pk if program else None)


# -- a program's week ----------------------------------------------------------------------


@dataclass
class ProgramWeekPage:
    program: Program
    week: str
    monday: date
    this_week: str
    items: list[WeekItem]
    patient_ids: list[int]
    programs: list[Program]
    can_manage: bool
    runs: list[SchedulePlanRun] = field(default_factory=list)
    fit_candidates: list[Patient] = field(default_factory=list)


def program_week_default(*, user, program_id: int) -> str:
    program = access_program_schedule_by_id(user, program_id, object_id=f"{program_id}/current")
    return week_default(program)


def program_week_read(*, user, program_id: int, week: str) -> ProgramWeekPage:
    """The program's sessions and appointments of the week, attendees the user may see."""
    program = access_program_schedule_by_id(user, program_id, object_id=f"{program_id}/{week}")
    week = week_checked(week)
    data = program_week_items(user=user, program=program, week=week)
    can_manage = access_program_schedule_manage(user, program)
    candidates = list(schedulable_patients(user, program)) if can_manage else []
    audit_record(
        user=user,
        action=AuditAction.LIST,
        object_type="program_week",
        object_id=f"{program.pk}/{week}",
        detail={"patients": sorted({*data.patient_ids, *(p.pk for p in candidates)})},
    )
    runs = SchedulePlanRun.objects.filter(program=program, week=week).select_related("requested_by")
    return ProgramWeekPage(
        program=program,
        week=week,
        monday=iso_week_bounds(week)[0],
        this_week=week_default(program),
        items=data.items,
        patient_ids=data.patient_ids,
        programs=list(schedule_programs_for(user).order_by("name")),
        can_manage=can_manage,
        runs=list(runs[:5]) if can_manage else [],
        fit_candidates=candidates,
    )


def schedulable_patients(user, program: Program) -> QuerySet[Patient]:
    """The program's admitted or active patients the user may see: whom the optimizer
    plans, and whom a director may fit into a week."""
    return (
        patients_visible_to(user)
        .filter(episodes__program=program, episodes__state__in=SCHEDULABLE_STATES)
        .distinct()
        .order_by("legal_last_name", "legal_first_name", "pk")
    )


# -- a patient's week ----------------------------------------------------------------------


@dataclass
class PatientWeekPage:
    patient: Patient
    week: str
    items: list[WeekItem]
    episode: Episode | None
    windows: list  # the patient's weekly availability from intake
    can_book: bool
    can_feed: bool
    feed: CalendarFeed | None


def patient_week_default(*, user, patient_id: int) -> str:
    patient = access_patient_schedule_by_id(user, patient_id)
    return week_default(None, zone_today(patient_zone(patient)))


def patient_week_read(*, user, patient_id: int, week: str) -> PatientWeekPage:
    """A patient's own bookings of the week (every program); audited under the patient."""
    patient = access_patient_schedule_by_id(user, patient_id)
    week = week_checked(week)
    items = patient_week_items(patient=patient, week=week, zone=patient_zone(patient))
    audit_record(
        user=user,
        action=AuditAction.VIEW,
        patient_id=patient.pk,
        object_type="patient_schedule",
        object_id=week,
    )
    episode = (
        patient.episodes.filter(state__in=SCHEDULABLE_STATES).select_related("program").first()
    )
    can_feed = access_patient_feed_manage(user, patient)
    return PatientWeekPage(
        patient=patient,
        week=week,
        items=items,
        episode=episode,
        windows=list(patient.availability_windows.all()),
        can_book=episode is not None and access_program_schedule_manage(user, episode.program),
        can_feed=can_feed,
        feed=_live_feed(patient=patient) if can_feed else None,
    )


# -- a staff member's week -----------------------------------------------------------------


@dataclass
class StaffWeekPage:
    staff: User
    week: str
    items: list[WeekItem]
    feed_manage: bool  # may see, replace and change the feed (its owner)
    can_feed: bool  # the feed box shows: its owner, or who may turn an existing feed off
    feed: CalendarFeed | None


def staff_week_default(*, user, staff_id: int) -> str:
    staff = access_staff_schedule_by_id(user, staff_id)
    return week_default(None, zone_today(staff_zone(staff)))


def staff_week_read(*, user, staff_id: int, week: str) -> StaffWeekPage:
    """Sessions the staff member leads and their appointments; patients the user may see."""
    staff = access_staff_schedule_by_id(user, staff_id)
    week = week_checked(week)
    items = staff_week_items(user=user, staff=staff, week=week, zone=staff_zone(staff))
    audit_record(
        user=user,
        action=AuditAction.LIST,
        object_type="staff_schedule",
        object_id=f"{staff.pk}/{week}",
        detail={"patients": sorted({p.id for item in items for p in item.patients})},
    )
    feed_manage = access_staff_feed_manage(user, staff)
    feed = _live_feed(user=staff) if access_staff_feed_revoke(user, staff) else None
    return StaffWeekPage(
        staff=staff,
        week=week,
        items=items,
        feed_manage=feed_manage,
        can_feed=feed_manage or feed is not None,
        feed=feed,
    )


# -- booking by hand -----------------------------------------------------------------------


@dataclass
class BookingChoices:
    """What the booking page offers: the week's sessions, the program's schedulable
    patients the user may see, and the program's staff."""

    program: Program
    week: str
    monday: date
    occurrences: QuerySet[SessionOccurrence]
    patients: QuerySet[Patient]
    staff: QuerySet[User]
    staff_hours: list[StaffHoursRow] = field(default_factory=list)


@dataclass(frozen=True)
class StaffHoursRow:
    """A staff member's working hours as the booking page shows them: each day's
    windows (program time), leave in the week, and appointment minutes booked of the
    weekly most."""

    name: str
    days: list[tuple[str, str]]
    leave: str
    booked_minutes: int
    max_minutes: int | None


def staff_hours_rows(staff: QuerySet[User], week: str, zone: str) -> list[StaffHoursRow]:
    from stepwell.schedule.booking.services import staff_week_individual_minutes
    from stepwell.schedule.models import StaffLeave

    monday, sunday = iso_week_bounds(week)
    start, end = week_utc_range(zone, week)
    rows = []
    for member in staff.prefetch_related("availability"):
        by_day: dict[int, list[str]] = {}
        for window in sorted(member.availability.all(), key=lambda w: (w.weekday, w.start)):
            by_day.setdefault(window.weekday, []).append(f"{window.start:%H:%M}–{window.end:%H:%M}")
        leave = StaffLeave.objects.filter(
            user=member, starts_on__lte=sunday, ends_on__gte=monday
        ).order_by("starts_on")
        profile = getattr(member, "scheduling_profile", None)
        rows.append(
            StaffHoursRow(
                name=str(member),
                days=[(WEEKDAY_NAMES[day], ", ".join(spans)) for day, spans in by_day.items()],
                leave="; ".join(
                    f"{item.starts_on:%a %d %b}–{item.ends_on:%a %d %b}" for item in leave
                ),
                booked_minutes=staff_week_individual_minutes(member, start, end),
                max_minutes=profile.max_individual_minutes if profile else None,
            )
        )
    return rows


WEEKDAY_NAMES = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


def booking_choices(*, user, program_id: int, week: str) -> BookingChoices:
    """For the program's director; audited naming every patient offered."""
    program = access_program_schedule_by_id(
        user,
        program_id,
        need=ScheduleNeed.MANAGE,
        action=AuditAction.CREATE,
        object_type="booking",
        object_id="new",
    )
    week = week_checked(week)
    start, end = week_utc_range(program.timezone, week)
    occurrences = SessionOccurrence.objects.filter(
        program=program, starts_at__gte=start, starts_at__lt=end, status=OccurrenceStatus.SCHEDULED
    ).order_by("starts_at")
    patients = (
        patients_visible_to(user)
        .filter(episodes__program=program, episodes__state__in=SCHEDULABLE_STATES)
        .distinct()
        .order_by("legal_last_name", "legal_first_name")
    )
    audit_record(
        user=user,
        action=AuditAction.LIST,
        object_type="booking_form",
        object_id=f"{program.pk}/{week}",
        detail={"patients": list(patients.values_list("pk", flat=True))},
    )
    staff = User.objects.filter(
        program_memberships__program=program, kind=UserKind.STAFF, is_active=True
    ).order_by("last_name", "first_name")
    return BookingChoices(
        program=program,
        week=week,
        monday=iso_week_bounds(week)[0],
        occurrences=occurrences,
        patients=patients,
        staff=staff,
        staff_hours=staff_hours_rows(staff, week, program.timezone),
    )


# -- cancelling a session ------------------------------------------------------------------


# -- an optimizer run ------------------------------------------------------------------------


@dataclass(frozen=True)
class SessionLinks:
    """Which sessions of a week page link to their roster and group note, for this user:
    only those the user may open (no link that answers 403)."""

    attendance: frozenset[int]
    group_note: frozenset[int]


def session_links(*, user, items) -> SessionLinks:
    from stepwell.privacy.access.attendance import sessions_attendance_taken_by
    from stepwell.privacy.access.notes import sessions_group_notes_written_by

    ids = {item.occurrence_id for item in items if getattr(item, "occurrence_id", None)}
    if not ids:
        return SessionLinks(frozenset(), frozenset())
    attendance = sessions_attendance_taken_by(user).filter(pk__in=ids).values_list("pk", flat=True)
    notes = sessions_group_notes_written_by(user).filter(pk__in=ids).values_list("pk", flat=True)
    return SessionLinks(frozenset(attendance), frozenset(notes))
