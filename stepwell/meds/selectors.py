"""Reads of the medication record, drug tests and the worklists. Each starts from the
acting user (privacy.access.meds) and audits the patients it shows."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.core.paginator import Page
from django.db.models import QuerySet

from stepwell.care.models import ClinicalNote, NoteKind
from stepwell.clinic.time import program_today
from stepwell.core.paging import PAGE_SIZE, page_of, window
from stepwell.intake.models import AssessmentDiagnosis
from stepwell.patients.models import (
    Episode,
    EpisodeState,
    Patient,
)
from stepwell.privacy.access.meds import (
    MedsNeed,
    access_drug_test_by_id,
    access_meds,
    access_own_meds_patient,
    access_patient_drug_tests_by_id,
    access_patient_meds_by_id,
    access_reconciliation_by_id,
    access_testing_program_by_id,
    access_visit_note_by_id,
    drug_tests_of,
    drug_tests_written_by,
    meds_rights,
    ordering_episodes_of,
)
from stepwell.privacy.audit import AuditAction, audit_record

from .models import (
    Adherence,
    Allergy,
    AllergyKind,
    DrugTest,
    DrugTestResult,
    Medication,
    MedicationChange,
    MedicationStatus,
    MedicationVisit,
    NaloxoneRecord,
    PdmpCheck,
    RandomDraw,
    Reconciliation,
    TestingSchedule,
    TestStatus,
)
from .testing_rules import TestDay
from .testing_rules import days_abstinent as abstinent_days

OUD_PREFIX = "F11"
RECENT = 8


def _audit(user, *, patient_id, object_type, object_id, action=AuditAction.VIEW, **detail):
    audit_record(
        user=user,
        action=action,
        patient_id=patient_id,
        object_type=object_type,
        object_id=object_id,
        detail=detail,
    )


def has_opioid_use_disorder(patient: Patient) -> bool:
    """An F11 (opioid-related disorder) diagnosis on one of the patient's assessments."""
    return AssessmentDiagnosis.objects.filter(
        assessment__episode__patient=patient, code__startswith=OUD_PREFIX
    ).exists()


def days_abstinent(patient: Patient, on: date) -> int | None:
    """Days abstinent by drug testing (testing_rules.days_abstinent): for the milestones
    of issue 13. Self-report is not counted. The caller has checked access."""
    tests = (
        DrugTest.objects.filter(patient=patient, status=TestStatus.RESULTED)
        .select_related("program")
        .prefetch_related("results")
    )
    days = [
        TestDay(
            collected_on=program_today(test.program, test.collected_at),
            unexpected_positive=any(r.unexpected_positive for r in test.results.all()),
        )
        for test in tests
    ]
    return abstinent_days(days, on)


def unexpected_substances(test: DrugTest) -> list[str]:
    return [r.substance for r in test.results.all() if r.unexpected_positive]


@dataclass
class MedsChart:
    patient: Patient
    medications: list[Medication]
    stopped: list[Medication]
    allergies: list[Allergy]
    allergy_status: str  # "recorded", "none_known" or "not_asked"
    reconciliations: Page  # newest first, 50 a page
    open_episodes: list[Episode]
    visits: list[ClinicalNote]
    adherence: list[Adherence]
    naloxone: list[NaloxoneRecord]
    pdmp: list[PdmpCheck]
    opioid_use_disorder: bool
    drug_tests: list[DrugTest]
    test_episodes: list[Episode]
    days_abstinent: int | None
    can_write: bool
    can_attest_pdmp: bool
    can_start_visit: bool
    medication_page: Page | None = None
    can_order_tests: bool = False
    unexpected: list[tuple[DrugTest, list[str]]] = field(default_factory=list)


def _medications_of(patient: Patient) -> QuerySet[Medication]:
    """The patient's medication list: active, then on hold, then stopped, by name."""
    return (
        Medication.objects.filter(patient=patient)
        .select_related("prescriber")
        .order_by("status", "name", "pk")
    )


def meds_chart(
    *, user, patient_id: int, page_number=None, reconciliations_page_number=None
) -> MedsChart:
    """The medication record of one patient, audited as viewed. The medication list
    (current ones first, the stopped ones after them) and the reconciliations come a page
    at a time, each its own page number; the other lists are the patient's active
    allergies or the few most recent records."""
    patient = access_patient_meds_by_id(user, patient_id, object_type="medication_record")
    medication_page = page_of(_medications_of(patient), page_number)
    medications = list(medication_page.object_list)
    allergies = list(Allergy.objects.filter(patient=patient, active=True))
    if any(a.kind != AllergyKind.NO_KNOWN_ALLERGIES for a in allergies):
        allergy_status = "recorded"
    elif allergies:
        allergy_status = "none_known"
    else:
        allergy_status = "not_asked"
    tests = list(
        drug_tests_of(user, patient).select_related("program").prefetch_related("results")[:RECENT]
    )
    today = max(
        (program_today(e.program) for e in patient.episodes.select_related("program")),
        default=None,
    )
    rights = meds_rights(user, patient)
    chart = MedsChart(
        patient=patient,
        medications=[m for m in medications if m.status != MedicationStatus.STOPPED],
        stopped=[m for m in medications if m.status == MedicationStatus.STOPPED],
        allergies=allergies,
        allergy_status=allergy_status,
        reconciliations=page_of(
            Reconciliation.objects.filter(episode__patient=patient)
            .select_related("episode__program")
            .order_by("-started_at", "-pk"),
            reconciliations_page_number,
        ),
        open_episodes=list(
            patient.episodes.exclude(
                state__in=(EpisodeState.REFERRED, EpisodeState.SCREENING, EpisodeState.ASSESSED)
            ).select_related("program")
        ),
        visits=list(
            ClinicalNote.objects.filter(patient=patient, kind=NoteKind.MEDICATION)
            .select_related("author", "med_visit")
            .order_by("-started_at")[:RECENT]
        ),
        adherence=list(Adherence.objects.filter(patient=patient)[:4]),
        naloxone=list(NaloxoneRecord.objects.filter(patient=patient)[:3]),
        pdmp=list(PdmpCheck.objects.filter(patient=patient).select_related("attested_by")[:3]),
        opioid_use_disorder=has_opioid_use_disorder(patient),
        drug_tests=tests,
        test_episodes=list(ordering_episodes_of(user, patient)),
        days_abstinent=days_abstinent(patient, today) if tests and today else None,
        can_write=rights[MedsNeed.WRITE],
        can_attest_pdmp=rights[MedsNeed.PDMP],
        can_start_visit=rights[MedsNeed.PDMP],
        medication_page=medication_page,
    )
    chart.can_order_tests = bool(chart.test_episodes)
    chart.unexpected = [(t, unexpected_substances(t)) for t in tests if unexpected_substances(t)]
    _audit(user, patient_id=patient.pk, object_type="medication_record", object_id=patient.pk)
    return chart


def patient_medications(
    *, user, patient_id: int, limit: int = PAGE_SIZE, offset: int = 0
) -> tuple[Patient, list[Medication]]:
    """`limit` of the patient's medications after `offset`, in the chart's order."""
    patient = access_patient_meds_by_id(user, patient_id, action=AuditAction.LIST)
    rows = list(window(_medications_of(patient), limit=limit, offset=offset))
    _audit(
        user,
        patient_id=patient.pk,
        object_type="medication",
        object_id=patient.pk,
        action=AuditAction.LIST,
    )
    return patient, rows


def patient_allergies(
    *, user, patient_id: int, limit: int = PAGE_SIZE, offset: int = 0
) -> tuple[Patient, list[Allergy]]:
    """`limit` of the patient's allergy records after `offset`: active ones first."""
    patient = access_patient_meds_by_id(
        user, patient_id, action=AuditAction.LIST, object_type="allergy"
    )
    allergies = Allergy.objects.filter(patient=patient).order_by(
        "-active", "kind", "substance", "pk"
    )
    rows = list(window(allergies, limit=limit, offset=offset))
    _audit(
        user,
        patient_id=patient.pk,
        object_type="allergy",
        object_id=patient.pk,
        action=AuditAction.LIST,
    )
    return patient, rows


def patient_drug_tests(
    *, user, patient_id: int, limit: int = PAGE_SIZE, offset: int = 0
) -> tuple[Patient, list[DrugTest]]:
    """`limit` of the drug tests of the patient the user may read after `offset`, newest
    first; the audit's Part 2 flag is of the tests shown."""
    patient = access_patient_drug_tests_by_id(user, patient_id)
    tests = (
        drug_tests_of(user, patient)
        .select_related("program")
        .prefetch_related("results")
        .order_by("-scheduled_on", "-pk")
    )
    rows = list(window(tests, limit=limit, offset=offset))
    _audit(
        user,
        patient_id=patient.pk,
        object_type="drug_test",
        object_id=patient.pk,
        action=AuditAction.LIST,
        part2=any(t.program.part2_program for t in rows),
    )
    return patient, rows


def reconciliation_view(*, user, reconciliation_id: int) -> Reconciliation:
    reconciliation = access_reconciliation_by_id(user, reconciliation_id)
    _audit(
        user,
        patient_id=reconciliation.episode.patient_id,
        object_type="reconciliation",
        object_id=reconciliation.pk,
    )
    return reconciliation


def reconciliation_items(reconciliation: Reconciliation):
    return list(reconciliation.items.select_related("medication"))


def discharge_medication_list(episode: Episode) -> list[Medication] | None:
    """What the discharge summary lists: the medications the signed discharge
    reconciliation continued, changed or started. None before it is signed."""
    signed = (
        Reconciliation.objects.filter(episode=episode, occasion="discharge")
        .exclude(signed_at=None)
        .order_by("-signed_at")
        .first()
    )
    if signed is None:
        return None
    kept = signed.items.filter(decision__in=("continue", "change", "new"))
    return list(Medication.objects.filter(pk__in=kept.values("medication_id")))


@dataclass
class VisitPage:
    note: ClinicalNote
    visit: MedicationVisit | None
    medications: list[Medication]
    changes: list
    can_edit: bool


def visit_view(*, user, note_id: int) -> VisitPage:
    note = access_visit_note_by_id(user, note_id)
    visit = MedicationVisit.objects.filter(note=note).first()
    _audit(user, patient_id=note.patient_id, object_type="medication_visit", object_id=note.pk)
    return VisitPage(
        note=note,
        visit=visit,
        medications=list(
            Medication.objects.filter(patient_id=note.patient_id).exclude(
                status=MedicationStatus.STOPPED
            )
        ),
        changes=list(MedicationChange.objects.filter(visit_note=note).select_related("medication")),
        can_edit=note.author_id == user.pk and not note.is_signed,
    )


def drug_test_view(*, user, test_id: int) -> tuple[DrugTest, bool]:
    test = access_drug_test_by_id(user, test_id)
    _audit(
        user,
        patient_id=test.patient_id,
        object_type="drug_test",
        object_id=test.pk,
        part2=test.program.part2_program,
    )
    writable = drug_tests_written_by(user).filter(pk=test.pk).exists()
    return test, writable


# --- the portal and the program's random testing -------------------------------------------


@dataclass
class PortalMeds:
    patient: Patient
    medications: Page  # the active ones, by name, 50 a page
    answers: list[Adherence]


def portal_meds(*, user, page_number=None) -> PortalMeds:
    """The patient's own active medications (a page of them) and last four answers."""
    patient = access_own_meds_patient(user)
    _audit(user, patient_id=patient.pk, object_type="adherence", object_id=patient.pk)
    return PortalMeds(
        patient=patient,
        medications=page_of(
            Medication.objects.filter(patient=patient, status=MedicationStatus.ACTIVE).order_by(
                "name", "pk"
            ),
            page_number,
        ),
        answers=list(Adherence.objects.filter(patient=patient)[:4]),
    )


@dataclass
class TestingPage:
    program: object
    schedule: TestingSchedule | None
    draws: list[RandomDraw]


def testing_page(*, user, program_id: int) -> TestingPage:
    program = access_testing_program_by_id(user, program_id)
    draws = list(RandomDraw.objects.filter(program=program)[:8])
    _audit(
        user,
        patient_id=None,
        object_type="testing_schedule",
        object_id=program.pk,
        patients=sorted({pid for d in draws for pid, _ in d.picks}),
    )
    return TestingPage(
        program=program,
        schedule=TestingSchedule.objects.filter(program=program).first(),
        draws=draws,
    )


def results_of(test: DrugTest) -> QuerySet[DrugTestResult]:
    return test.results.all()


def prescribers_for(patient: Patient):
    """The prescribers of the patient's programs (a form's choices)."""
    from stepwell.accounts.models import Role, User

    programs = patient.episodes.values("program_id")
    return (
        User.objects.filter(
            is_active=True,
            role_assignments__role=Role.PRESCRIBER,
            role_assignments__program_id__in=programs,
        )
        .distinct()
        .order_by("last_name", "first_name")
    )


def diagnoses_of(patient: Patient):
    """The patient's diagnoses, one per code (a medication's reason)."""
    seen, result = set(), []
    for diagnosis in AssessmentDiagnosis.objects.filter(
        assessment__episode__patient=patient
    ).order_by("-primary", "code"):
        if diagnosis.code not in seen:
            seen.add(diagnosis.code)
            result.append(diagnosis)
    return result


def medication_view(*, user, medication_id: int) -> Medication:
    """A medication whose record the user reads, audited as viewed (changing it is the
    service's decision)."""
    from stepwell.privacy.access.meds import MedsNeed, access_medication_by_id

    medication = access_medication_by_id(
        user, medication_id, need=MedsNeed.READ, action=AuditAction.VIEW
    )
    _audit(
        user, patient_id=medication.patient_id, object_type="medication", object_id=medication.pk
    )
    return medication


def episode_for_reconciliation(*, user, episode_id: int) -> Episode:
    from stepwell.privacy.access.meds import access_episode_meds_by_id

    return access_episode_meds_by_id(user, episode_id)


def can_write_meds(*, user, patient: Patient) -> bool:
    return access_meds(user, patient, MedsNeed.WRITE)
