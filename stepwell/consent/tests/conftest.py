"""A 42 CFR Part 2 patient (Blake, program B made a Part 2 program) with a clinician who
acts for them, and a helper that records a Part 2 consent signed on paper."""

from __future__ import annotations

from datetime import timedelta

import pytest

from stepwell.consent.services import consent_record
from stepwell.testing.dates import clinic_today

RECIPIENT = "Dr. Dana Rivera, Harbor Family Medicine"


@pytest.fixture
def part2(clinic):
    clinic.program_b.part2_program = True
    clinic.program_b.save()
    episode = clinic.episode_b
    episode.referred_on = clinic_today() - timedelta(days=20)
    episode.save()
    return clinic


def part2_consent(clinic, **overrides):
    today = clinic_today()
    terms = {
        "actor": clinic.clinician_b,
        "patient_id": clinic.patient_b.pk,
        "kind": "part2",
        "program_ids": [clinic.program_b.pk],
        "signature_method": "paper",
        "recipient_kind": "named",
        "recipients": RECIPIENT,
        "purpose": "treatment",
        "sections": ["episodes", "diagnoses", "measures"],
        "information_description": "Diagnoses and questionnaire scores about alcohol use.",
        "expires_on": today + timedelta(days=365),
        "signer_name": "Blake Birch",
        "signed_on": today,
        "scan": b"%PDF-1.4 signed consent",
        "scan_name": "consent.pdf",
        "scan_content_type": "application/pdf",
    }
    return consent_record(**(terms | overrides))
