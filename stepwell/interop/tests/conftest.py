"""A patient with a full record on the root `clinic` fixture, and a Part 2 patient.

Avery (patient_a, Adult MH, program A) has an episode with its history and levels of care,
a signed assessment with two diagnoses, a signed plan, PHQ-9, GAD-7 and DAST-10 answers,
a group session and an individual session attended with signed notes, a missed
appointment, a draft note and a psychotherapy note. Blake (patient_b) is in program B,
made a 42 CFR Part 2 program here, with a signed assessment and an AUDIT.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import pytest
from django.utils import timezone

from stepwell.care.models import (
    Attendance,
    ClinicalNote,
    GroupNote,
    NoteAddendum,
    NoteCosignature,
)
from stepwell.care.notes import psychotherapy
from stepwell.intake.models import AssessmentDiagnosis, IntakeAssessment
from stepwell.measures import services as measure_services
from stepwell.patients.models import (
    CareTeamMember,
    EpisodeEvent,
    LevelOfCareChange,
)
from stepwell.plans.models import (
    Goal,
    Intervention,
    Objective,
    PlanSignature,
    Problem,
    TreatmentPlan,
)
from stepwell.schedule.models import Appointment, Enrollment, SessionOccurrence
from stepwell.testing.clinic import SHARED

PRIVATE_TEXT = "Process material: the lighthouse keeper dream"
DRAFT_TEXT = "Draft sentence that must never leave"

PHQ9_ANSWERS = {str(n): 2 for n in range(1, 10)} | {"10": 1}  # total 18
GAD7_ANSWERS = {str(n): 1 for n in range(1, 8)}  # total 7
DAST10_ANSWERS = {str(n): "no" for n in range(1, 11)}  # item 3 reversed: total 1


@dataclass
class Record:
    clinic: object
    patient: object
    episode: object
    plan: object
    group_note: object
    group_section: object
    individual_note: object
    draft_note: object
    group_attendance: object
    individual_attendance: object
    missed_appointment: object
    phq9: object
    part2_patient: object
    part2_episode: object


def _signed_assessment(episode, clinician, codes, *, when):
    assessment = IntakeAssessment.objects.create(
        episode=episode,
        patient=episode.patient,
        status="signed",
        presenting_problems="Low mood, poor sleep",
        created_by=clinician,
        signed_by=clinician,
        signed_at=when,
    )
    return [
        AssessmentDiagnosis.objects.create(
            assessment=assessment, code=code, description=description, primary=index == 0
        )
        for index, (code, description) in enumerate(codes)
    ]


@pytest.fixture
def record(clinic, _shared_record) -> Record:
    """Built once per run of tests that take it (stepwell/testing/clinic.py), else here."""
    return SHARED.copy("record") or build_record(clinic)


@pytest.fixture
def _shared_record():
    """Says that the test takes the shared record (only `record` asks for it)."""


def build_record(clinic) -> Record:
    now = timezone.now()
    today = timezone.localdate()
    patient, episode = clinic.patient_a, clinic.episode_a
    episode.referred_on = today - timedelta(days=40)
    episode.admitted_on = today - timedelta(days=30)
    episode.save()
    for from_state, to_state, days in [
        ("", "referred", 40),
        ("referred", "screening", 38),
        ("screening", "assessed", 33),
        ("assessed", "admitted", 30),
        ("admitted", "active", 29),
    ]:
        EpisodeEvent.objects.create(
            episode=episode,
            from_state=from_state,
            to_state=to_state,
            effective_date=today - timedelta(days=days),
            actor=clinic.clinician_a,
        )
    LevelOfCareChange.objects.create(
        episode=episode,
        direction="admitted_from",
        level_of_care="residential",
        effective_date=episode.admitted_on,
        reason="Stepped down after 21 days of residential care",
    )
    CareTeamMember.objects.create(
        patient=patient, user=clinic.clinician_a, team_role="primary_clinician"
    )
    CareTeamMember.objects.create(patient=patient, user=clinic.prescriber_a, team_role="prescriber")
    diagnoses = _signed_assessment(
        episode,
        clinic.clinician_a,
        [
            ("F33.1", "Major depressive disorder, recurrent, moderate"),
            ("F41.1", "Generalized anxiety disorder"),
        ],
        when=now - timedelta(days=33),
    )
    plan = TreatmentPlan.objects.create(
        patient=patient,
        episode=episode,
        version=1,
        status="signed",
        review_days=30,
        created_by=clinic.clinician_a,
        signed_at=now - timedelta(days=28),
    )
    problem = Problem.objects.create(plan=plan, statement="Depressed mood keeps them from work")
    problem.diagnoses.set([diagnoses[0]])
    goal = Goal.objects.create(
        problem=problem,
        domain="mental_health",
        patient_words="I want to feel like myself again",
        clinical_wording="Reduce depressive symptoms to the mild range",
    )
    Objective.objects.create(
        goal=goal,
        description="PHQ-9 total below 10 within six weeks",
        target_date=today + timedelta(days=14),
        measure_kind="questionnaire_total",
        instrument="phq9",
        comparison="below",
        target_value=10,
    )
    Intervention.objects.create(
        goal=goal,
        modality="group_therapy",
        minutes_per_session=180,
        sessions_per_week=3,
        duration_weeks=8,
        responsible=clinic.clinician_a,
    )
    PlanSignature.objects.create(
        plan=plan,
        role="clinician",
        method="electronic",
        signer=clinic.clinician_a,
        signer_name=str(clinic.clinician_a),
        signed_at=plan.signed_at,
    )
    PlanSignature.objects.create(
        plan=plan,
        role="patient",
        method="in_person",
        signer=clinic.clinician_a,
        signer_name=patient.legal_name,
        signed_at=plan.signed_at + timedelta(minutes=5),
    )
    phq9 = measure_services.administration_record(
        actor=clinic.clinician_a,
        patient_id=patient.pk,
        instrument_key="phq9",
        answers=PHQ9_ANSWERS,
        episode_id=episode.pk,
        completed_at=now - timedelta(days=20),
    ).administration
    for key, answers in (("gad7", GAD7_ANSWERS), ("dast10", DAST10_ANSWERS)):
        measure_services.administration_record(
            actor=clinic.clinician_a,
            patient_id=patient.pk,
            instrument_key=key,
            answers=answers,
            episode_id=episode.pk,
            completed_at=now - timedelta(days=20),
        )
    start = now - timedelta(days=7)
    occurrence = SessionOccurrence.objects.create(
        program=clinic.program_a,
        kind="process_group",
        title="Process group",
        starts_at=start,
        ends_at=start + timedelta(hours=3),
        capacity=12,
        enrolled_count=1,
    )
    occurrence.facilitators.set([clinic.clinician_a])
    Enrollment.objects.create(occurrence=occurrence, patient=patient)
    group_attendance = Attendance.objects.create(
        occurrence=occurrence,
        patient=patient,
        status="present",
        minutes_attended=180,
        session_starts_at=occurrence.starts_at,
        session_ends_at=occurrence.ends_at,
    )
    group_note = GroupNote.objects.create(
        occurrence=occurrence,
        author=clinic.clinician_a,
        topic="Distress tolerance",
        interventions="DBT skills",
        started_at=occurrence.starts_at,
        ended_at=occurrence.ends_at,
        participant_count=1,
        facilitator_names=["Test Person, LCSW"],
        signed_at=occurrence.ends_at + timedelta(hours=1),
    )
    group_section = ClinicalNote.objects.create(
        kind="group",
        patient=patient,
        author=clinic.clinician_a,
        group_note=group_note,
        behavior="Engaged, affect brighter.",
        intervention="TIPP practised.",
        response="Named two triggers.",
        plan="Log urges daily.",
        risk_check="no_risk",
        signed_at=group_note.signed_at,
    )
    individual_start = now - timedelta(days=6)
    appointment = Appointment.objects.create(
        patient=patient,
        staff=clinic.clinician_a,
        program=clinic.program_a,
        kind="individual",
        starts_at=individual_start,
        ends_at=individual_start + timedelta(minutes=53),
    )
    individual_attendance = Attendance.objects.create(
        appointment=appointment,
        patient=patient,
        status="present",
        minutes_attended=53,
        session_starts_at=appointment.starts_at,
        session_ends_at=appointment.ends_at,
    )
    individual_note = ClinicalNote.objects.create(
        kind="individual",
        patient=patient,
        author=clinic.clinician_a,
        appointment=appointment,
        note_format="girp",
        goal="Reduce isolation",
        intervention="Behavioural activation",
        response="Planned a call to a friend",
        plan="Review the call next week",
        risk_check="no_risk",
        started_at=appointment.starts_at,
        ended_at=appointment.ends_at,
        modality="telehealth",
        signed_at=appointment.ends_at + timedelta(hours=2),
    )
    NoteCosignature.objects.create(
        note=individual_note,
        cosigner=clinic.prescriber_a,
        cosigner_name=str(clinic.prescriber_a),
        signed_at=individual_note.signed_at + timedelta(hours=1),
    )
    NoteAddendum.objects.create(
        note=individual_note,
        author=clinic.clinician_a,
        text="Also discussed sleep hygiene.",
        written_at=individual_note.signed_at + timedelta(days=1),
    )
    missed_start = now - timedelta(days=3)
    missed_appointment = Appointment.objects.create(
        patient=patient,
        staff=clinic.prescriber_a,
        program=clinic.program_a,
        kind="medication",
        starts_at=missed_start,
        ends_at=missed_start + timedelta(minutes=30),
    )
    Attendance.objects.create(
        appointment=missed_appointment,
        patient=patient,
        status="absent_unexcused",
        session_starts_at=missed_appointment.starts_at,
        session_ends_at=missed_appointment.ends_at,
    )
    draft_note = ClinicalNote.objects.create(
        kind="individual",
        patient=patient,
        author=clinic.clinician_a,
        behavior=DRAFT_TEXT,
        started_at=now - timedelta(days=1),
        ended_at=now - timedelta(days=1) + timedelta(minutes=50),
    )
    psychotherapy.psychotherapy_note_create(
        actor=clinic.clinician_a, patient_id=patient.pk, text=PRIVATE_TEXT
    )
    clinic.program_b.part2_program = True
    clinic.program_b.save()
    part2_episode = clinic.episode_b
    part2_episode.referred_on = today - timedelta(days=10)
    part2_episode.save()
    _signed_assessment(
        part2_episode,
        clinic.clinician_b,
        [("F10.20", "Alcohol dependence, uncomplicated")],
        when=now - timedelta(days=5),
    )
    CareTeamMember.objects.create(
        patient=clinic.patient_b, user=clinic.clinician_b, team_role="primary_clinician"
    )
    measure_services.administration_record(
        actor=clinic.clinician_b,
        patient_id=clinic.patient_b.pk,
        instrument_key="audit",
        answers={str(n): 1 for n in range(1, 9)} | {"9": 0, "10": 0},
        episode_id=part2_episode.pk,
        completed_at=now - timedelta(days=4),
    )
    return Record(
        clinic=clinic,
        patient=patient,
        episode=episode,
        plan=plan,
        group_note=group_note,
        group_section=group_section,
        individual_note=individual_note,
        draft_note=draft_note,
        group_attendance=group_attendance,
        individual_attendance=individual_attendance,
        missed_appointment=missed_appointment,
        phq9=phq9,
        part2_patient=clinic.patient_b,
        part2_episode=part2_episode,
    )


SHARED.register("record", "_shared_record", lambda records: build_record(records["clinic"]))
