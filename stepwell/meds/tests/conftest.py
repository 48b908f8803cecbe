"""Fixtures of the meds tests, on the root `clinic` fixture: Avery (patient_a) is active
in program A (Adult MH) with a signed assessment diagnosing F33.1 and F11.20; program B
is a Part 2 substance-use program."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from django.utils import timezone

from stepwell.intake.models import AssessmentDiagnosis, IntakeAssessment
from stepwell.meds import services
from stepwell.meds.services import MedicationData


def sertraline(**overrides) -> MedicationData:
    values = {
        "formulary_key": "sertraline",
        "dose": "50",
        "unit": "mg",
        "frequency": "once daily",
        "start_date": date(2026, 10, 1),
    }
    values.update(overrides)
    return MedicationData(**values)


@pytest.fixture
def diagnosed(clinic):
    """Avery's signed assessment with a depression and an opioid use disorder code."""
    assessment = IntakeAssessment.objects.create(
        episode=clinic.episode_a,
        patient=clinic.patient_a,
        status="signed",
        presenting_problems="Low mood; opioid use",
        created_by=clinic.clinician_a,
        signed_by=clinic.clinician_a,
        signed_at=timezone.now(),
    )
    for code, text, primary in (
        ("F33.1", "Major depressive disorder, recurrent, moderate", True),
        ("F11.20", "Opioid dependence, uncomplicated", False),
    ):
        AssessmentDiagnosis.objects.create(
            assessment=assessment, code=code, description=text, primary=primary
        )
    clinic.program_b.part2_program = True
    clinic.program_b.save()
    return clinic


@pytest.fixture
def on_sertraline(diagnosed):
    return services.medication_create(
        actor=diagnosed.prescriber_a, patient_id=diagnosed.patient_a.pk, data=sertraline()
    )


def moment(days_ago: int = 1, hour: int = 15) -> datetime:
    now = timezone.now()
    moment = (now - timedelta(days=days_ago)).replace(hour=hour, minute=0, second=0, microsecond=0)
    # Early in the UTC day, "today at 01:00" is still to come: a day earlier, never future.
    return moment - timedelta(days=1) if moment > now else moment
