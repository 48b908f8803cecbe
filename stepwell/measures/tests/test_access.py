"""Each branch of measures/access.py."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser

from stepwell.measures import access


@pytest.mark.parametrize(
    ("who", "read", "record", "alerts"),
    [
        ("clinician_a", True, True, True),
        ("prescriber_a", True, True, True),
        ("nurse_a", True, True, True),
        ("intake_a", True, True, False),
        ("director_a", True, False, True),
        ("billing_a", False, False, False),
        ("admin", False, False, False),
        ("clinician_b", False, False, False),
        ("patient_user_a", True, False, False),
        ("patient_user_b", False, False, False),
    ],
)
def test_patient_a_matrix(clinic, who, read, record, alerts):
    user = getattr(clinic, who)
    patient = clinic.patient_a
    assert access.access_measures_read(user, patient) is read
    assert access.access_administration_record(user, patient) is record
    assert access.access_alerts_see(user, patient) is alerts
    assert access.access_alert_acknowledge(user, patient) is alerts
    assert (patient in access.alert_patients_visible_to(user)) is alerts
    assert (patient in access.measures_patients_visible_to(user)) is read


def test_care_team_reaches_another_program(clinic):
    assert access.access_administration_record(clinic.clinician_a, clinic.team_patient_b)
    assert access.access_alerts_see(clinic.clinician_a, clinic.team_patient_b)
    assert not access.access_administration_record(clinic.clinician_a, clinic.patient_b)


def test_anonymous_and_inactive_users_get_nothing(clinic):
    assert not access.access_measures_read(AnonymousUser(), clinic.patient_a)
    assert not access.access_administration_record(AnonymousUser(), clinic.patient_a)
    assert not access.access_questionnaire_complete_own(AnonymousUser(), clinic.patient_a)
    assert not access.measures_patients_visible_to(AnonymousUser()).exists()
    clinic.clinician_a.is_active = False
    clinic.clinician_a.save()
    assert not access.access_measures_read(clinic.clinician_a, clinic.patient_a)
    assert not access.access_alerts_see(clinic.clinician_a, clinic.patient_a)


def test_complete_own_only_for_the_patient_themselves(clinic):
    assert access.access_questionnaire_complete_own(clinic.patient_user_a, clinic.patient_a)
    assert not access.access_questionnaire_complete_own(clinic.patient_user_b, clinic.patient_a)
    assert not access.access_questionnaire_complete_own(clinic.clinician_a, clinic.patient_a)


def test_schedule_manage(clinic):
    assert access.access_schedule_manage(clinic.director_a, clinic.program_a.pk)
    assert not access.access_schedule_manage(clinic.director_a, clinic.program_b.pk)
    assert access.access_schedule_manage(clinic.admin, clinic.program_b.pk)
    assert not access.access_schedule_manage(clinic.clinician_a, clinic.program_a.pk)
    assert not access.access_schedule_manage(clinic.patient_user_a, clinic.program_a.pk)
    assert not access.access_schedule_manage(AnonymousUser(), clinic.program_a.pk)
