"""Urine drug screens: orders, results per substance with expected positives,
laboratory confirmations, the clinician's review of an unexpected positive, and the
program's random testing draw (docs/clinical-sources.md §7). Drug tests are Part 2
records of the program that did them (privacy.access.meds)."""

from __future__ import annotations

from datetime import date, datetime

from django.db import transaction
from django.utils import timezone

from stepwell.clinic.time import program_today
from stepwell.privacy.access.meds import (
    access_drug_test_by_id,
    access_patient_drug_tests_by_id,
    ordering_episodes_of,
)
from stepwell.privacy.audit import AuditAction

from ..models import (
    DrugTest,
    DrugTestResult,
    Medication,
    MedicationChange,
    MedicationStatus,
    TestMethod,
    TestReason,
    TestStatus,
)
from ..testing_rules import (
    STANDARD_PANEL,
    Confirmation,
    Outcome,
    PrescribedCourse,
    Substance,
    expected_from_courses,
)
from .common import meds_audit, refused


def _panel(panel: list[str] | None) -> list[str]:
    chosen = list(dict.fromkeys(panel or []))
    if not chosen:
        raise refused("panel", "Choose at least one substance to test for.")
    unknown = [s for s in chosen if s not in {each.value for each in Substance}]
    if unknown:
        raise refused("panel", f"Not a substance of the panel: {unknown[0]}.")
    return chosen


def drug_test_order(
    *,
    actor,
    patient_id: int,
    method: str,
    scheduled_on: date | None,
    panel: list[str] | None = None,
    reason: str = TestReason.CLINICAL,
    program_id: int | None = None,
) -> DrugTest:
    """Order a screen in a program where the user orders tests (the patient's open
    episode there). Random tests are ordered by the draw, never by hand."""
    patient = access_patient_drug_tests_by_id(
        actor, patient_id, write=True, action=AuditAction.CREATE
    )
    episodes = ordering_episodes_of(actor, patient)
    if program_id:
        episodes = episodes.filter(program_id=program_id)
    episode = episodes.order_by("pk").first()
    if episode is None:
        raise refused("program", "Choose a program where the patient has an open episode.")
    if method not in TestMethod.values:
        raise refused("method", "Choose point-of-care or laboratory.")
    if reason not in (TestReason.CLINICAL, TestReason.SCHEDULED):
        raise refused("reason", "A random test comes from the program's draw, not by hand.")
    if scheduled_on is None:
        raise refused("scheduled_on", "Give the day of the test.")
    chosen = _panel(panel or list(STANDARD_PANEL))
    with transaction.atomic():
        test = DrugTest.objects.create(
            patient=patient,
            episode=episode,
            program=episode.program,
            method=method,
            reason=reason,
            panel=chosen,
            scheduled_on=scheduled_on,
            ordered_by=actor,
        )
        meds_audit(
            actor,
            AuditAction.CREATE,
            patient_id=patient.pk,
            object_type="drug_test",
            object_id=test.pk,
            part2=episode.program.part2_program,
        )
    return test


def drug_test_point_of_care(
    *,
    actor,
    patient_id: int,
    collected_at: datetime | None,
    observed: bool | None,
    results: dict[str, str],
    method: str = TestMethod.POINT_OF_CARE,
    reason: str = TestReason.CLINICAL,
    program_id: int | None = None,
) -> DrugTest:
    """A test ordered and resulted at once (a point-of-care cup read on the spot)."""
    access_patient_drug_tests_by_id(actor, patient_id, write=True, action=AuditAction.CREATE)
    if collected_at is None:
        raise refused("collected_at", "Give the time the sample was collected.")
    with transaction.atomic():
        test = drug_test_order(
            actor=actor,
            patient_id=patient_id,
            method=method,
            scheduled_on=collected_at.date(),
            panel=list(results),
            reason=reason,
            program_id=program_id,
        )
        test.scheduled_on = program_today(test.program, collected_at)
        test.save(update_fields=["scheduled_on"])
        return drug_test_results_record(
            actor=actor,
            test_id=test.pk,
            collected_at=collected_at,
            observed=observed,
            results=results,
        )


def _last_dose(medication: Medication, program) -> date | None:
    """The last day the medication was taken: its stop date; for one on hold, the day it
    was put on hold (its latest status change); None while it is taken."""
    if medication.status == MedicationStatus.ON_HOLD:
        held = (
            medication.changes.filter(kind=MedicationChange.Kind.STATUS)
            .order_by("-changed_at", "-pk")
            .values_list("changed_at", flat=True)
            .first()
        )
        return program_today(program, held) if held else medication.start_date
    return medication.stop_date


def expected_on(patient, day: date, program) -> frozenset[str]:
    """What the patient's medications explain on `day`: those taken that day, and those
    stopped or on hold within their detection window (testing_rules)."""
    medications = Medication.objects.filter(patient=patient, start_date__lte=day).exclude(
        detected_as=""
    )
    courses = [
        PrescribedCourse(
            detected_as=m.detected_as,
            start=m.start_date,
            last_dose=_last_dose(m, program),
            formulary_key=m.formulary_key,
        )
        for m in medications
    ]
    return expected_from_courses(courses, day)


def drug_test_results_record(
    *,
    actor,
    test_id: int,
    collected_at: datetime | None,
    observed: bool | None,
    results: dict[str, str],
    confirmations: dict[str, str] | None = None,
) -> DrugTest:
    """The result of every substance of the panel; the expected ones (from the
    medications taken that day) are marked."""
    test = access_drug_test_by_id(actor, test_id, write=True, action=AuditAction.UPDATE)
    if test.status != TestStatus.ORDERED:
        raise refused("status", "This test already has its results (or was cancelled).")
    if collected_at is None:
        raise refused("collected_at", "Give the time the sample was collected.")
    if collected_at > timezone.now():
        raise refused("collected_at", "The collection time cannot be in the future.")
    if observed is None:
        raise refused("observed", "Say whether the collection was observed.")
    for substance in results:
        if substance not in test.panel:
            raise refused(substance, "Not on this test's panel.")
    for substance in test.panel:
        if results.get(substance) not in {each.value for each in Outcome}:
            raise refused(substance, "Choose negative, positive or invalid.")
    confirmations = confirmations or {}
    for substance, value in confirmations.items():
        if substance not in test.panel or value not in {each.value for each in Confirmation}:
            raise refused(f"confirmation_{substance}", "Choose a confirmation from the list.")
        if value and results[substance] != Outcome.POSITIVE:
            raise refused(f"confirmation_{substance}", "Only a positive is sent for confirmation.")
    expected = expected_on(test.patient, program_today(test.program, collected_at), test.program)
    with transaction.atomic():
        DrugTestResult.objects.bulk_create(
            DrugTestResult(
                test=test,
                substance=substance,
                outcome=results[substance],
                expected=results[substance] == Outcome.POSITIVE and substance in expected,
                confirmation=confirmations.get(substance, ""),
            )
            for substance in test.panel
        )
        test.collected_at, test.observed = collected_at, observed
        test.status, test.resulted_by = TestStatus.RESULTED, actor
        test.save(update_fields=["collected_at", "observed", "status", "resulted_by"])
        meds_audit(
            actor,
            AuditAction.UPDATE,
            patient_id=test.patient_id,
            object_type="drug_test",
            object_id=test.pk,
            part2=test.program.part2_program,
        )
    return test


def drug_test_confirm(*, actor, test_id: int, substance: str, confirmation: str) -> DrugTest:
    """A positive sent to the laboratory, or the laboratory's answer."""
    test = access_drug_test_by_id(actor, test_id, write=True, action=AuditAction.UPDATE)
    result = test.results.filter(substance=substance).first()
    if result is None or result.outcome != Outcome.POSITIVE:
        raise refused("substance", "Choose a positive result of this test.")
    if confirmation not in {each.value for each in Confirmation} or not confirmation:
        raise refused("confirmation", "Choose pending, confirmed or not confirmed.")
    with transaction.atomic():
        result.confirmation = confirmation
        result.save(update_fields=["confirmation"])
        meds_audit(
            actor,
            AuditAction.UPDATE,
            patient_id=test.patient_id,
            object_type="drug_test",
            object_id=test.pk,
            confirmation=confirmation,
        )
    return test


def drug_test_review(*, actor, test_id: int, note: str) -> DrugTest:
    """The clinician has discussed the unexpected positive: it leaves the worklist."""
    test = access_drug_test_by_id(actor, test_id, write=True, action=AuditAction.UPDATE)
    if test.status != TestStatus.RESULTED:
        raise refused("note", "A test is reviewed once it has results.")
    note = (note or "").strip()
    if not note:
        raise refused("note", "Note what was discussed or decided.")
    with transaction.atomic():
        test.reviewed_by, test.reviewed_at = actor, timezone.now()
        test.review_note = note[:500]
        test.save(update_fields=["reviewed_by", "reviewed_at", "review_note"])
        meds_audit(
            actor,
            "review",
            patient_id=test.patient_id,
            object_type="drug_test",
            object_id=test.pk,
        )
    return test
