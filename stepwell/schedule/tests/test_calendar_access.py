"""privacy.access.schedule, branch by branch."""

from __future__ import annotations

import pytest
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


# -- roles per program ---------------------------------------------------------------------


def test_a_director_elsewhere_manages_nothing_here(clinic):
    """Directs B and works in A as a clinician: reads A's week, manages only B's."""
    from stepwell.accounts.models import Role
    from stepwell.testing.factories import UserFactory

    user = UserFactory(
        grants=[(Role.PROGRAM_DIRECTOR, clinic.program_b), (Role.CLINICIAN, clinic.program_a)]
    )
    assert access.access_program_schedule_read(user, clinic.program_a)
    assert not access.access_program_schedule_manage(user, clinic.program_a)
    assert access.access_program_schedule_manage(user, clinic.program_b)
    # A clinician of A may see A's staff; turning their feed off is a director's of A.
    assert access.access_staff_schedule_read(user, clinic.nurse_a)
    assert not access.access_staff_feed_revoke(user, clinic.nurse_a)


def test_a_nurse_who_is_a_clinician_elsewhere_manages_no_feed_here(clinic):
    from stepwell.accounts.models import Role
    from stepwell.testing.factories import UserFactory

    user = UserFactory(grants=[(Role.NURSE, clinic.program_a), (Role.CLINICIAN, clinic.program_b)])
    assert access.access_patient_schedule_read(user, clinic.patient_a)
    assert not access.access_patient_feed_manage(user, clinic.patient_a)
    assert access.access_patient_feed_manage(user, clinic.patient_b)


def test_a_job_prepares_calendars_and_reads_none(clinic):
    from stepwell.privacy.actors import system_actor

    job = system_actor("demo")
    need = access.ScheduleNeed
    assert set(access.schedule_programs_for(job, need.PREPARE)) == {
        clinic.program_a,
        clinic.program_b,
    }
    assert not access.schedule_programs_for(job, need.READ).exists()
    assert not access.schedule_programs_for(job, need.MANAGE).exists()
    assert not access.schedule_programs_for(clinic.director_a, need.PREPARE).exclude(
        pk=clinic.program_a.pk
    )


# -- fetch and check in one call -----------------------------------------------------------


@pytest.mark.parametrize("program", ["b", 987654, 0, -1, 2**63, "abc"])
def test_a_program_one_may_not_read_and_a_missing_one_get_the_same_refusal(clinic, program):
    from stepwell.core.errors import AccessDenied
    from stepwell.privacy.models import AuditEvent

    program_id = clinic.program_b.pk if program == "b" else program
    with pytest.raises(AccessDenied) as refused:
        access.access_program_schedule_by_id(clinic.clinician_a, program_id)
    assert refused.value.message == "You do not have access to this record."
    event = AuditEvent.objects.get(outcome="denied")
    assert (event.username, event.object_type, event.patient_id) == ("clin_a", "program_week", None)
    assert access.access_program_schedule_by_id(clinic.clinician_a, clinic.program_a.pk) == (
        clinic.program_a
    )


def test_staff_feeds_by_id(clinic):
    from stepwell.core.errors import AccessDenied

    staff = clinic.prescriber_a
    assert access.access_staff_feed_by_id(staff, staff.pk) == staff
    assert access.access_staff_feed_by_id(clinic.director_a, staff.pk, revoke=True) == staff
    for user, revoke in ((clinic.director_a, False), (clinic.clinician_a, True)):
        with pytest.raises(AccessDenied):
            access.access_staff_feed_by_id(user, staff.pk, revoke=revoke)
    with pytest.raises(AccessDenied):
        access.access_staff_feed_by_id(clinic.director_a, clinic.patient_user_a.pk, revoke=True)
