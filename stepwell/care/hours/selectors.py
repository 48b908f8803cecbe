"""Reads of weekly hours for pages and the API. Each starts from the acting user: the
access check comes first, then the week, then the read, which is audited."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.core.paginator import Page
from django.utils import timezone

from stepwell.billing.selectors import RuleSource
from stepwell.care.hours.rules import WeeklyHours
from stepwell.care.hours.weekly import (
    ComplianceRow,
    ProgramWeek,
    compliance_episodes,
    compliance_rows,
    current_week,
    current_week_hours,
    hours_episode,
    hours_rule_source,
    patient_weekly_hours,
)
from stepwell.clinic.models import Program
from stepwell.core.paging import page_of_narrow
from stepwell.patients.models import Episode, Patient
from stepwell.privacy.access.notes import (
    access_patient_hours_by_id,
    access_program_compliance_by_id,
    access_transition_week_mark,
    hours_condition,
)
from stepwell.privacy.access.patients import patients_meet
from stepwell.privacy.audit import AuditAction, audit_record
from stepwell.schedule.calendar.weeks import iso_week_bounds, iso_week_of


def _week_or_current(week: str | None, program: Program, now: datetime) -> str:
    """The week asked for ('2026-w50' reads as 2026-W50), or the program's current week.
    A week that does not exist is refused, naming `week`."""
    if not week:
        return current_week(program, now)
    iso_week_bounds(week)
    return week.upper()


def _neighbours(week: str) -> tuple[str, str]:
    monday, _ = iso_week_bounds(week)
    return iso_week_of(monday - timedelta(days=7)), iso_week_of(monday + timedelta(days=7))


@dataclass(frozen=True)
class HoursPatient:
    patient: Patient
    episode: Episode | None  # the attending episode whose program sets the window


def hours_patient(*, user, patient_id: int) -> HoursPatient:
    """A patient whose hours the user reads, with the episode that sets the window."""
    patient = access_patient_hours_by_id(user, patient_id)
    return HoursPatient(patient=patient, episode=hours_episode(patient))


@dataclass(frozen=True)
class PatientHoursWeek:
    patient: Patient
    episode: Episode | None
    week: str | None
    weekly: WeeklyHours | None
    rule_source: RuleSource | None
    previous_week: str | None
    next_week: str | None
    can_mark: bool  # may mark a step-down week


def patient_hours_week(
    *, user, patient_id: int, week: str | None, now: datetime
) -> PatientHoursWeek:
    """The patient's week against their hours rule; audited as a view of weekly hours."""
    target = hours_patient(user=user, patient_id=patient_id)
    patient, episode = target.patient, target.episode
    weekly = rule_source = previous = following = None
    if episode is not None:
        week = _week_or_current(week, episode.program, now)
        rule_source = hours_rule_source(patient=patient, episode=episode, week=week)
        weekly = patient_weekly_hours(
            patient=patient, week=week, now=now, episode=episode, rule_source=rule_source
        )
        previous, following = _neighbours(week)
    else:
        week = None
    audit_record(
        user=user,
        action=AuditAction.VIEW,
        patient_id=patient.pk,
        object_type="weekly_hours",
        detail={"week": week},
    )
    return PatientHoursWeek(
        patient=patient,
        episode=episode,
        week=week,
        weekly=weekly,
        rule_source=rule_source,
        previous_week=previous,
        next_week=following,
        can_mark=episode is not None and access_transition_week_mark(user, episode),
    )


COMPLIANCE_PAGE_SIZE = 50
COMPLIANCE_EPISODE_COLUMNS = (
    *("patient", "program", "state", "admitted_on", "discharged_on"),
    *(f"patient__{name}" for name in Patient.DISPLAY_NAME_FIELDS),
)


@dataclass(frozen=True)
class ComplianceWeek:
    program: Program
    week: str
    rows: list[ComplianceRow]  # the page shown
    below: int  # patients of the page shown projected below their minimum
    previous_week: str
    next_week: str
    page: Page | None = None  # which page of the program's patients `rows` is


def program_compliance_week(
    *, user, program_id: int, week: str | None, now: datetime, page_number: str | int | None = None
) -> ComplianceWeek:
    """The program's patients in treatment that week (its directors), 50 a page by name,
    counted and sliced in the database; the hours are computed for the page's rows only,
    and the event names the patients shown. A page number that is not a number gives the
    first page, one past the end the last."""
    program = access_program_compliance_by_id(user, program_id)
    week = _week_or_current(week, program, now)
    program_week = ProgramWeek.of(program, week)
    # Chosen on ids and names alone: a large program's 2,000 episodes are sorted narrow;
    # the page's are read with what the week's hours and the row need (the program is the
    # page's own, the patient shown by name).
    episodes = (
        compliance_episodes(program_week)
        .select_related(None)
        .select_related("patient")
        .only(*COMPLIANCE_EPISODE_COLUMNS)
    )
    page = page_of_narrow(episodes, page_number, size=COMPLIANCE_PAGE_SIZE)
    rows = compliance_rows(episodes=list(page.object_list), program_week=program_week, now=now)
    audit_record(
        user=user,
        action=AuditAction.LIST,
        object_type="program_compliance",
        object_id=program.pk,
        detail={"week": week, "page": page.number, "patients": [r.patient.pk for r in rows]},
    )
    previous, following = _neighbours(week)
    return ComplianceWeek(
        program=program,
        week=week,
        rows=rows,
        below=sum(1 for r in rows if r.hours.below_minimum),
        previous_week=previous,
        next_week=following,
        page=page,
    )


def caseload_week_hours(
    *, user, patient_ids, now: datetime | None = None
) -> dict[int, WeeklyHours]:
    """This week's hours of the listed patients whose hours the user reads, by patient id,
    for the caseload's badges: computed once for all rows (the caseload audits the list).
    Patients the user may not read hours for, and those not attending, are left out."""
    readable = patients_meet(patient_ids, {"hours": hours_condition(user)})["hours"]
    return current_week_hours(patient_ids=readable, now=now or timezone.now())
