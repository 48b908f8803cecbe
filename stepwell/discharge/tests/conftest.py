"""Fixtures of the discharge tests, on the root `clinic` fixture: Avery (patient_a, portal
login pat_a) is active in program A with a signed assessment diagnosing F33.1."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from stepwell.discharge import services
from stepwell.intake.models import AssessmentDiagnosis, IntakeAssessment


@pytest.fixture
def diagnosed(clinic):
    assessment = IntakeAssessment.objects.create(
        episode=clinic.episode_a,
        patient=clinic.patient_a,
        status="signed",
        presenting_problems="Low mood",
        created_by=clinic.clinician_a,
        signed_by=clinic.clinician_a,
        signed_at=timezone.now(),
    )
    AssessmentDiagnosis.objects.create(
        assessment=assessment,
        code="F33.1",
        description="Major depressive disorder, recurrent, moderate",
        primary=True,
    )
    return clinic


NARRATIVE = {
    "course_of_treatment": "Attended groups and individual therapy; learned grounding skills.",
    "condition_at_discharge": "Mood improved; no safety concerns.",
    "recommendations": "Weekly outpatient therapy; keep the sleep routine.",
    "disposition": "completed",
    "disposition_reason": "Met treatment goals",
}


@pytest.fixture
def signed_summary(diagnosed):
    clinic = diagnosed
    services.discharge_summary_draft(actor=clinic.clinician_a, episode_id=clinic.episode_a.pk)
    services.discharge_summary_update(
        actor=clinic.clinician_a, episode_id=clinic.episode_a.pk, changes=NARRATIVE
    )
    return services.discharge_summary_sign(actor=clinic.clinician_a, episode_id=clinic.episode_a.pk)


@pytest.fixture
def plan(diagnosed):
    clinic = diagnosed
    plan = services.aftercare_plan_start(actor=clinic.clinician_a, episode_id=clinic.episode_a.pk)
    services.aftercare_plan_update(
        actor=clinic.clinician_a,
        episode_id=clinic.episode_a.pk,
        changes={
            "warning_signs": "Skipping meals; staying in bed",
            "triggers": "Arguments at work",
            "coping_strategies": "Call my sister; walk for 20 minutes",
        },
    )
    return plan


def next_week():
    return timezone.now() + timedelta(days=7)
