"""Helpers for intake tests, and the browser fixture for the referral-to-plan journey."""

from __future__ import annotations

import os
import shutil
import tempfile
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from stepwell.clinic.time import program_today
from stepwell.intake import services
from stepwell.patients.models import CareTeamRole

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

ENGINE_INPUT_IOP = {
    "dimensions": {
        "d1_withdrawal": 1,
        "d2_biomedical": 0,
        "d3_emotional_behavioral": 2,
        "d4_readiness": 1,
        "d5_relapse": 2,
        "d6_recovery_environment": 1,
    },
    "mental_health_severity": "moderately_severe",
    "functional_impairment": "moderate",
    "suicide_risk": "low",
    "medically_stable": True,
    "needs_24h_structure": False,
    "available_hours_per_week": 12,
    "previous_lower_level": "outpatient",
    "previous_lower_level_outcome": "insufficient",
}

PATIENT_DATA = {
    "legal_first_name": "Rowan",
    "legal_last_name": "Quarry",
    "date_of_birth": timezone.localdate().replace(year=1988),
    "sex_assigned_at_birth": "male",
}


def make_referral(clinic, *, actor=None, days_ago: int = 10, **patient):
    return services.referral_create(
        actor=actor or clinic.intake_a,
        program_id=clinic.program_a.pk,
        source="primary_care",
        reason="Low mood for months, missing work",
        urgency="priority",
        insurance="Synthetic Health Plan, verified",
        received_on=program_today(clinic.program_a) - timedelta(days=days_ago),
        patient_data={**PATIENT_DATA, **patient},
    )


def complete_assessment(clinic, referral, *, sign: bool = True):
    assessment = services.assessment_start(actor=clinic.clinician_a, episode_id=referral.episode_id)
    services.assessment_update(
        actor=clinic.clinician_a,
        assessment_id=assessment.pk,
        data={
            "presenting_problems": "Depressed mood, poor sleep, withdrawn from friends",
            "risk_level": "low",
            "patient_goals": "I want to get back to work and enjoy things again",
        },
    )
    services.assessment_diagnosis_add(
        actor=clinic.clinician_a, assessment_id=assessment.pk, code="F33.1"
    )
    if sign:
        assessment = services.assessment_sign(actor=clinic.clinician_a, assessment_id=assessment.pk)
    return assessment


def admit(clinic, referral):
    assessment = complete_assessment(clinic, referral)
    decision = services.placement_decide(
        actor=clinic.clinician_a, assessment_id=assessment.pk, engine_input=ENGINE_INPUT_IOP
    )
    services.admission_admit(
        actor=clinic.clinician_a,
        placement_decision_id=decision.pk,
        care_team=[(clinic.clinician_a.pk, CareTeamRole.PRIMARY_CLINICIAN)],
    )
    referral.refresh_from_db()
    return decision


@pytest.fixture
def browser_page():
    """A fresh headless Chromium page; skipped without /usr/bin/chromium unless required."""
    if not CHROMIUM.exists():
        if os.environ.get("STEPWELL_REQUIRE_BROWSER") == "1":
            pytest.fail("STEPWELL_REQUIRE_BROWSER=1 but /usr/bin/chromium is missing")
        pytest.skip("needs /usr/bin/chromium")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import sync_playwright

    profile = tempfile.mkdtemp(prefix="stepwell-chromium-")
    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            profile,
            executable_path=str(CHROMIUM),
            headless=True,
            args=CHROMIUM_ARGS,
        )
        page = context.pages[0] if context.pages else context.new_page()
        page.set_default_timeout(15000)
        # Signing asks first (data-confirm): accept, and keep what was asked.
        page.dialogs = []
        page.on("dialog", lambda dialog: (page.dialogs.append(dialog.message), dialog.accept()))
        try:
            yield page
        finally:
            context.close()
            shutil.rmtree(profile, ignore_errors=True)
