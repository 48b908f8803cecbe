"""privacy.access.schedule, branch by branch."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser

from stepwell.privacy.access import schedule as access


def test_program_schedule_read(clinic):
    program = clinic.program_a
    assert not access.access_program_schedule_read(AnonymousUser(), program)
    assert not access.access_program_schedule_read(clinic.patient_user_a, program)
    assert not access.access_program_schedule_read(clinic.billing_a, program)
    assert not access.access_program_schedule_read(clinic.clinician_b, program)
    for user in (
        clinic.clinician_a,
        clinic.prescriber_a,
        clinic.nurse_a,
        clinic.intake_a,
        clinic.director_a,
    ):
        assert access.access_program_schedule_read(user, program)


def test_program_schedule_manage(clinic):
    assert not access.access_program_schedule_manage(clinic.patient_user_a, clinic.program_a)
    assert not access.access_program_schedule_manage(clinic.clinician_a, clinic.program_a)
    assert not access.access_program_schedule_manage(clinic.director_a, clinic.program_b)
    assert access.access_program_schedule_manage(clinic.director_a, clinic.program_a)


def test_patient_schedule_read(clinic):
    patient = clinic.patient_a
    assert not access.access_patient_schedule_read(AnonymousUser(), patient)
    assert access.access_patient_schedule_read(clinic.patient_user_a, patient)
    assert not access.access_patient_schedule_read(clinic.patient_user_b, patient)
    assert not access.access_patient_schedule_read(clinic.billing_a, patient)
    assert not access.access_patient_schedule_read(clinic.admin, patient)
    assert not access.access_patient_schedule_read(clinic.clinician_b, patient)
    assert access.access_patient_schedule_read(clinic.clinician_a, patient)
    assert access.access_patient_schedule_read(clinic.clinician_a, clinic.team_patient_b)


def test_staff_schedule_read(clinic):
    therapist = clinic.clinician_a
    assert not access.access_staff_schedule_read(clinic.patient_user_a, therapist)
    assert not access.access_staff_schedule_read(clinic.director_a, clinic.patient_user_a)
    assert access.access_staff_schedule_read(therapist, therapist)
    assert not access.access_staff_schedule_read(clinic.billing_a, therapist)
    assert not access.access_staff_schedule_read(clinic.clinician_b, therapist)
    assert access.access_staff_schedule_read(clinic.nurse_a, therapist)


def test_feed_manage(clinic):
    patient = clinic.patient_a
    assert not access.access_patient_feed_manage(AnonymousUser(), patient)
    assert access.access_patient_feed_manage(clinic.patient_user_a, patient)
    assert not access.access_patient_feed_manage(clinic.patient_user_b, patient)
    assert not access.access_patient_feed_manage(clinic.nurse_a, patient)
    assert not access.access_patient_feed_manage(clinic.clinician_b, patient)
    assert access.access_patient_feed_manage(clinic.clinician_a, patient)
    assert access.access_patient_feed_manage(clinic.director_a, patient)
    staff = clinic.prescriber_a
    assert not access.access_staff_feed_manage(clinic.patient_user_a, staff)
    assert not access.access_staff_feed_manage(clinic.director_a, clinic.patient_user_a)
    assert access.access_staff_feed_manage(staff, staff)
    assert not access.access_staff_feed_manage(clinic.clinician_a, staff)
    assert not access.access_staff_feed_manage(clinic.clinician_b, clinic.clinician_a)
    # A director turns a staff member's feed off but never makes or reads it.
    assert not access.access_staff_feed_manage(clinic.director_a, staff)
    assert access.access_staff_feed_revoke(clinic.director_a, staff)
    assert access.access_staff_feed_revoke(staff, staff)
    assert not access.access_staff_feed_revoke(clinic.clinician_a, staff)
    assert not access.access_staff_feed_revoke(clinic.clinician_b, staff)
    assert not access.access_staff_feed_revoke(clinic.patient_user_a, staff)
    assert not access.access_staff_feed_revoke(clinic.director_a, clinic.patient_user_a)
