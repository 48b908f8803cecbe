"""Every branch of intake/access.py."""

import pytest

from stepwell.intake import access

from .conftest import make_referral


def test_board(clinic):
    assert access.access_referral_board(clinic.intake_a)
    assert access.access_referral_board(clinic.clinician_a)
    assert access.access_referral_board(clinic.director_a)
    assert not access.access_referral_board(clinic.nurse_a)  # role not allowed
    assert not access.access_referral_board(clinic.patient_user_a)  # not staff
    clinic.intake_a.is_active = False
    assert not access.access_referral_board(clinic.intake_a)  # inactive


def test_referral_manage(clinic):
    patient = make_referral(clinic).patient
    assert access.access_referral_manage(clinic.intake_a, patient)
    assert not access.access_referral_manage(clinic.patient_user_a, patient)  # not staff
    assert not access.access_referral_manage(clinic.nurse_a, patient)  # role
    assert not access.access_referral_manage(clinic.clinician_b, patient)  # other program


@pytest.mark.parametrize(
    ("who", "read", "write", "sign"),
    [
        ("intake_a", True, True, False),
        ("clinician_a", True, True, True),
        ("nurse_a", True, False, False),
        ("prescriber_a", True, False, False),
        ("director_a", True, False, False),
        ("billing_a", False, False, False),
        ("admin", False, False, False),
        ("clinician_b", False, False, False),
        ("patient_user_a", False, False, False),
    ],
)
def test_assessment_matrix(clinic, who, read, write, sign):
    user = getattr(clinic, who)
    patient = clinic.patient_a
    assert access.access_assessment_read(user, patient) is read
    assert access.access_assessment_write(user, patient) is write
    assert access.access_assessment_sign(user, patient) is sign


def test_admission(clinic):
    episode = make_referral(clinic).episode
    assert access.access_admission(clinic.clinician_a, episode)
    assert access.access_admission(clinic.director_a, episode)
    assert not access.access_admission(clinic.patient_user_a, episode)  # not staff
    assert not access.access_admission(clinic.intake_a, episode)  # role
    assert not access.access_admission(clinic.clinician_b, episode)  # not in program
