"""Every branch of plans/access.py."""

import pytest

from stepwell.plans import access


@pytest.mark.parametrize(
    ("who", "read", "edit", "physician", "patient_sign"),
    [
        ("clinician_a", True, True, False, True),
        ("nurse_a", True, False, False, True),
        ("prescriber_a", True, False, True, True),
        ("director_a", True, False, False, False),
        ("intake_a", False, False, False, False),
        ("billing_a", False, False, False, False),
        ("admin", False, False, False, False),
        ("clinician_b", False, False, False, False),
        ("patient_user_a", True, False, False, True),
        ("patient_user_b", False, False, False, False),
    ],
)
def test_plan_access_matrix(clinic, who, read, edit, physician, patient_sign):
    user = getattr(clinic, who)
    patient = clinic.patient_a
    assert access.access_plan_read(user, patient) is read
    assert access.access_plan_edit(user, patient) is edit
    assert access.access_plan_sign_physician(user, patient) is physician
    assert access.access_plan_sign_patient(user, patient) is patient_sign


def test_inactive_users_get_nothing(clinic):
    for user in (clinic.clinician_a, clinic.patient_user_a, clinic.prescriber_a):
        user.is_active = False
        assert access.access_plan_read(user, clinic.patient_a) is False
        assert access.access_plan_sign_patient(user, clinic.patient_a) is False
