"""Reads for intake pages and the API, always starting from the acting user."""

from __future__ import annotations

from dataclasses import dataclass
from statistics import median

from django.db.models import Case, Count, IntegerField, Q, QuerySet, Value, When

from stepwell.accounts.models import User, UserKind
from stepwell.clinic.models import Program, Track
from stepwell.clinic.selectors import programs_of_staff
from stepwell.core.converters import MAX_RECORD_ID
from stepwell.core.kept import KeptKinds, KeptRecords, Many
from stepwell.patients.models import Episode, Patient
from stepwell.privacy.access import intake as intake_access
from stepwell.privacy.access.intake import IntakeNeed
from stepwell.privacy.access.patients import REGISTERING_ROLES
from stepwell.privacy.access.predicates import is_patient_user, programs_with
from stepwell.privacy.audit import AuditAction
from stepwell.privacy.refusals import refuse

from .diagnosis_codes import DiagnosisCode, code_set, diagnosis_code_search
from .models import (
    AssessmentDiagnosis,
    AssessmentStatus,
    AvailabilityWindow,
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
REFERRAL_COLUMNS = [field.name for field in Referral._meta.concrete_fields]


def _contact_attempts() -> Count:
    """A referral's contact attempts, counted in the query that lists it."""
    return Count("events", filter=Q(events__kind=ReferralEventKind.CONTACT_ATTEMPT))


def _board_referrals(user) -> QuerySet[Referral]:
    return (
        intake_access.referrals_visible_to(user)
        .select_related("patient", "episode", "episode__program")
        .annotate(
            contact_attempts=_contact_attempts(),
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
    programs: QuerySet[Program]  # the filter's choices: the programs the user works in
    can_create: bool
    page: int = 1  # each column shows its referrals of this page, 50 a page
    pages: int = 1  # the pages of the longest column

    @property
    def patient_ids(self) -> list[int]:
        return [r.patient_id for column in self.columns for r in column.referrals]

    @property
    def previous_page(self) -> int | None:
        return self.page - 1 if self.page > 1 else None

    @property
    def next_page(self) -> int | None:
        return self.page + 1 if self.page < self.pages else None


def _page_of(page_number: str | int | None, pages: int) -> int:
    """The page asked for: the first when it is not a number, the nearest that exists
    when it is out of range (as Django's Paginator.get_page)."""
    try:
        number = int(page_number) if page_number is not None else 1
    except (TypeError, ValueError):
        return 1
    return min(max(number, 1), pages)


def referral_board(
    *,
    user,
    program_id: int | None = None,
    urgency: str = "",
    source: str = "",
    page_number: str | int | None = None,
) -> Board:
    """The board of the user's programs, or an audited refusal for a user with no referral
    role in any program. Filters and pages are done in SQL: each column shows 50 referrals
    a page, and the counts of all columns come from one query."""
    if not intake_access.access_referral_board(user):
        raise refuse(actor=user, action=AuditAction.LIST, object_type="referral_board")
    chosen = Q()
    if program_id:
        chosen &= Q(episode__program_id=program_id)
    if urgency:
        chosen &= Q(urgency=urgency)
    if source:
        chosen &= Q(source=source)
    totals = dict(
        intake_access.referrals_visible_to(user)
        .filter(chosen)
        .order_by()
        .values_list("state")
        .annotate(n=Count("pk"))
    )
    pages = max([1, *(-(-total // BOARD_COLUMN_LIMIT) for total in totals.values())])
    page = _page_of(page_number, pages)
    start = (page - 1) * BOARD_COLUMN_LIMIT
    referrals = _board_referrals(user).filter(chosen)
    columns = []
    for state in ReferralState:
        total = totals.get(state.value, 0)
        in_state = referrals.filter(state=state).order_by("urgency_rank", "received_on", "pk")
        shown = list(in_state[start : start + BOARD_COLUMN_LIMIT]) if total > start else []
        columns.append(BoardColumn(state.value, state.label, shown, total))
    return Board(
        columns=columns,
        timings=_timings(intake_access.referrals_visible_to(user).filter(chosen)),
        programs=programs_of_staff(user=user),
        can_create=bool(programs_with(user, *REGISTERING_ROLES)),
        page=page,
        pages=pages,
    )


def referrals_listed(
    *,
    user,
    program_id: int | None = None,
    state: str = "",
    urgency: str = "",
    limit: int = 50,
    offset: int = 0,
) -> list[Referral]:
    """The referrals of the user's programs, newest first (the API's list); the board's
    audited refusal for a user with no referral role in any program (an empty list is for
    one who may see the board and has no referral on it). The first page is read by a
    query kept compiled per shape (the filters given, the limit)."""
    if not intake_access.access_referral_board(user):
        raise refuse(actor=user, action=AuditAction.LIST, object_type="referral")
    programs = intake_access.referral_programs(user)
    given = {
        name: value
        for name, value in (("program_id", program_id), ("state", state), ("urgency", urgency))
        if value
    }
    if "program_id" in given and not 0 < given["program_id"] <= MAX_RECORD_ID:
        return []  # no program has such an id
    if offset == 0:
        kept = _LISTED.get((tuple(sorted(given)), limit), lambda: _kept_listed(given, limit))
        if kept is not None:
            return kept.records(programs=programs, **given)
    return list(_listed(programs, given)[offset : offset + limit])


def _listed(programs, given: dict) -> QuerySet[Referral]:
    """The API's list of the referrals of these programs meeting the filters ``given``
    (each a value, or where a kept query puts one), newest first: with what it shows,
    their patients' names, episodes' programs and contact attempts, in one query however
    many."""
    referrals = (
        intake_access.referrals_of(programs)
        .select_related("patient", "episode")
        .only(
            *REFERRAL_COLUMNS,
            *(f"patient__{name}" for name in Patient.DISPLAY_NAME_FIELDS),
            "episode__program",
        )
        .annotate(contact_attempts=_contact_attempts())
    )
    if "program_id" in given:
        referrals = referrals.filter(episode__program_id=given["program_id"])
    for name in ("state", "urgency"):
        if name in given:
            referrals = referrals.filter(**{name: given[name]})
    return referrals.order_by("-received_on", "-pk")


# The API's first pages kept compiled, by the filters given and the limit (at most 32
# shapes a process; beyond, built each time).
_LISTED = KeptKinds(at_most=32)
_LISTED_FIELDS = {
    "program_id": Episode._meta.get_field("program").target_field,
    "state": Referral._meta.get_field("state"),
    "urgency": Referral._meta.get_field("urgency"),
}


def _kept_listed(given: dict, limit: int) -> KeptRecords:
    return KeptRecords(
        Referral,
        lambda programs, **slots: _listed(programs, slots)[:limit],
        programs=Many(_LISTED_FIELDS["program_id"]),
        **{name: _LISTED_FIELDS[name] for name in given},
    )


def _timings(referrals: QuerySet[Referral]) -> list[ProgramTiming]:
    """Days from referral to admission, per program (admitted referrals only): two dates
    a referral are read, not the referrals themselves."""
    by_program: dict[int, list[int]] = {}
    for program_id, received_on, admitted_on in (
        referrals.filter(state=ReferralState.ADMITTED, admitted_on__isnull=False)
        .order_by()
        .values_list("episode__program_id", "received_on", "admitted_on")
    ):
        by_program.setdefault(program_id, []).append((admitted_on - received_on).days)
    programs = Program.objects.filter(pk__in=by_program).order_by("name")
    return [
        ProgramTiming(
            program=program,
            admitted=len(by_program[program.pk]),
            median_days=median(by_program[program.pk]),
            fastest_days=min(by_program[program.pk]),
            slowest_days=max(by_program[program.pk]),
        )
        for program in programs
    ]


def referral_record(*, user, referral_id, action: str = AuditAction.VIEW) -> Referral:
    """A referral of the user's programs, or an audited refusal."""
    return intake_access.access_referral_by_id(user, referral_id, action=action)


@dataclass(frozen=True)
class ReferralPage:
    """What a referral's page shows besides the referral."""

    events: list
    assessment: IntakeAssessment | None
    decision: PlacementDecision | None
    can_assess: bool
    can_admit: bool


def referral_page(*, user, referral: Referral) -> ReferralPage:
    episode = referral.episode
    return ReferralPage(
        events=list(referral.events.select_related("actor")),
        assessment=episode.assessments.order_by("-created_at").first(),
        decision=episode.placement_decisions.order_by("-decided_at", "-pk").first(),
        can_assess=intake_access.access_assessment_draft(user, episode),
        can_admit=intake_access.access_admission(user, episode),
    )


def assessment_record(
    *,
    user,
    assessment_id,
    need: IntakeNeed = IntakeNeed.READ,
    action: str = AuditAction.VIEW,
    object_type: str = "intake_assessment",
) -> IntakeAssessment:
    """An intake assessment the user may read (or work on, with `need`), or an audited
    refusal."""
    return intake_access.access_assessment_by_id(
        user, assessment_id, need=need, action=action, object_type=object_type
    )


def assessment_form_instance(assessment: IntakeAssessment) -> IntakeAssessment:
    """A fresh copy of an assessment the caller fetched through access, for a form to fill
    (the form changes its instance while it validates)."""
    return IntakeAssessment.objects.get(pk=assessment.pk)


@dataclass(frozen=True)
class AssessmentPage:
    """What the assessment page shows and offers besides the assessment."""

    can_write: bool
    can_sign: bool
    can_addend: bool
    can_edit_availability: bool
    windows: list
    diagnosis_rows: list[DiagnosisRow]
    decisions: list[PlacementDecision]


def assessment_page(*, user, assessment: IntakeAssessment) -> AssessmentPage:
    episode = assessment.episode
    may_draft = intake_access.access_assessment_draft(user, episode)
    may_sign = intake_access.access_assessment_sign(user, episode)
    return AssessmentPage(
        can_write=not assessment.is_signed and may_draft,
        can_sign=not assessment.is_signed and may_sign,
        can_addend=assessment.is_signed and may_sign,
        can_edit_availability=intake_access.access_availability_edit(user, assessment.patient),
        windows=list(assessment.patient.availability_windows.all()),
        diagnosis_rows=assessment_diagnosis_rows(assessment),
        decisions=list(assessment.placement_decisions.select_related("decided_by")),
    )


def latest_signed_assessment(episode) -> IntakeAssessment | None:
    return episode.assessments.filter(status=AssessmentStatus.SIGNED).order_by("-signed_at").first()


def placement_decision_record(
    *, user, decision_id, need: IntakeNeed = IntakeNeed.READ, action: str = AuditAction.VIEW
) -> PlacementDecision:
    """A placement decision the user may read (or admit on), or an audited refusal."""
    return intake_access.access_placement_decision_by_id(
        user, decision_id, need=need, action=action
    )


def admission_allowed(*, user, episode) -> bool:
    """Whether the decision page offers the admission form."""
    return intake_access.access_admission(user, episode)


def admission_staff(*, episode, roles: tuple[str, ...]):
    """Active staff holding one of the roles in the episode's program: whom the admission
    form offers as primary clinician or prescriber."""
    return (
        User.objects.filter(
            kind=UserKind.STAFF,
            is_active=True,
            role_assignments__program=episode.program,
            role_assignments__role__in=roles,
        )
        .distinct()
        .order_by("last_name", "first_name")
    )


@dataclass(frozen=True)
class AvailabilityPage:
    patient: Patient
    windows: list[AvailabilityWindow]
    own: bool  # the patient is looking at their own


def availability_of(
    *, user, patient_id, edit: bool = True, action: str = AuditAction.VIEW
) -> AvailabilityPage:
    """The patient's weekly availability windows: for the patient and those who keep it
    (`edit`), or for the staff who read it; an audited refusal otherwise."""
    patient = intake_access.access_availability_patient_by_id(
        user, patient_id, edit=edit, action=action
    )
    return AvailabilityPage(
        patient=patient,
        windows=list(patient.availability_windows.all()),
        own=is_patient_user(user),
    )


def diagnosis_codes_found(
    *, user, query: str, limit: int = 20, offset: int = 0
) -> list[DiagnosisCode]:
    """Search the shipped ICD-10-CM codes (no patient data): staff only. `limit` codes
    after `offset`, in the search's order. The code set is a file held in memory (some
    1,500 codes), not a table, so the page is cut from the search's result, not in SQL."""
    if not intake_access.access_diagnosis_codes(user):
        raise refuse(actor=user, object_type="diagnosis_codes")
    return diagnosis_code_search(query, limit=offset + limit)[offset:]


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
