"""The medication worklist's items as rows in SQL, for worklists to read a page at a time.

Each kind of work is one query over the user's patients (privacy.access.meds) giving a
row per item: the work, its patient and the patient's names, the record it is about. The
queries are combined in one UNION, ordered by the work (the order of `Work`), the
patient's name and the record, so a page is a LIMIT and OFFSET on it."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from enum import IntEnum
from zoneinfo import ZoneInfo

from django.db.models import (
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
)

from stepwell.care.models import ClinicalNote, NoteKind
from stepwell.clinic.models import Program
from stepwell.clinic.time import zone_today
from stepwell.intake.models import AssessmentDiagnosis
from stepwell.patients.models import (
    CareTeamRole,
    Episode,
    EpisodeState,
    LevelOfCareChange,
    LevelOfCareDirection,
    Patient,
)
from stepwell.plans.models import MAX_SESSIONS_PER_WEEK, Intervention, PlanStatus
from stepwell.privacy.access.meds import MedsNeed, drug_tests_visible_to, meds_patients_visible_to

from .models import (
    Adherence,
    AdherenceAnswer,
    DrugTestResult,
    NaloxoneRecord,
    Reconciliation,
    ReconciliationOccasion,
    TestStatus,
)
from .selectors import OUD_PREFIX
from .testing_rules import Confirmation, Outcome

OPEN_STATES = (EpisodeState.ADMITTED, EpisodeState.ACTIVE, EpisodeState.ON_HOLD)
RECENT_DISCHARGES = 50  # the most recently discharged episodes looked at
RECENT_ANSWERS = 50  # the most recent worrying adherence answers shown


class Work(IntEnum):
    """The kinds of work, in the worklist's order."""

    LEVEL_CHANGE_RECONCILIATION = 1
    ADMISSION_RECONCILIATION = 2
    VISIT = 3
    NALOXONE = 4
    DISCHARGE_RECONCILIATION = 5
    ADHERENCE = 6
    UNEXPECTED_POSITIVE = 7

    @property
    def kind(self) -> str:
        return KINDS[self]


KINDS = {
    Work.LEVEL_CHANGE_RECONCILIATION: "reconciliation_due",
    Work.ADMISSION_RECONCILIATION: "reconciliation_due",
    Work.VISIT: "visit_due",
    Work.NALOXONE: "naloxone",
    Work.DISCHARGE_RECONCILIATION: "reconciliation_due",
    Work.ADHERENCE: "adherence",
    Work.UNEXPECTED_POSITIVE: "unexpected_positive",
}


def visit_interval_days(sessions_per_week: int) -> int:
    """Days between medication visits for a medication management intervention of
    `sessions_per_week`: a week shared out, rounded, at least a day."""
    return max(1, round(7 / sessions_per_week))


EPISODE_WORK = frozenset(
    {
        Work.LEVEL_CHANGE_RECONCILIATION,
        Work.ADMISSION_RECONCILIATION,
        Work.VISIT,
        Work.NALOXONE,
        Work.DISCHARGE_RECONCILIATION,
    }
)


# --- one query a kind of work: (work, patient, patient's names, record) ---------------------

COLUMNS = ("work", "patient_ref", "last_name", "first_name", "ref")


def _rows(queryset: QuerySet, work: Work, *, patient: str = "patient") -> QuerySet:
    """The queryset's records as worklist rows, columns in the order of COLUMNS."""
    return (
        queryset.order_by()
        .annotate(
            work=Value(int(work), output_field=IntegerField()),
            patient_ref=F(patient),
            last_name=F(f"{patient}__legal_last_name"),
            first_name=F(f"{patient}__legal_first_name"),
            ref=F("pk"),
        )
        .values_list(*COLUMNS)
    )


def _signed(occasion: str, **also) -> Exists:
    return Exists(
        Reconciliation.objects.filter(
            episode=OuterRef("pk"), occasion=occasion, signed_at__isnull=False, **also
        )
    )


def _level_change_rows(episodes: QuerySet[Episode]) -> QuerySet:
    """The episode's latest level-of-care change (a transfer, step down or step up, not the
    level it was admitted from) with no level-of-care reconciliation signed since it was
    recorded (docs/clinical-sources.md §7.1)."""
    latest = (
        LevelOfCareChange.objects.filter(episode=OuterRef("pk"))
        .exclude(direction=LevelOfCareDirection.ADMITTED_FROM)
        .order_by("-recorded_at", "-pk")
        .values("recorded_at")[:1]
    )
    unreconciled = (
        episodes.annotate(changed_at=Subquery(latest))
        .filter(changed_at__isnull=False)
        .exclude(
            _signed(ReconciliationOccasion.LEVEL_CHANGE, signed_at__gte=OuterRef("changed_at"))
        )
    )
    return _rows(unreconciled, Work.LEVEL_CHANGE_RECONCILIATION)


def _admission_rows(working: QuerySet[Episode]) -> QuerySet:
    missing = working.exclude(_signed(ReconciliationOccasion.ADMISSION))
    return _rows(missing, Work.ADMISSION_RECONCILIATION)


def sessions_a_week() -> Subquery:
    """The sessions a week of the medication management intervention of the episode's
    latest signed plan that has one."""
    return Subquery(
        Intervention.objects.filter(
            goal__problem__plan__episode=OuterRef("pk"),
            goal__problem__plan__status=PlanStatus.SIGNED,
            modality="medication_management",
            sessions_per_week__gt=0,
        )
        .order_by("-goal__problem__plan__version", "pk")
        .values("sessions_per_week")[:1]
    )


def last_visit() -> Subquery:
    """When the patient's last medication visit started (nulls last on every database)."""
    return Subquery(
        ClinicalNote.objects.filter(patient=OuterRef("patient_id"), kind=NoteKind.MEDICATION)
        .order_by(F("started_at").desc(nulls_last=True))
        .values("started_at")[:1]
    )


def _local_midnight(zone: str, day: date) -> datetime:
    return datetime.combine(day, time(), tzinfo=ZoneInfo(zone))


def _visit_due(zone: str) -> Q:
    """A visit is due in a program of time zone `zone` when the next one (the last
    medication visit's date there, plus the interval; the admission date before any
    visit) is today or past: the last visit started before the day after today less
    the interval, at midnight there."""
    today = zone_today(zone)
    due = Q(last_visit_at__isnull=True, admitted_on__lte=today)
    by_interval: dict[int, list[int]] = {}
    for sessions in range(1, MAX_SESSIONS_PER_WEEK + 1):
        by_interval.setdefault(visit_interval_days(sessions), []).append(sessions)
    for interval, sessions in by_interval.items():
        day_after = today - timedelta(days=interval - 1)
        due |= Q(sessions__in=sessions, last_visit_at__lt=_local_midnight(zone, day_after))
    return Q(program__timezone=zone) & due


def _visit_rows(working: QuerySet[Episode], user) -> QuerySet:
    """Medication visits due, for the prescribers of the patient's program."""
    zones = Program.objects.order_by().values_list("timezone", flat=True).distinct()
    due = Q(pk__in=[])
    for zone in zones:
        due |= _visit_due(zone)
    episodes = (
        working.filter(patient__in=meds_patients_visible_to(user, MedsNeed.PDMP).values("pk"))
        .annotate(sessions=sessions_a_week(), last_visit_at=last_visit())
        .filter(Q(sessions__isnull=False) & due)
    )
    return _rows(episodes, Work.VISIT)


def _naloxone_rows(working: QuerySet[Episode]) -> QuerySet:
    """An opioid use disorder diagnosis (F11) and no naloxone kit offered or provided."""
    opioid_use_disorder = AssessmentDiagnosis.objects.filter(
        assessment__episode__patient=OuterRef("patient_id"), code__startswith=OUD_PREFIX
    )
    naloxone = NaloxoneRecord.objects.filter(patient=OuterRef("patient_id"))
    return _rows(
        working.filter(Exists(opioid_use_disorder)).exclude(Exists(naloxone)), Work.NALOXONE
    )


def _discharge_rows(writable: QuerySet[Patient]) -> QuerySet:
    """The most recently discharged episodes with no signed discharge reconciliation."""
    recent = (
        Episode.objects.filter(
            patient__in=writable, state=EpisodeState.DISCHARGED, admitted_on__isnull=False
        )
        .exclude(_signed(ReconciliationOccasion.DISCHARGE))
        .order_by("-discharged_on", "-pk")
        .values("pk")[:RECENT_DISCHARGES]
    )
    return _rows(Episode.objects.filter(pk__in=recent), Work.DISCHARGE_RECONCILIATION)


def _adherence_rows(writable: QuerySet[Patient]) -> QuerySet:
    """The most recent answers of "no days" or "some days"."""
    recent = (
        Adherence.objects.filter(
            patient__in=writable, answer__in=(AdherenceAnswer.NONE, AdherenceAnswer.SOME)
        )
        .order_by("-answered_at", "-pk")
        .values("pk")[:RECENT_ANSWERS]
    )
    return _rows(Adherence.objects.filter(pk__in=recent), Work.ADHERENCE)


def _unexpected_rows(user) -> QuerySet:
    """Resulted, unreviewed tests with an unexpected positive, of the patients the user is
    primary clinician for (DrugTestResult.unexpected_positive, in SQL)."""
    primary = Patient.objects.filter(
        care_team__user=user, care_team__team_role=CareTeamRole.PRIMARY_CLINICIAN
    )
    unexpected = DrugTestResult.objects.filter(
        test=OuterRef("pk"), outcome=Outcome.POSITIVE, expected=False
    ).exclude(confirmation=Confirmation.NOT_CONFIRMED)
    tests = drug_tests_visible_to(user).filter(
        Exists(unexpected),
        patient__in=primary.values("pk"),
        status=TestStatus.RESULTED,
        reviewed_at__isnull=True,
    )
    return _rows(tests, Work.UNEXPECTED_POSITIVE)


def worklist_rows(user) -> QuerySet:
    """Every item of the user's worklist as a row, ordered: the UNION the pages cut."""
    writable = Patient.objects.filter(
        pk__in=meds_patients_visible_to(user, MedsNeed.WRITE).values("pk")
    )
    episodes = Episode.objects.filter(patient__in=writable, state__in=OPEN_STATES)
    working = episodes.exclude(state=EpisodeState.ON_HOLD)  # the rest waits until back
    parts = (
        _admission_rows(working),
        _visit_rows(working, user),
        _naloxone_rows(working),
        _discharge_rows(writable),
        _adherence_rows(writable),
        _unexpected_rows(user),
    )
    return (
        _level_change_rows(episodes)
        .union(*parts, all=True)
        .order_by("work", "last_name", "first_name", "patient_ref", "ref")
    )
