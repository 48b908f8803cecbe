"""A record checked by id gets the answer of the scope it used to be fetched from.

The record checks of intake (referrals, assessments, placement decisions, the episode an
assessment is started for), plans (plans, their items, the episode a plan is written
for), discharge, follow-ups and medication records read the record once, with its patient, and answer from the patient's
facts and the user's roles (predicates.read_and_check) instead of filtering the user's
whole scope. Here every person, need and record, and an id not stored, is checked both
ways: allowed exactly when the scope holds the record, and a refusal is audited against
the record's patient (none for the id not stored).
"""

from __future__ import annotations

from collections import defaultdict
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from stepwell.accounts.models import User
from stepwell.accounts.tokens import token_create
from stepwell.care.models import Attendance, ClinicalNote, NoteKind
from stepwell.clinic.models import Program
from stepwell.consent.services.break_glass import break_glass_open
from stepwell.core.kept import READS
from stepwell.followups.models import FollowUp
from stepwell.intake.models import Referral
from stepwell.meds.models import DrugTest, Medication, Reconciliation
from stepwell.patients.models import CareTeamMember, CareTeamRole, Episode, Patient
from stepwell.patients.tests.intake_steps import placement_decided, signed_assessment
from stepwell.plans.models import Goal, Intervention, Objective, Problem, TreatmentPlan
from stepwell.privacy import access
from stepwell.privacy import backends as _session_user_read  # noqa: F401 (its RecordRead)
from stepwell.privacy.access import discharge, followups, intake, measures, meds, notes, plans
from stepwell.privacy.access.patients import PatientNeed
from stepwell.schedule.models import Appointment
from stepwell.testing.checks_by_id import MISSING, Outcomes, compare
from stepwell.testing.kept import assert_read_as_orm
from stepwell.testing.people import CLINIC_PEOPLE


@pytest.fixture
def records(clinic):
    """Every kind of record on each of the clinic's three episodes, with more ways in: a
    nurse of program A on a program-B patient's care team, and emergency access opened
    by program A's director to program B's patient."""
    CareTeamMember.objects.create(
        patient=clinic.patient_b, user=clinic.nurse_a, team_role=CareTeamRole.NURSE
    )
    break_glass_open(
        actor=clinic.director_a,
        record_number=clinic.patient_b.mrn,
        reason="Crisis call from the emergency department tonight.",
    )
    made = defaultdict(list)
    for number, episode in enumerate(
        Episode.objects.select_related("patient", "program").order_by("pk")
    ):
        assessment = signed_assessment(episode, clinic.clinician_a)
        if number:  # one signed, the others drafts
            assessment.status, assessment.signed_at, assessment.signed_by = "draft", None, None
            assessment.save(update_fields=["status", "signed_at", "signed_by"])
        made["assessment"].append(assessment)
        made["decision"].append(placement_decided(assessment, clinic.clinician_a))
        made["referral"].append(
            Referral.objects.create(
                episode=episode,
                patient=episode.patient,
                source="self",
                reason="Synthetic referral",
                received_on=timezone.localdate(),
            )
        )
        plan = TreatmentPlan.objects.create(
            patient=episode.patient,
            episode=episode,
            version=1,
            review_days=30,
            created_by=clinic.clinician_a,
        )
        problem = Problem.objects.create(plan=plan, statement="Low mood")
        goal = Goal.objects.create(
            problem=problem,
            domain="mental_health",
            patient_words="Feel better",
            clinical_wording="Reduce depressive symptoms",
        )
        made["intervention"].append(
            Intervention.objects.create(
                goal=goal,
                modality="individual_therapy",
                minutes_per_session=50,
                sessions_per_week=1,
                duration_weeks=8,
                responsible=clinic.clinician_a,
            )
        )
        made["problem"].append(problem)
        made["goal"].append(goal)
        if number != 1:  # signed, so the patient reads it; the other a draft
            TreatmentPlan.objects.filter(pk=plan.pk).update(
                status="signed", signed_at=timezone.now()
            )
        made["plan"].append(TreatmentPlan.objects.get(pk=plan.pk))
        made["episode"].append(episode)
        made["medication"].append(
            Medication.objects.create(
                patient=episode.patient,
                name="Sertraline",
                dose=Decimal("50"),
                unit="mg",
                frequency="once daily",
                start_date=timezone.localdate(),
                recorded_by=clinic.prescriber_a,
            )
        )
        made["reconciliation"].append(
            Reconciliation.objects.create(
                episode=episode, occasion="admission", started_by=clinic.prescriber_a
            )
        )
        made["follow-up"].append(
            FollowUp.objects.create(
                episode=episode,
                patient=episode.patient,
                program=episode.program,
                days_after_discharge=30,
                due_on=timezone.localdate(),
                instruments=["phq9"],
            )
        )
        made["drug test"].append(
            DrugTest.objects.create(
                patient=episode.patient,
                episode=episode,
                program=episode.program,
                method="laboratory",
                reason="clinical",
                panel=["cocaine"],
                scheduled_on=timezone.localdate(),
                ordered_by=clinic.prescriber_a,
            )
        )
        now = timezone.now()
        made["visit note"].append(
            ClinicalNote.objects.create(
                kind=NoteKind.MEDICATION if number != 2 else NoteKind.INDIVIDUAL,
                patient=episode.patient,
                author=clinic.prescriber_a if number != 1 else clinic.clinician_a,
                started_at=now,
                ended_at=now + timedelta(minutes=20),
            )
        )
    return made


def _ids(rows) -> set[int]:
    return set(rows.values_list("pk", flat=True))


def test_each_record_checked_by_id_is_allowed_as_its_scope_allows(clinic, records):
    outcomes = Outcomes()
    for who in CLINIC_PEOPLE:
        user = getattr(clinic, who)
        chart = _ids(intake.patients_visible_to(user))
        staff = intake.is_staff_member(user)

        compare(
            outcomes,
            "referral",
            user,
            intake.access_referral_by_id,
            records["referral"],
            _ids(intake.referrals_visible_to(user)),
            lambda r: r.patient_id,
        )
        assessments = _ids(intake.assessments_visible_to(user))
        for need in (intake.IntakeNeed.READ, intake.IntakeNeed.DRAFT, intake.IntakeNeed.SIGN):
            rule = intake._ASSESSMENT_RULES[need]
            compare(
                outcomes,
                f"assessment {need}",
                user,
                lambda user, pk, need=need: intake.access_assessment_by_id(user, pk, need=need),
                records["assessment"],
                {
                    a.pk
                    for a in records["assessment"]
                    if a.pk in assessments and rule(user, a.episode)
                },
                lambda a: a.patient_id,
            )
        compare(
            outcomes,
            "episode for a new assessment",
            user,
            intake.access_episode_for_assessment_by_id,
            records["episode"],
            {
                e.pk
                for e in records["episode"]
                if e.patient_id in chart and intake.access_assessment_draft(user, e)
            },
            lambda e: e.patient_id,
        )
        for need in (intake.IntakeNeed.READ, intake.IntakeNeed.ADMIT):
            compare(
                outcomes,
                f"placement decision {need}",
                user,
                lambda user, pk, need=need: intake.access_placement_decision_by_id(
                    user, pk, need=need
                ),
                records["decision"],
                {
                    d.pk
                    for d in records["decision"]
                    if staff
                    and d.episode.patient_id in chart
                    and (
                        need != intake.IntakeNeed.ADMIT or intake.access_admission(user, d.episode)
                    )
                },
                lambda d: d.episode.patient_id,
            )
        for need in plans.PlanNeed:
            scope = plans.plans_for(user, need)
            compare(
                outcomes,
                f"plan {need}",
                user,
                lambda user, pk, need=need: plans.access_plan_by_id(user, pk, need=need),
                records["plan"],
                _ids(scope),
                lambda p: p.patient_id,
            )
            for kind, path in (("problem", "plan"), ("goal", "problem__plan")):
                compare(
                    outcomes,
                    f"{kind} {need}",
                    user,
                    lambda user, pk, kind=kind, need=need: plans.access_plan_item_by_id(
                        user, kind, pk, need=need
                    ),
                    records[kind],
                    _ids(
                        type(records[kind][0]).objects.filter(**{f"{path}__in": scope.values("pk")})
                    ),
                    lambda item, path=path: _patient_through(item, path),
                )
            compare(
                outcomes,
                f"intervention {need}",
                user,
                lambda user, pk, need=need: plans.access_plan_item_by_id(
                    user, "intervention", pk, need=need
                ),
                records["intervention"],
                _ids(Intervention.objects.filter(goal__problem__plan__in=scope.values("pk"))),
                lambda item: _patient_through(item, "goal__problem__plan"),
            )
            compare(
                outcomes,
                f"episode for a new plan {need}",
                user,
                lambda user, pk, need=need: plans.access_plan_episode_by_id(user, pk, need=need),
                records["episode"],
                _ids(plans.plan_episodes_for(user, need)),
                lambda e: e.patient_id,
            )
        for name, check, scope in (
            ("follow-up", followups.access_follow_up_by_id, followups.follow_ups_visible_to),
            (
                "follow-up to record",
                followups.access_follow_up_for_recording_by_id,
                followups.follow_ups_recordable_by,
            ),
        ):
            compare(
                outcomes,
                name,
                user,
                check,
                records["follow-up"],
                _ids(scope(user)),
                lambda f: f.patient_id,
            )
        for need in discharge.DischargeNeed:
            compare(
                outcomes,
                f"discharge episode {need}",
                user,
                lambda user, pk, need=need: discharge.access_discharge_episode_by_id(
                    user, pk, need=need
                ),
                records["episode"],
                _ids(discharge.discharge_episodes_visible_to(user, need)),
                lambda e: e.patient_id,
            )
    # Every check both allowed someone and refused someone.
    outcomes.verify()


def _patient_through(record, path: str) -> int:
    """The patient id of the record reached from `record` by `path` ("" for itself)."""
    for step in filter(None, path.split("__")):
        record = getattr(record, step)
    return record.patient_id


def test_each_patient_checked_by_id_is_allowed_as_its_scope_allows(clinic, records):
    """The patient checks (patient_meeting_or_refuse: the patient read once, the rule
    answered from its facts) against the scopes of the chart, billing, notes, hours,
    measures, recording and medications."""
    stored = list(Patient.objects.order_by("pk"))
    outcomes = Outcomes()
    for who in CLINIC_PEOPLE:
        user = getattr(clinic, who)
        checks = [
            ("chart", access.access_patient_by_id, access.patients_visible_to(user)),
            (
                "billing",
                lambda user, pk: access.access_patient_by_id(user, pk, need=PatientNeed.BILLING),
                access.patients_billing_visible_to(user),
            ),
            ("notes", notes.access_patient_notes_by_id, notes.patients_notes_visible_to(user)),
            ("hours", notes.access_patient_hours_by_id, notes.patients_hours_visible_to(user)),
            (
                "measures",
                measures.access_patient_measures_by_id,
                measures.measures_patients_visible_to(user),
            ),
            (
                "recording",
                measures.access_patient_for_recording_by_id,
                measures.recording_patients_visible_to(user),
            ),
            *(
                (
                    f"medications {need}",
                    lambda user, pk, need=need: meds.access_patient_meds_by_id(user, pk, need=need),
                    meds.meds_patients_visible_to(user, need),
                )
                for need in meds.MedsNeed
            ),
        ]
        for name, check, scope in checks:
            compare(outcomes, name, user, check, stored, _ids(scope), lambda p: p.pk)
    outcomes.verify()


def test_each_medication_record_checked_by_id_is_allowed_as_its_scope_allows(clinic, records):
    """Medications, reconciliations, the episode a reconciliation is started for and
    medication visit notes, against the medication scopes they were fetched from."""
    outcomes = Outcomes()
    for who in CLINIC_PEOPLE:
        user = getattr(clinic, who)
        for need in meds.MedsNeed:
            readable = meds.meds_patients_visible_to(user, need).values("pk")
            for name, key, check, path in (
                ("medication", "medication", meds.access_medication_by_id, ""),
                ("episode for a reconciliation", "episode", meds.access_episode_meds_by_id, ""),
                ("reconciliation", "reconciliation", meds.access_reconciliation_by_id, "episode"),
            ):
                stored = records[key]
                patient = f"{path}__patient__in" if path else "patient__in"
                compare(
                    outcomes,
                    f"{name} {need}",
                    user,
                    lambda user, pk, check=check, need=need: check(user, pk, need=need),
                    stored,
                    _ids(type(stored[0]).objects.filter(**{patient: readable})),
                    lambda record, path=path: _patient_through(record, path),
                )
        visits = ClinicalNote.objects.filter(
            kind=NoteKind.MEDICATION,
            patient__in=meds.meds_patients_visible_to(user).values("pk"),
        )
        for author in (False, True):
            compare(
                outcomes,
                f"visit note (author {author})",
                user,
                lambda user, pk, author=author: meds.access_visit_note_by_id(
                    user, pk, author=author
                ),
                records["visit note"],
                _ids(visits.filter(author_id=user.pk) if author else visits),
                lambda n: n.patient_id,
            )
    for part2 in (True, False):  # outside Part 2 the medication readers read tests too
        Program.objects.filter(pk=clinic.program_b.pk).update(part2_program=part2)
        tests = [DrugTest.objects.get(pk=test.pk) for test in records["drug test"]]
        for who in CLINIC_PEOPLE:
            user = getattr(clinic, who)
            for write, scope in (
                (False, meds.drug_tests_visible_to),
                (True, meds.drug_tests_written_by),
            ):
                compare(
                    outcomes,
                    f"drug test (write {write}, Part 2 {part2})",
                    user,
                    lambda user, pk, write=write: meds.access_drug_test_by_id(
                        user, pk, write=write
                    ),
                    tests,
                    _ids(scope(user)),
                    lambda t: t.patient_id,
                )
    outcomes.verify()


def test_every_record_read_reads_what_the_orm_reads(clinic, records):
    """Each record check's kept read (its SQL compiled once; stepwell/core/kept.py) gives,
    for every stored record of its model and an id not stored, what the ORM's read of the
    same rows gives. The attendance reads are compared in care/tests/test_access.py."""
    assert User in {read.model for read in READS}  # the session's user (privacy/backends.py)
    token_create(user=clinic.clinician_a, name="script")  # read by its prefix
    # the session's second factor (accounts.middleware.VerifiedDeviceMiddleware)
    TOTPDevice.objects.create(user=clinic.clinician_a, name="phone", confirmed=True)
    Objective.objects.create(  # a UUID, a date and a decimal to convert on the way in
        goal=records["goal"][0],
        description="PHQ-9 below 10",
        target_date=timezone.localdate() + timedelta(weeks=6),
        measure_kind="questionnaire_total",
        instrument="phq9",
        comparison="below",
        target_value=Decimal("10.50"),
    )
    compared = set()
    for read in READS:
        missing = MISSING if read.key == "pk" else "not-stored"
        for value in [*read.model.objects.values_list(read.key, flat=True), missing]:
            assert_read_as_orm(read, value)
            compared.add(read)
    assert {read.model for read in READS if read.model.objects.exists()} >= {
        read.model for read in READS if read.model not in (Attendance, Appointment)
    }
    assert len(compared) == len(READS)
