"""Reads for intake pages and the API, always starting from the acting user."""

from __future__ import annotations

from dataclasses import dataclass
from statistics import median

from django.db.models import Case, Count, IntegerField, Q, QuerySet, Value, When

from stepwell.clinic.models import Program, Track
from stepwell.privacy.access import patients_visible_to

from . import access
from .diagnosis_codes import code_set
from .models import (
    AssessmentDiagnosis,
    AssessmentStatus,
    IntakeAssessment,
    PlacementDecision,
    Referral,
    ReferralEventKind,
    ReferralSource,
    ReferralState,
    TreatmentOutcome,
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


# --- what the placement page can fill in from the signed assessment -----------------------

# Earlier care below intensive outpatient's step-up rules, least to most intensive.
_LOWER_LEVELS = ("outpatient", "intensive_outpatient", "partial_hospitalization")
_NOT_ENOUGH = {TreatmentOutcome.DID_NOT_HELP, TreatmentOutcome.PARTLY_HELPED}
_HELPED = {TreatmentOutcome.HELPED, TreatmentOutcome.COMPLETED}


@dataclass(frozen=True)
class PlacementPrefill:
    """Initial values for the placement form (form representation) and where each came from."""

    values: dict[str, object]
    sources: dict[str, str]


def placement_prefill(assessment: IntakeAssessment) -> PlacementPrefill:
    """Every placement rating the assessment, its history and availability can give."""
    values: dict[str, object] = {}
    sources: dict[str, str] = {}

    def fill(field: str, value: object, source: str) -> None:
        values[field] = value
        sources[field] = source

    if assessment.risk_level:
        fill("suicide_risk", assessment.risk_level, "risk level on the assessment")
    if assessment.symptom_severity:
        fill("mental_health_severity", assessment.symptom_severity, "symptom severity")
    if assessment.functional_impairment:
        fill("functional_impairment", assessment.functional_impairment, "functional impairment")
    _prefill_previous_care(assessment, fill)
    _prefill_step_down(assessment, fill)
    windows = list(assessment.patient.availability_windows.all())
    if windows:
        minutes = sum(window.minutes for window in windows)
        fill("available_hours_per_week", round(minutes / 60, 2), "weekly availability windows")
        days = len({window.weekday for window in windows})
        fill("available_days_per_week", days, "weekly availability windows")
    if assessment.episode.program.track == Track.MENTAL_HEALTH:
        for field in ("d1_withdrawal", "d5_relapse"):
            fill(field, "na", "mental-health program: rate it if substance use is a concern")
    return PlacementPrefill(values=values, sources=sources)


def _prefill_previous_care(assessment: IntakeAssessment, fill) -> None:
    treatments = [
        t for t in assessment.previous_treatments.all() if t.level_of_care in _LOWER_LEVELS
    ]
    if not treatments:
        fill("previous_lower_level", "none", "no earlier lower-level care recorded")
        fill("previous_lower_level_outcome", "not_tried", "no earlier lower-level care recorded")
        return
    level = max((t.level_of_care for t in treatments), key=_LOWER_LEVELS.index)
    outcomes = {t.outcome for t in treatments if t.level_of_care == level}
    fill("previous_lower_level", level, "previous treatment")
    if outcomes & _NOT_ENOUGH:
        fill("previous_lower_level_outcome", "insufficient", "previous treatment")
    elif outcomes & _HELPED:
        fill("previous_lower_level_outcome", "helped", "previous treatment")


def _prefill_step_down(assessment: IntakeAssessment, fill) -> None:
    referral = getattr(assessment.episode, "referral", None)
    if referral is None:
        return
    if referral.source == ReferralSource.HOSPITAL_STEP_DOWN:
        fill("step_down_from", "inpatient", "referral source")
    elif referral.source == ReferralSource.PHP_OR_RESIDENTIAL_STEP_DOWN:
        levels = {t.level_of_care for t in assessment.previous_treatments.all()}
        for level in ("residential", "partial_hospitalization"):
            if level in levels:
                fill("step_down_from", level, "referral source and previous treatment")
                return
    else:
        fill("step_down_from", "none", "referral source")


# --- diagnoses as the assessment page shows them ------------------------------------------


@dataclass(frozen=True)
class DiagnosisRow:
    diagnosis: AssessmentDiagnosis
    code_set: str  # the release it was coded from, in words
    note: str  # what the current code set says about a stored code, when it disagrees


def assessment_diagnosis_rows(assessment: IntakeAssessment) -> list[DiagnosisRow]:
    """Each diagnosis with its code set; a stored code that is no longer billable is flagged."""
    current = code_set()
    rows = []
    for diagnosis in assessment.diagnoses.all():
        found = current.codes.get(diagnosis.code)
        note = ""
        if found is None:
            note = f"Not in {current.name}: choose a current code before billing."
        elif not found.billable:
            note = f"A header in {current.name}: choose a billable code under it before billing."
        rows.append(
            DiagnosisRow(
                diagnosis=diagnosis,
                code_set=diagnosis.code_set or "code set not recorded",
                note=note,
            )
        )
    return rows
