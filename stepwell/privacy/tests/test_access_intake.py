"""Every branch of privacy/access/intake.py, roles per program included."""

from __future__ import annotations

import pytest

from stepwell.accounts.models import Role
from stepwell.core.errors import AccessDenied
from stepwell.intake.models import IntakeAssessment, PlacementDecision, Referral
from stepwell.privacy.access import intake as access
from stepwell.privacy.access.intake import IntakeNeed
from stepwell.privacy.actors import system_actor
from stepwell.privacy.models import AuditEvent
from stepwell.testing.factories import EpisodeFactory, PatientFactory, UserFactory

MISSING = 987654321


def _referral(episode, user) -> Referral:
    return Referral.objects.create(
        episode=episode,
        patient=episode.patient,
        source="self",
        reason="Low mood",
        received_on=episode.referred_on,
        created_by=user,
    )


def _assessment(episode, user) -> IntakeAssessment:
    return IntakeAssessment.objects.create(
        episode=episode, patient=episode.patient, created_by=user
    )


@pytest.fixture
def intake_a_nurse_b(clinic):
    """Intake coordinator in program A, nurse in program B: no intake role in B."""
    return UserFactory(
        username="intake_a_nurse_b",
        grants=[(Role.INTAKE_COORDINATOR, clinic.program_a), (Role.NURSE, clinic.program_b)],
    )


def denied(**filters):
    return AuditEvent.objects.filter(outcome="denied", **filters)


# --- the referral board ------------------------------------------------------------------


def test_board(clinic):
    assert access.access_referral_board(clinic.intake_a)
    assert access.access_referral_board(clinic.clinician_a)
    assert access.access_referral_board(clinic.director_a)
    assert not access.access_referral_board(clinic.nurse_a)  # role not allowed
    assert not access.access_referral_board(clinic.billing_a)  # role not allowed
    assert not access.access_referral_board(clinic.admin)  # no program
    assert not access.access_referral_board(clinic.patient_user_a)  # not staff
    assert not access.access_referral_board(system_actor("test"))  # a job holds no role
    clinic.intake_a.is_active = False
    assert not access.access_referral_board(clinic.intake_a)  # inactive


def test_the_board_lists_the_referrals_of_the_programs_where_the_role_is_held(
    clinic, intake_a_nurse_b
):
    referral_a = _referral(clinic.episode_a, clinic.intake_a)
    referral_b = _referral(clinic.episode_b, clinic.intake_a)
    assert set(access.referrals_visible_to(intake_a_nurse_b)) == {referral_a}
    assert set(access.referrals_visible_to(clinic.clinician_b)) == {referral_b}
    assert not access.referrals_visible_to(clinic.nurse_a).exists()


def test_a_care_team_clinician_of_another_program_does_not_work_its_board(clinic):
    """clinician_a is on the care team of a program-B patient: they see the chart, but the
    referral belongs to program B's board (a change from global roles)."""
    episode = clinic.team_patient_b.episodes.get()
    referral = _referral(episode, clinic.clinician_b)
    assert referral not in access.referrals_visible_to(clinic.clinician_a)
    with pytest.raises(AccessDenied):
        access.access_referral_by_id(clinic.clinician_a, referral.pk)


@pytest.mark.parametrize("target", ["other_program", "missing", "garbage"])
def test_access_referral_by_id_refuses_alike_and_audits(clinic, target):
    referral = _referral(clinic.episode_b, clinic.clinician_b)
    referral_id = {"other_program": referral.pk, "missing": MISSING, "garbage": "abc"}[target]
    with pytest.raises(AccessDenied):
        access.access_referral_by_id(clinic.intake_a, referral_id, action="transition")
    event = denied(object_type="referral").get()
    assert (event.username, event.action) == ("intake_a", "transition")
    assert event.patient_id == (clinic.patient_b.pk if target == "other_program" else None)


def test_access_referral_by_id_returns_a_referral_of_the_users_program(clinic):
    referral = _referral(clinic.episode_a, clinic.intake_a)
    assert access.access_referral_by_id(clinic.director_a, referral.pk) == referral
    assert not denied().exists()


def test_referral_manage(clinic):
    patient = clinic.patient_a
    assert access.access_referral_manage(clinic.intake_a, patient)
    assert not access.access_referral_manage(clinic.patient_user_a, patient)  # not staff
    assert not access.access_referral_manage(clinic.nurse_a, patient)  # role
    assert not access.access_referral_manage(clinic.clinician_b, patient)  # no chart


# --- intake assessments ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "read", "draft", "sign"),
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
def test_assessment_matrix(clinic, who, read, draft, sign):
    user = getattr(clinic, who)
    episode = clinic.episode_a
    assert access.access_assessment_read(user, clinic.patient_a) is read
    assert access.access_assessment_write(user, clinic.patient_a) is draft
    assert access.access_assessment_draft(user, episode) is draft
    assert access.access_assessment_sign(user, episode) is sign


def test_an_intake_role_counts_in_its_own_program_only(clinic, intake_a_nurse_b):
    """Sees program B's patient as a nurse, but drafts no intake assessment there."""
    assert access.access_assessment_read(intake_a_nurse_b, clinic.patient_b)
    assert not access.access_assessment_draft(intake_a_nurse_b, clinic.episode_b)
    assert not access.access_assessment_write(intake_a_nurse_b, clinic.patient_b)
    assert access.access_assessment_draft(intake_a_nurse_b, clinic.episode_a)


def test_a_care_team_clinician_drafts_and_signs_in_another_program(clinic):
    episode = clinic.team_patient_b.episodes.get()
    assert access.access_assessment_draft(clinic.clinician_a, episode)
    assert access.access_assessment_sign(clinic.clinician_a, episode)
    assert access.access_assessment_write(clinic.clinician_a, clinic.team_patient_b)
    # ... but a care-team member who is no clinician anywhere gets nothing by it.
    nurse = UserFactory(roles=[Role.NURSE], programs=[clinic.program_a])
    clinic.team_patient_b.care_team.create(user=nurse, team_role="nurse")
    assert not access.access_assessment_draft(nurse, episode)


@pytest.mark.parametrize(
    ("who", "need", "allowed"),
    [
        ("nurse_a", IntakeNeed.READ, True),
        ("nurse_a", IntakeNeed.DRAFT, False),
        ("intake_a", IntakeNeed.DRAFT, True),
        ("intake_a", IntakeNeed.SIGN, False),
        ("clinician_a", IntakeNeed.SIGN, True),
        ("billing_a", IntakeNeed.READ, False),
        ("patient_user_a", IntakeNeed.READ, False),  # a patient reads no intake assessment
    ],
)
def test_access_assessment_by_id(clinic, who, need, allowed):
    assessment = _assessment(clinic.episode_a, clinic.clinician_a)
    user = getattr(clinic, who)
    if allowed:
        assert access.access_assessment_by_id(user, assessment.pk, need=need) == assessment
        assert not denied().exists()
        return
    with pytest.raises(AccessDenied):
        access.access_assessment_by_id(user, assessment.pk, need=need, action="update")
    event = denied(object_type="intake_assessment").get()
    assert (event.patient_id, event.action) == (clinic.patient_a.pk, "update")


def test_access_assessment_by_id_refuses_a_missing_one_naming_no_patient(clinic):
    with pytest.raises(AccessDenied):
        access.access_assessment_by_id(clinic.clinician_a, MISSING)
    assert denied(object_type="intake_assessment").get().patient_id is None


def test_access_episode_for_assessment_by_id(clinic):
    assert (
        access.access_episode_for_assessment_by_id(clinic.intake_a, clinic.episode_a.pk)
        == clinic.episode_a
    )
    for user in (clinic.nurse_a, clinic.clinician_b):
        with pytest.raises(AccessDenied):
            access.access_episode_for_assessment_by_id(user, clinic.episode_a.pk)
    assert denied(object_type="intake_assessment", patient_id=clinic.patient_a.pk).count() == 2


# --- placement and admission -------------------------------------------------------------


def test_admission(clinic, intake_a_nurse_b):
    episode = clinic.episode_a
    assert access.access_admission(clinic.clinician_a, episode)
    assert access.access_admission(clinic.director_a, episode)
    assert not access.access_admission(clinic.patient_user_a, episode)  # not staff
    assert not access.access_admission(clinic.intake_a, episode)  # role
    assert not access.access_admission(clinic.clinician_b, episode)  # not in program
    # A care-team clinician of another program does not admit into it.
    team_episode = clinic.team_patient_b.episodes.get()
    assert not access.access_admission(clinic.clinician_a, team_episode)


def _decision(clinic) -> PlacementDecision:
    assessment = _assessment(clinic.episode_a, clinic.clinician_a)
    return PlacementDecision.objects.create(
        assessment=assessment,
        episode=clinic.episode_a,
        engine_input={},
        engine_output={},
        rule_set="test",
        recommended_level="intensive_outpatient",
        decided_level="intensive_outpatient",
        decided_by=clinic.clinician_a,
    )


def test_access_placement_decision_by_id(clinic):
    decision = _decision(clinic)
    assert access.access_placement_decision_by_id(clinic.nurse_a, decision.pk) == decision
    assert (
        access.access_placement_decision_by_id(
            clinic.director_a, decision.pk, need=IntakeNeed.ADMIT
        )
        == decision
    )
    with pytest.raises(AccessDenied):
        access.access_placement_decision_by_id(clinic.nurse_a, decision.pk, need=IntakeNeed.ADMIT)
    assert denied(object_type="admission", patient_id=clinic.patient_a.pk).count() == 1
    with pytest.raises(AccessDenied):
        access.access_placement_decision_by_id(clinic.clinician_b, decision.pk)
    assert denied(object_type="placement_decision", patient_id=clinic.patient_a.pk).count() == 1


@pytest.mark.parametrize(
    ("who", "allowed"),
    [
        ("clinician_a", True),
        ("billing_a", True),
        ("admin", True),
        ("patient_user_a", False),
    ],
)
def test_the_engine_preview_and_the_code_search_are_for_staff(clinic, who, allowed):
    user = getattr(clinic, who)
    assert access.access_placement_preview(user) is allowed
    assert access.access_diagnosis_codes(user) is allowed


# --- availability ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "edit", "read"),
    [
        ("patient_user_a", True, True),  # their own, on the page and through the API
        ("patient_user_b", False, False),
        ("intake_a", True, True),
        ("clinician_a", True, True),
        ("nurse_a", False, True),
        ("director_a", False, True),
        ("billing_a", False, False),
        ("clinician_b", False, False),
    ],
)
def test_availability(clinic, who, edit, read):
    user = getattr(clinic, who)
    patient = clinic.patient_a
    assert access.access_availability_edit(user, patient) is edit
    for need, allowed in ((True, edit), (False, read)):
        if allowed:
            assert access.access_availability_patient_by_id(user, patient.pk, edit=need) == patient
        else:
            with pytest.raises(AccessDenied):
                access.access_availability_patient_by_id(user, patient.pk, edit=need)
    assert denied(object_type="availability").count() == (not edit) + (not read)


def test_availability_needs_an_intake_role_in_one_of_the_patients_programs(
    clinic, intake_a_nurse_b
):
    assert access.access_availability_edit(intake_a_nurse_b, clinic.patient_a)
    assert not access.access_availability_edit(intake_a_nurse_b, clinic.patient_b)
    patient = PatientFactory()
    EpisodeFactory(patient=patient, program=clinic.program_b)
    assert not access.access_availability_edit(clinic.intake_a, patient)
