"""Reads for intake pages and the API, always starting from the acting user."""

from __future__ import annotations

from dataclasses import dataclass
from statistics import median

from django.db.models import Case, Count, IntegerField, Q, QuerySet, Value, When

from stepwell.clinic.models import Program
from stepwell.privacy.access import patients_visible_to

from . import access
from .models import (
    AssessmentStatus,
    IntakeAssessment,
    PlacementDecision,
    Referral,
    ReferralEventKind,
    ReferralState,
    Urgency,
)

BOARD_COLUMN_LIMIT = 50


def referrals_visible_to(user) -> QuerySet[Referral]:
    if not access.access_referral_board(user):
        return Referral.objects.none()
    return (
        Referral.objects.filter(patient__in=patients_visible_to(user))
        .select_related("patient", "episode", "episode__program")
        .annotate(
            contact_attempts=Count(
                "events", filter=Q(events__kind=ReferralEventKind.CONTACT_ATTEMPT)
            ),
            urgency_rank=Case(
                When(urgency=Urgency.URGENT, then=Value(0)),
                When(urgency=Urgency.PRIORITY, then=Value(1)),
                default=Value(2),
                output_field=IntegerField(),
            ),
        )
    )


@dataclass(frozen=True)
class BoardColumn:
    state: str
    label: str
    referrals: list[Referral]
    total: int


@dataclass(frozen=True)
class ProgramTiming:
    program: Program
    admitted: int
    median_days: float | None
    fastest_days: int | None
    slowest_days: int | None


@dataclass(frozen=True)
class Board:
    columns: list[BoardColumn]
    timings: list[ProgramTiming]

    @property
    def patient_ids(self) -> list[int]:
        return [r.patient_id for column in self.columns for r in column.referrals]


def referral_board(
    *, user, program_id: int | None = None, urgency: str = "", source: str = ""
) -> Board:
    referrals = referrals_visible_to(user)
    if program_id:
        referrals = referrals.filter(episode__program_id=program_id)
    if urgency:
        referrals = referrals.filter(urgency=urgency)
    if source:
        referrals = referrals.filter(source=source)
    columns = []
    for state in ReferralState:
        in_state = referrals.filter(state=state).order_by("urgency_rank", "received_on", "pk")
        columns.append(
            BoardColumn(
                state.value,
                state.label,
                list(in_state[:BOARD_COLUMN_LIMIT]),
                in_state.count(),
            )
        )
    return Board(columns=columns, timings=_timings(referrals))


def _timings(referrals: QuerySet[Referral]) -> list[ProgramTiming]:
    """Days from referral to admission, per program (admitted referrals only)."""
    by_program: dict[int, list[int]] = {}
    programs: dict[int, Program] = {}
    for referral in referrals.filter(state=ReferralState.ADMITTED, admitted_on__isnull=False):
        program = referral.episode.program
        programs[program.pk] = program
        by_program.setdefault(program.pk, []).append(referral.days_to_admission)
    return [
        ProgramTiming(
            program=programs[pk],
            admitted=len(days),
            median_days=median(days),
            fastest_days=min(days),
            slowest_days=max(days),
        )
        for pk, days in sorted(by_program.items(), key=lambda item: programs[item[0]].name)
    ]


def referral_for_user(*, user, referral_id: int) -> Referral | None:
    return referrals_visible_to(user).filter(pk=referral_id).first()


def assessment_for_user(*, user, assessment_id: int) -> IntakeAssessment | None:
    assessment = (
        IntakeAssessment.objects.select_related(
            "patient", "episode", "episode__program", "signed_by"
        )
        .filter(pk=assessment_id)
        .first()
    )
    if assessment is None or not access.access_assessment_read(user, assessment.patient):
        return None
    return assessment


def latest_signed_assessment(episode) -> IntakeAssessment | None:
    return episode.assessments.filter(status=AssessmentStatus.SIGNED).order_by("-signed_at").first()


def placement_decision_for_user(*, user, decision_id: int) -> PlacementDecision | None:
    decision = (
        PlacementDecision.objects.select_related(
            "assessment", "episode", "episode__patient", "episode__program", "decided_by"
        )
        .filter(pk=decision_id)
        .first()
    )
    if decision is None or not access.access_assessment_read(user, decision.episode.patient):
        return None
    return decision
