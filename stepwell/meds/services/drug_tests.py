"""Urine drug screens: orders, results per substance with expected positives,
laboratory confirmations, the clinician's review of an unexpected positive, and the
program's random testing draw (docs/clinical-sources.md §7). Drug tests are Part 2
records of the program that did them (privacy.access.meds)."""

from __future__ import annotations

import secrets
from datetime import date, datetime

from django.db import transaction
from django.utils import timezone

from stepwell.clinic.models import Program
from stepwell.clinic.time import program_today
from stepwell.patients.models import Episode, EpisodeState
from stepwell.privacy.access.meds import (
    access_drug_test_by_id,
    access_patient_drug_tests_by_id,
    access_random_draw,
    access_testing_program_by_id,
    ordering_episodes_of,
)
from stepwell.privacy.actors import is_system
from stepwell.privacy.audit import AuditAction
from stepwell.privacy.refusals import refuse
from stepwell.schedule.calendar.weeks import iso_week_bounds

from ..models import (
    DrugTest,
    DrugTestResult,
    Medication,
    MedicationChange,
    MedicationStatus,
    RandomDraw,
    TestingSchedule,
    TestMethod,
    TestReason,
    TestStatus,
)
from ..testing_rules import (
    STANDARD_PANEL,
    Confirmation,
    Outcome,
    Substance,
    PrescribedCourse,
    draw_random_tests,
    expected_from_courses,
    program_days,
)
from .common import meds_audit, refused

DRAWN_STATES = (EpisodeState.ADMITTED, EpisodeState.ACTIVE)


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
    expected = expected_on(
        test.patient, program_today(test.program, collected_at), test.program
    )
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


def random_testing_set(
    *, actor, program_id: int, tests_per_week: int, weekdays: list[int], active: bool = True
) -> TestingSchedule:
    program = access_testing_program_by_id(actor, program_id, action=AuditAction.UPDATE)
    if not isinstance(tests_per_week, int) or not 1 <= tests_per_week <= 5:
        raise refused("tests_per_week", "Between 1 and 5 random tests a week.")
    days = sorted({int(w) for w in weekdays if str(w).isdigit() and 0 <= int(w) <= 6})
    if len(days) < tests_per_week:
        raise refused("weekdays", "Choose at least as many testing days as tests a week.")
    with transaction.atomic():
        schedule, _ = TestingSchedule.objects.update_or_create(
            program=program,
            defaults={
                "tests_per_week": tests_per_week,
                "weekdays": ",".join(str(d) for d in days),
                "active": active,
            },
        )
        meds_audit(
            actor,
            AuditAction.UPDATE,
            patient_id=None,
            object_type="testing_schedule",
            object_id=program.pk,
            tests_per_week=tests_per_week,
            weekdays=days,
        )
    return schedule


def random_draw_run(*, actor, program_id: int, week: str) -> RandomDraw:
    """Draw the week's random tests: the system picks the seed, every admitted or active
    patient of the program is eligible, and each gets the schedule's number of random
    days. One draw per program and week: nobody draws again for a better answer."""
    program = Program.objects.filter(pk=program_id).first()
    if not access_random_draw(actor, program.pk if program else None):
        raise refuse(
            actor=actor,
            action=AuditAction.CREATE,
            object_type="random_draw",
            object_id=f"{program_id}:{week}"[:64],
        )
    monday, _ = iso_week_bounds(week)
    schedule = TestingSchedule.objects.filter(program=program, active=True).first()
    if schedule is None:
        raise refused("program", "The program has no random testing schedule.")
    with transaction.atomic():
        if RandomDraw.objects.filter(program=program, week=week).exists():
            raise refused("week", f"The random tests of {week} are already drawn.")
        eligible = sorted(
            Episode.objects.filter(program=program, state__in=DRAWN_STATES).values_list(
                "patient_id", flat=True
            )
        )
        days = program_days(monday, schedule.weekday_list)
        seed = secrets.token_hex(16)
        picks = draw_random_tests(
            seed=seed, eligible=eligible, days=days, tests_per_week=schedule.tests_per_week
        )
        draw = RandomDraw.objects.create(
            program=program,
            week=week,
            seed=seed,
            eligible=eligible,
            days=[d.isoformat() for d in days],
            picks=[[p.patient_id, p.day.isoformat()] for p in picks],
            tests_per_week=schedule.tests_per_week,
            drawn_by=actor.get_username(),
        )
        episodes = dict(
            Episode.objects.filter(program=program, state__in=DRAWN_STATES).values_list(
                "patient_id", "pk"
            )
        )
        DrugTest.objects.bulk_create(
            DrugTest(
                patient_id=pick.patient_id,
                episode_id=episodes[pick.patient_id],
                program=program,
                method=TestMethod.POINT_OF_CARE,
                reason=TestReason.RANDOM,
                panel=list(STANDARD_PANEL),
                scheduled_on=pick.day,
                ordered_by=None if is_system(actor) else actor,
                random_draw=draw,
            )
            for pick in picks
        )
        meds_audit(
            actor,
            AuditAction.CREATE,
            patient_id=None,
            object_type="random_draw",
            object_id=draw.pk,
            week=week,
            patients=eligible,
        )
    return draw


def random_draw_verify(draw: RandomDraw) -> bool:
    """Run the draw again from what it stored: the same seed and inputs give the same
    picks, so a draw that was tampered with (or chosen by hand) does not verify."""
    days = [date.fromisoformat(d) for d in draw.days]
    picks = draw_random_tests(
        seed=draw.seed, eligible=draw.eligible, days=days, tests_per_week=draw.tests_per_week
    )
    return [[p.patient_id, p.day.isoformat()] for p in picks] == draw.picks
