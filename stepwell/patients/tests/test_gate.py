"""The services are the gate: called directly by a user who may not, each is refused,
the refusal is audited once, and nothing changes."""

from __future__ import annotations

import pytest

from stepwell.core.errors import AccessDenied
from stepwell.patients import services
from stepwell.patients.models import (
    CareTeamMember,
    Episode,
    EpisodeEvent,
    LevelOfCareChange,
    Patient,
)
from stepwell.privacy.models import AuditEvent

NEW_PATIENT = {
    "legal_first_name": "Quinn",
    "legal_last_name": "Juniper",
    "date_of_birth": "1991-02-03",
    "sex_assigned_at_birth": "female",
}


def snapshot():
    return [
        list(model.objects.order_by("pk").values())
        for model in (Patient, Episode, EpisodeEvent, LevelOfCareChange, CareTeamMember)
    ]


def _team_member(clinic):
    return CareTeamMember.objects.create(
        patient=clinic.patient_a, user=clinic.nurse_a, team_role="nurse"
    )


CALLS = {
    "patient_register": lambda clinic: services.patient_register(
        actor=clinic.nurse_a, program_id=clinic.program_a.pk, data=NEW_PATIENT
    ),
    "patient_register_other_program": lambda clinic: services.patient_register(
        actor=clinic.intake_a, program_id=clinic.program_b.pk, data=NEW_PATIENT
    ),
    "episode_open": lambda clinic: services.episode_open(
        actor=clinic.clinician_b, patient_id=clinic.patient_a.pk, program_id=clinic.program_b.pk
    ),
    "episode_transition": lambda clinic: services.episode_transition(
        actor=clinic.nurse_a, episode_id=clinic.episode_a.pk, to_state="on_hold", reason="x"
    ),
    "episode_transition_intake_after_admission": lambda clinic: services.episode_transition(
        actor=clinic.intake_a, episode_id=clinic.episode_a.pk, to_state="on_hold", reason="x"
    ),
    "care_team_member_add": lambda clinic: services.care_team_member_add(
        actor=clinic.intake_a,
        patient_id=clinic.patient_a.pk,
        user_id=clinic.prescriber_a.pk,
        team_role="prescriber",
    ),
    "care_team_member_remove": lambda clinic: services.care_team_member_remove(
        actor=clinic.clinician_b,
        patient_id=clinic.patient_a.pk,
        member_id=CareTeamMember.objects.get(patient=clinic.patient_a).pk,
    ),
}


@pytest.mark.parametrize("call", CALLS)
def test_a_refused_service_is_audited_once_and_changes_nothing(clinic, call):
    if call == "care_team_member_remove":
        _team_member(clinic)
    before, denied_before = snapshot(), AuditEvent.objects.filter(outcome="denied").count()
    with pytest.raises(AccessDenied):
        CALLS[call](clinic)
    assert AuditEvent.objects.filter(outcome="denied").count() == denied_before + 1
    assert snapshot() == before


def test_a_missing_episode_is_refused_like_a_forbidden_one(clinic):
    with pytest.raises(AccessDenied):
        services.episode_transition(
            actor=clinic.clinician_a, episode_id=987654321, to_state="on_hold", reason="x"
        )
    event = AuditEvent.objects.get(outcome="denied")
    assert (event.object_type, event.patient_id) == ("episode", None)


def test_a_care_team_member_must_be_active_staff(clinic):
    from stepwell.core.errors import ApplicationError

    with pytest.raises(ApplicationError) as caught:
        services.care_team_member_add(
            actor=clinic.clinician_a,
            patient_id=clinic.patient_a.pk,
            user_id=clinic.patient_user_b.pk,
            team_role="clinician",
        )
    assert caught.value.field_errors == {"user": "Not active staff."}
    assert not CareTeamMember.objects.filter(patient=clinic.patient_a).exists()


def test_every_patients_and_intake_operation_declares_its_errors():
    from stepwell.api import api

    schema = api.get_openapi_schema()
    checked = 0
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            if not set(operation.get("tags", ())) & {"patients", "intake"}:
                continue
            declared = {str(status) for status in operation["responses"]}
            assert {"400", "401", "403", "404", "422"} <= declared, (method, path)
            checked += 1
    assert checked >= 20
    create = schema["paths"]["/api/v1/patients"]["post"]["responses"]
    assert {"201", "409"} <= {str(status) for status in create}
