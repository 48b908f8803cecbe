"""Reads: a patient's milestones (chart, API), the patient's own progress page, and this
week's milestones on a group session's roster. Each starts from the acting user
(stepwell.privacy.access.milestones) and audits the read."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.core.paginator import Page
from django.db.models import QuerySet

from stepwell.care.models import Attendance
from stepwell.clinic.time import program_today
from stepwell.core.paging import PAGE_SIZE, page_of, window
from stepwell.measures.models import Administration
from stepwell.patients.models import Patient
from stepwell.privacy.access import milestones as access
from stepwell.privacy.audit import AuditAction, audit_record

from .engine import Rule, ScoreSeries, trajectory_sentence
from .facts import score_series
from .models import Milestone, MilestoneSharing


def _named_in_group(patient: Patient) -> bool:
    sharing = MilestoneSharing.objects.filter(patient=patient).first()
    return bool(sharing and sharing.named_in_group)


def _milestones_of(user, patient: Patient) -> QuerySet[Milestone]:
    return (
        access.milestones_visible_to(user)
        .filter(patient=patient)
        .select_related("episode__program", "recorded_by")
        .order_by("-achieved_on", "-pk")
    )


def _patient_listed(user, patient_id) -> Patient:
    """The patient whose milestones the user lists (or the audited refusal), the list's
    read audited."""
    patient = access.access_patient_milestones_by_id(user, patient_id, action=AuditAction.LIST)
    audit_record(
        user=user,
        action=AuditAction.LIST,
        patient_id=patient.pk,
        object_type="milestone",
        object_id=patient.pk,
    )
    return patient


def patient_milestones(
    *, user, patient_id, limit: int = PAGE_SIZE, offset: int = 0
) -> tuple[Patient, list[Milestone]]:
    """`limit` of the patient's milestones the user may read after `offset`, newest
    first."""
    patient = _patient_listed(user, patient_id)
    return patient, list(window(_milestones_of(user, patient), limit=limit, offset=offset))


@dataclass(frozen=True)
class ChartMilestones:
    patient: Patient
    milestones: Page  # newest first, 50 a page
    named_in_group: bool
    can_write: bool


def chart_milestones(*, user, patient_id, page_number=None) -> ChartMilestones:
    patient = _patient_listed(user, patient_id)
    return ChartMilestones(
        patient=patient,
        milestones=page_of(_milestones_of(user, patient), page_number),
        named_in_group=_named_in_group(patient),
        can_write=access.access_milestones_write(user, patient),
    )


@dataclass(frozen=True)
class Trajectory:
    series: ScoreSeries
    sentence: str

    @property
    def name(self) -> str:
        return self.series.instrument.abbreviation

    @property
    def totals(self) -> list[int]:
        return [s.total for s in self.series.scores]


@dataclass(frozen=True)
class PortalProgress:
    patient: Patient
    milestones: Page  # oldest first: the timeline, 50 a page
    trajectories: list[Trajectory]
    objectives_met: Page  # oldest first, 50 a page
    named_in_group: bool


def portal_progress(*, user, page_number=None, objectives_page_number=None) -> PortalProgress:
    """The patient's own progress: the timeline of milestones, each score's trajectory in
    plain words, and the objectives met; the timeline and the objectives a page at a
    time, each its own page number."""
    patient = access.access_own_milestones(user)
    timeline = _milestones_of(user, patient).order_by("achieved_on", "pk")
    objectives = timeline.filter(code__startswith=f"{Rule.OBJECTIVE_MET}:")
    series = score_series(Administration.objects.filter(patient=patient))
    audit_record(
        user=user,
        action=AuditAction.VIEW,
        patient_id=patient.pk,
        object_type="portal_progress",
        object_id=patient.pk,
    )
    return PortalProgress(
        patient=patient,
        milestones=page_of(timeline, page_number),
        trajectories=[Trajectory(s, trajectory_sentence(s)) for s in series],
        objectives_met=page_of(objectives, objectives_page_number),
        named_in_group=_named_in_group(patient),
    )


@dataclass(frozen=True)
class Celebration:
    patient: Patient
    milestones: list[Milestone]


def session_milestones(*, user, occurrence_id, today: date | None = None) -> list[Celebration]:
    """This week's milestones (Monday to Sunday, the program's dates) of the session's
    participants who said they may be named in group."""
    occurrence = access.access_session_milestones_by_id(user, occurrence_id)
    today = today or program_today(occurrence.program)
    monday = today - timedelta(days=today.weekday())
    participants = Attendance.objects.filter(occurrence=occurrence).values("patient_id")
    rows = (
        access.milestones_visible_to(user)
        .filter(
            patient_id__in=participants,
            patient__milestone_sharing__named_in_group=True,
            achieved_on__gte=monday,
            achieved_on__lte=monday + timedelta(days=6),
        )
        .select_related("patient")
        .order_by("patient__legal_last_name", "patient_id", "achieved_on", "pk")
    )
    by_patient: dict[int, Celebration] = {}
    for row in rows:
        by_patient.setdefault(row.patient_id, Celebration(row.patient, [])).milestones.append(row)
    named = sorted(by_patient)
    if named:
        audit_record(
            user=user,
            action=AuditAction.LIST,
            object_type="session_milestones",
            object_id=occurrence.pk,
            detail={"patients": named},
        )
    return list(by_patient.values())
