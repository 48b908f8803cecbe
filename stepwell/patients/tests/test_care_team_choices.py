"""Whom the chart offers for the care team: the active staff of the patient's programs,
each once."""

from __future__ import annotations

import re

import pytest

from stepwell.accounts.models import Role
from stepwell.patients.models import EpisodeState
from stepwell.testing.auth import verified_login
from stepwell.testing.factories import EpisodeFactory, UserFactory

pytestmark = pytest.mark.django_db


def _offered(client, patient) -> list[str]:
    html = client.get(f"/patients/{patient.pk}/").content.decode()
    select = re.search(r'<select name="user"[^>]*>(.*?)</select>', html, re.S)
    assert select, "the chart shows the care team's form"
    return re.findall(r'<option value="(\d+)"', select.group(1))


def test_the_care_team_form_offers_the_active_staff_of_the_patients_programs(client, clinic):
    gone = UserFactory(username="gone_a", roles=[Role.CLINICIAN], programs=[clinic.program_a])
    gone.is_active = False
    gone.save()
    both = UserFactory(
        username="both", roles=[Role.CLINICIAN], programs=[clinic.program_a, clinic.program_b]
    )
    verified_login(client, clinic.director_a)
    program_a_staff = {
        clinic.clinician_a,
        clinic.prescriber_a,
        clinic.nurse_a,
        clinic.intake_a,
        clinic.director_a,
        clinic.billing_a,
        both,
    }
    offered = _offered(client, clinic.patient_a)
    assert sorted(offered) == sorted(str(u.pk) for u in program_a_staff)
    # A second episode in the other program: its staff too, and whoever is in both, once.
    EpisodeFactory(patient=clinic.patient_a, program=clinic.program_b, state=EpisodeState.REFERRED)
    offered = _offered(client, clinic.patient_a)
    assert sorted(offered) == sorted(str(u.pk) for u in program_a_staff | {clinic.clinician_b})
