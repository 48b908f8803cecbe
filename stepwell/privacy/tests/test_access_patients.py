"""The fetch-and-check rules of privacy/access/patients.py that the patients services use."""

from __future__ import annotations

import pytest

from stepwell.accounts.models import Role
from stepwell.core.errors import AccessDenied
from stepwell.privacy.access import patients as access
from stepwell.privacy.actors import system_actor
from stepwell.privacy.models import AuditEvent
from stepwell.testing.factories import UserFactory

MISSING = 987654321


def denied(**filters):
    return AuditEvent.objects.filter(outcome="denied", **filters)


@pytest.fixture
def director_a_clinician_b(clinic):
    return UserFactory(
        username="dir_a_clin_b",
        grants=[(Role.PROGRAM_DIRECTOR, clinic.program_a), (Role.CLINICIAN, clinic.program_b)],
    )


# --- registering -------------------------------------------------------------------------


def test_the_registering_programs_are_those_where_a_registering_role_is_held(clinic):
    nurse_a_intake_b = UserFactory(
        grants=[(Role.NURSE, clinic.program_a), (Role.INTAKE_COORDINATOR, clinic.program_b)]
    )
    assert list(access.access_registering_programs(nurse_a_intake_b)) == [clinic.program_b]
    assert list(access.access_registering_programs(clinic.intake_a)) == [clinic.program_a]


@pytest.mark.parametrize("who", ["nurse_a", "billing_a", "admin", "patient_user_a"])
def test_no_registering_program_is_an_audited_refusal(clinic, who):
    with pytest.raises(AccessDenied):
        access.access_registering_programs(getattr(clinic, who), object_type="referral")
    assert denied(object_type="referral", action="create", object_id="new").count() == 1


@pytest.mark.parametrize(
    ("who", "program", "allowed"),
    [
        ("intake_a", "program_a", True),
        ("clinician_a", "program_a", True),
        ("director_a", "program_a", True),
        ("intake_a", "program_b", False),  # another program
        ("prescriber_a", "program_a", False),  # a role that does not register
        ("nurse_a", "program_a", False),
        ("billing_a", "program_a", False),
        ("patient_user_a", "program_a", False),
        ("intake_a", None, False),  # no such program
    ],
)
def test_access_registering_program_by_id(clinic, who, program, allowed):
    program_id = getattr(clinic, program).pk if program else MISSING
    user = getattr(clinic, who)
    if allowed:
        assert access.access_registering_program_by_id(user, program_id).pk == program_id
        return
    with pytest.raises(AccessDenied):
        access.access_registering_program_by_id(user, program_id)
    event = denied(object_type="patient").get()
    assert (event.action, event.detail) == ("create", {"program_id": program_id})


def test_a_system_actor_registers_nobody(clinic):
    with pytest.raises(AccessDenied):
        access.access_registering_program_by_id(system_actor("import"), clinic.program_a.pk)
    assert denied(username="system:import").count() == 1


# --- episodes ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "to_state", "allowed"),
    [
        ("clinician_a", "on_hold", True),
        ("director_a", "discharged", True),
        ("nurse_a", "on_hold", False),  # sees the chart, moves nothing
        ("intake_a", "on_hold", False),  # admitted: past what intake moves
        ("clinician_b", "on_hold", False),  # no chart
        ("patient_user_a", "on_hold", False),  # their own, but a patient moves nothing
    ],
)
def test_access_episode_transition_by_id(clinic, who, to_state, allowed):
    user = getattr(clinic, who)
    if allowed:
        episode = access.access_episode_transition_by_id(user, clinic.episode_a.pk, to_state)
        assert episode == clinic.episode_a
        return
    with pytest.raises(AccessDenied):
        access.access_episode_transition_by_id(user, clinic.episode_a.pk, to_state)
    event = denied(object_type="episode").get()
    assert (event.action, event.patient_id) == ("transition", clinic.patient_a.pk)


def test_a_director_moves_episodes_of_their_program_only(clinic, director_a_clinician_b):
    """Director in A, clinician in B: moves B's episodes as a clinician, A's as director;
    a director-only user of A moves nothing in B."""
    assert access.access_episode_transition(director_a_clinician_b, clinic.episode_b, "screening")
    assert not access.access_episode_transition(clinic.director_a, clinic.episode_b, "screening")


# --- care teams and the portal -----------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "allowed"),
    [
        ("clinician_a", True),
        ("director_a", True),
        ("nurse_a", False),
        ("intake_a", False),
        ("clinician_b", False),
        ("billing_a", False),
        ("patient_user_a", False),
    ],
)
def test_access_care_team_patient_by_id(clinic, who, allowed):
    user = getattr(clinic, who)
    if allowed:
        assert access.access_care_team_patient_by_id(user, clinic.patient_a.pk) == clinic.patient_a
        return
    with pytest.raises(AccessDenied):
        access.access_care_team_patient_by_id(
            user, clinic.patient_a.pk, object_type="portal_invite"
        )
    event = denied(object_type="portal_invite").get()
    assert (event.action, event.patient_id) == ("update", clinic.patient_a.pk)


def test_access_own_patient(clinic):
    assert access.access_own_patient(clinic.patient_user_a) == clinic.patient_a
    for user in (clinic.clinician_a, clinic.admin, UserFactory(kind="patient")):
        with pytest.raises(AccessDenied):
            access.access_own_patient(user)
    assert denied(object_type="portal", patient_id=None).count() == 3
