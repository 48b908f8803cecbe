"""Every branch of the access module, one test per rule."""

import pytest

from stepwell.accounts.models import Role, UserKind
from stepwell.privacy import access
from stepwell.testing.factories import UserFactory


def visible(user):
    return set(access.patients_visible_to(user).values_list("legal_first_name", flat=True))


def test_anonymous_user_sees_no_patient(clinic):
    from django.contrib.auth.models import AnonymousUser

    assert visible(AnonymousUser()) == set()


def test_inactive_staff_sees_no_patient(clinic):
    clinic.clinician_a.is_active = False
    clinic.clinician_a.save()
    assert visible(clinic.clinician_a) == set()


def test_patient_sees_only_themselves(clinic):
    assert visible(clinic.patient_user_a) == {"Avery"}
    assert visible(clinic.patient_user_b) == {"Blake"}


def test_patient_user_without_record_sees_nothing(clinic):
    assert visible(UserFactory(kind=UserKind.PATIENT)) == set()


def test_clinician_sees_own_program_and_care_team(clinic):
    assert visible(clinic.clinician_a) == {"Avery", "Casey"}


def test_clinician_does_not_see_other_program(clinic):
    assert "Blake" not in visible(clinic.clinician_a)
    assert visible(clinic.clinician_b) == {"Blake", "Casey"}


@pytest.mark.parametrize("who", ["prescriber_a", "nurse_a"])
def test_prescriber_and_nurse_see_their_program(clinic, who):
    assert visible(getattr(clinic, who)) == {"Avery"}


def test_intake_coordinator_sees_program_but_not_by_care_team(clinic):
    intake = clinic.intake_a
    from stepwell.testing.factories import CareTeamMemberFactory

    CareTeamMemberFactory(patient=clinic.patient_b, user=intake)
    assert visible(intake) == {"Avery"}


def test_director_sees_their_programs(clinic):
    assert visible(clinic.director_a) == {"Avery"}


def test_billing_sees_no_clinical_record_but_billing_fields(clinic):
    assert visible(clinic.billing_a) == set()
    assert set(
        access.patients_billing_visible_to(clinic.billing_a).values_list(
            "legal_first_name", flat=True
        )
    ) == {"Avery"}


def test_billing_scope_needs_billing_role(clinic):
    assert access.patients_billing_visible_to(clinic.clinician_a).count() == 0


def test_administrator_reads_no_clinical_content(clinic):
    assert visible(clinic.admin) == set()
    assert access.patients_billing_visible_to(clinic.admin).count() == 0
    assert access.access_clinic_configuration(clinic.admin) is True
    assert access.access_clinic_configuration(clinic.director_a) is False


def test_staff_without_roles_sees_nothing(clinic):
    user = UserFactory(programs=[clinic.program_a])
    assert visible(user) == set()


def test_register_needs_role_and_program(clinic):
    assert access.access_patient_register(clinic.intake_a, clinic.program_a.pk) is True
    assert access.access_patient_register(clinic.intake_a, clinic.program_b.pk) is False
    assert access.access_patient_register(clinic.clinician_a, clinic.program_a.pk) is True
    assert access.access_patient_register(clinic.director_a, clinic.program_a.pk) is True
    assert access.access_patient_register(clinic.prescriber_a, clinic.program_a.pk) is False
    assert access.access_patient_register(clinic.billing_a, clinic.program_a.pk) is False
    assert access.access_patient_register(clinic.patient_user_a, clinic.program_a.pk) is False


def test_transition_rules_by_role(clinic):
    ep_a, ep_b = clinic.episode_a, clinic.episode_b
    assert access.access_episode_transition(clinic.clinician_a, ep_a, "on_hold") is True
    assert access.access_episode_transition(clinic.director_a, ep_a, "discharged") is True
    assert access.access_episode_transition(clinic.clinician_a, ep_b, "screening") is False
    assert access.access_episode_transition(clinic.nurse_a, ep_a, "on_hold") is False
    assert access.access_episode_transition(clinic.billing_a, ep_a, "on_hold") is False
    assert access.access_episode_transition(clinic.patient_user_a, ep_a, "on_hold") is False


def test_intake_coordinator_moves_only_pre_admission(clinic):
    intake = UserFactory(roles=[Role.INTAKE_COORDINATOR], programs=[clinic.program_b])
    assert access.access_episode_transition(intake, clinic.episode_b, "screening") is True
    assert access.access_episode_transition(intake, clinic.episode_b, "discharged") is True
    clinic.episode_b.state = "assessed"
    assert access.access_episode_transition(intake, clinic.episode_b, "admitted") is False
    assert access.access_episode_transition(clinic.intake_a, clinic.episode_a, "on_hold") is False


def test_care_team_edit(clinic):
    assert access.access_care_team_edit(clinic.clinician_a, clinic.patient_a) is True
    assert access.access_care_team_edit(clinic.director_a, clinic.patient_a) is True
    assert access.access_care_team_edit(clinic.clinician_a, clinic.patient_b) is False
    assert access.access_care_team_edit(clinic.nurse_a, clinic.patient_a) is False


def test_audit_trail_access_and_scope(clinic):
    from stepwell.privacy.audit import audit_record
    from stepwell.privacy.models import AuditEvent

    audit_record(user=clinic.clinician_a, action="view", patient_id=clinic.patient_a.pk)
    audit_record(user=clinic.clinician_b, action="view", patient_id=clinic.patient_b.pk)
    audit_record(user=clinic.admin, action="privilege_change", object_type="user")
    assert access.access_audit_trail(clinic.director_a) is True
    assert access.access_audit_trail(clinic.admin) is True
    assert access.access_audit_trail(clinic.clinician_a) is False
    audit_record(user=clinic.nurse_a, action="login")
    director_events = AuditEvent.objects.filter(access.audit_scope_as_set(clinic.director_a))
    assert set(director_events.values_list("patient_id", "username")) == {
        (clinic.patient_a.pk, "clin_a"),
        (None, "nurse_a"),  # about no patient, by staff of the director's program
    }
    admin_events = AuditEvent.objects.filter(access.audit_scope_as_set(clinic.admin))
    assert set(admin_events.values_list("patient_id", flat=True)) == {None}
    assert AuditEvent.objects.filter(access.audit_scope_as_set(clinic.clinician_a)).count() == 0
    assert access.audit_scope_ways(clinic.clinician_a) == []
