"""Every branch of privacy/access/interop.py."""

from __future__ import annotations

import pytest

from stepwell.accounts.models import Role, UserKind
from stepwell.patients.models import CareTeamMember
from stepwell.privacy.access.interop import (
    access_fhir_bulk_export,
    access_fhir_bulk_files,
    access_fhir_export,
    access_fhir_referral_import,
    fhir_export_scope,
)
from stepwell.testing.factories import EpisodeFactory, UserFactory


def test_care_team_staff_export_the_whole_record(clinic):
    scope = fhir_export_scope(clinic.clinician_a, clinic.team_patient_b)
    assert scope.whole_record is True
    assert [e.program_id for e in scope.episodes] == [clinic.program_b.pk]


def test_a_director_exports_only_the_episodes_of_their_programs(clinic):
    second = EpisodeFactory(patient=clinic.patient_a, program=clinic.program_b)
    scope = fhir_export_scope(clinic.director_a, clinic.patient_a)
    assert scope.whole_record is False
    assert [e.pk for e in scope.episodes] == [clinic.episode_a.pk]
    assert access_fhir_export(clinic.director_a, clinic.patient_a, episode=clinic.episode_a)
    assert not access_fhir_export(clinic.director_a, clinic.patient_a, episode=second)


def test_a_director_of_none_of_the_patients_programs_is_refused(clinic):
    assert not access_fhir_export(clinic.director_a, clinic.patient_b)


def test_program_staff_off_the_care_team_are_refused(clinic):
    for user in (clinic.nurse_a, clinic.intake_a, clinic.prescriber_a, clinic.billing_a):
        assert not access_fhir_export(user, clinic.patient_a)


def test_care_team_membership_grants_export_to_any_staff_member(clinic):
    CareTeamMember.objects.create(patient=clinic.patient_a, user=clinic.nurse_a, team_role="nurse")
    assert access_fhir_export(clinic.nurse_a, clinic.patient_a)


def test_an_episode_of_another_patient_is_refused(clinic):
    assert not access_fhir_export(
        clinic.clinician_a, clinic.team_patient_b, episode=clinic.episode_a
    )


def test_patients_admins_and_inactive_staff_are_refused(clinic):
    assert not access_fhir_export(clinic.patient_user_a, clinic.patient_a)
    assert not access_fhir_export(clinic.admin, clinic.patient_a)
    clinic.clinician_a.is_active = False
    clinic.clinician_a.save()
    assert not access_fhir_export(clinic.clinician_a, clinic.team_patient_b)
    with pytest.raises(TypeError):
        access_fhir_export(None, clinic.patient_a)


def test_a_patient_account_on_a_care_team_is_still_refused(clinic):
    other = UserFactory(kind=UserKind.PATIENT)
    CareTeamMember.objects.create(patient=clinic.patient_a, user=other, team_role="clinician")
    assert not access_fhir_export(other, clinic.patient_a)


def test_bulk_export_is_for_the_programs_directors(clinic):
    assert access_fhir_bulk_export(clinic.director_a, clinic.program_a)
    assert not access_fhir_bulk_export(clinic.director_a, clinic.program_b)
    assert not access_fhir_bulk_export(clinic.clinician_a, clinic.program_a)
    assert not access_fhir_bulk_export(clinic.admin, clinic.program_a)


def test_bulk_files_go_only_to_the_director_who_asked(clinic):
    other_director = UserFactory(roles=[Role.PROGRAM_DIRECTOR], programs=[clinic.program_a])
    director = clinic.director_a
    assert access_fhir_bulk_files(director, requested_by_id=director.pk, program=clinic.program_a)
    assert not access_fhir_bulk_files(
        other_director, requested_by_id=director.pk, program=clinic.program_a
    )
    assert not access_fhir_bulk_files(director, requested_by_id=None, program=clinic.program_a)
    director.role_assignments.all().delete()  # no longer its director
    director.forget_roles()
    assert not access_fhir_bulk_files(
        director, requested_by_id=director.pk, program=clinic.program_a
    )


def test_referral_import_follows_who_may_take_referrals(clinic):
    assert access_fhir_referral_import(clinic.intake_a, clinic.program_a)
    assert access_fhir_referral_import(clinic.clinician_a, clinic.program_a)
    assert access_fhir_referral_import(clinic.director_a, clinic.program_a)
    assert not access_fhir_referral_import(clinic.intake_a, clinic.program_b)
    assert not access_fhir_referral_import(clinic.billing_a, clinic.program_a)
    assert not access_fhir_referral_import(clinic.patient_user_a, clinic.program_a)
