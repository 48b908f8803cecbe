"""The services are the gate: each use case, called directly by someone who may not, is
refused with exactly one denied audit row and changes nothing."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from django.contrib.auth.models import AnonymousUser

from stepwell.core.errors import AccessDenied
from stepwell.measures import services
from stepwell.measures.models import (
    Administration,
    Alert,
    InstrumentDefinition,
    InstrumentSetting,
    LinkLookupFailure,
    OnCallPage,
    QuestionnaireLink,
    ScheduleRule,
)
from stepwell.privacy.actors import system_actor
from stepwell.privacy.models import AuditEvent

from .conftest import PHQ9_MILD, PHQ9_RISK

DEFINITIONS = Path(__file__).resolve().parent.parent / "definitions"
MEASURES_TABLES = (
    Administration,
    Alert,
    InstrumentDefinition,
    InstrumentSetting,
    LinkLookupFailure,
    OnCallPage,
    QuestionnaireLink,
    ScheduleRule,
)


def _snapshot() -> dict:
    return {
        model.__name__: sorted(model.objects.values_list(), key=lambda row: row[0])
        for model in MEASURES_TABLES
    }


def _denials() -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(outcome="denied"))


@pytest.fixture
def world(clinic):
    """An alert, a due questionnaire with a sent link, a schedule rule and an admitted
    episode, so that a refused call would have something to change."""
    services.administration_record(
        actor=clinic.clinician_a,
        patient_id=clinic.patient_a.pk,
        instrument_key="phq9",
        answers=PHQ9_RISK,
    )
    sent = services.questionnaire_send(
        actor=clinic.clinician_a, patient_id=clinic.patient_a.pk, instrument_key="gad7"
    )
    ScheduleRule.objects.create(program=clinic.program_a, instrument_key="phq9", every_days=7)
    clinic.alert = Alert.objects.get()
    clinic.due = sent.administration
    clinic.token = sent.token
    return clinic


def _licensed() -> dict:
    data = json.loads((DEFINITIONS / "asq.json").read_text())
    return data | {"key": "riskscreen", "abbreviation": "RS", "name": "Synthetic screen"}


CALLS = {
    "administration_record": lambda c, who: services.administration_record(
        actor=who, patient_id=c.patient_a.pk, instrument_key="phq9", answers=PHQ9_MILD
    ),
    "questionnaire_send": lambda c, who: services.questionnaire_send(
        actor=who, patient_id=c.patient_a.pk, instrument_key="phq9"
    ),
    "questionnaire_complete_own": lambda c, who: services.questionnaire_complete_own(
        actor=who, administration_id=c.due.pk, answers={f"gad7_{n}": 0 for n in range(1, 8)}
    ),
    "alert_acknowledge": lambda c, who: services.alert_acknowledge(
        actor=who, alert_id=c.alert.pk, note="Called the patient."
    ),
    "schedule_rule_set": lambda c, who: services.schedule_rule_set(
        actor=who, program_id=c.program_a.pk, instrument_key="gad7", every_days=14
    ),
    "due_questionnaires_generate": lambda c, who: services.due_questionnaires_generate(
        actor=who, today=date(2030, 1, 1)
    ),
    "instrument_definition_save": lambda c, who: services.instrument_definition_save(
        actor=who, definition_data=_licensed()
    ),
    "instrument_setting_set": lambda c, who: services.instrument_setting_set(
        actor=who, instrument_key="dast10", enabled=False
    ),
}

# Each use case with a role that may not, and the patient its denial names (None: none).
REFUSED = [
    ("administration_record", "director_a", "patient_a"),
    ("administration_record", "clinician_b", "patient_a"),
    ("questionnaire_send", "billing_a", "patient_a"),
    ("questionnaire_send", "director_a", "patient_a"),
    ("questionnaire_complete_own", "patient_user_b", "patient_a"),
    ("questionnaire_complete_own", "clinician_a", "patient_a"),
    ("alert_acknowledge", "intake_a", "patient_a"),
    ("alert_acknowledge", "admin", "patient_a"),
    ("schedule_rule_set", "clinician_a", None),
    ("schedule_rule_set", "director_b", None),
    ("due_questionnaires_generate", "director_a", None),
    ("due_questionnaires_generate", "other_job", None),
    ("instrument_definition_save", "director_a", None),
    ("instrument_definition_save", "other_job", None),
    ("instrument_setting_set", "director_a", None),
    ("instrument_setting_set", "measures_job", None),
]


def _actor(clinic, who):
    if who == "other_job":
        return system_actor("fhir-export")
    if who == "measures_job":
        return system_actor("measures-due")
    if who == "director_b":
        from stepwell.testing.factories import UserFactory

        return UserFactory(
            username="dir_b", roles=["program_director"], programs=[clinic.program_b]
        )
    return getattr(clinic, who)


@pytest.mark.parametrize(("service", "who", "named"), REFUSED)
def test_a_service_called_directly_refuses_audits_once_and_changes_nothing(
    world, service, who, named
):
    actor = _actor(world, who)
    before, denied_before = _snapshot(), len(_denials())
    with pytest.raises(AccessDenied):
        CALLS[service](world, actor)
    assert _snapshot() == before
    denials = _denials()[denied_before:]
    assert len(denials) == 1
    assert denials[0].patient_id == (getattr(world, named).pk if named else None)


@pytest.mark.parametrize("service", sorted(CALLS))
def test_no_service_runs_for_nobody(world, service):
    before = _snapshot()
    with pytest.raises(TypeError):
        CALLS[service](world, None)
    assert _snapshot() == before


def test_a_link_used_up_refuses_whoever_holds_it(world):
    services.questionnaire_complete_by_link(
        actor=AnonymousUser(), token=world.token, answers={f"gad7_{n}": 0 for n in range(1, 8)}
    )
    before, denied_before = _snapshot(), len(_denials())
    with pytest.raises(AccessDenied):
        services.questionnaire_complete_by_link(
            actor=AnonymousUser(),
            token=world.token,
            answers={f"gad7_{n}": 1 for n in range(1, 8)},
        )
    assert _snapshot() == before
    denials = _denials()[denied_before:]
    assert [(d.object_type, d.patient_id) for d in denials] == [("questionnaire_link", None)]


def test_opening_a_token_that_opens_nothing_counts_it_and_audits_the_attempt(world):
    before = _snapshot()
    opening = services.questionnaire_link_open(actor=AnonymousUser(), token="guess")
    assert (opening.link, opening.throttled) == (None, False)
    after = _snapshot()
    assert len(after["LinkLookupFailure"]) == len(before["LinkLookupFailure"]) + 1
    assert {k: v for k, v in after.items() if k != "LinkLookupFailure"} == {
        k: v for k, v in before.items() if k != "LinkLookupFailure"
    }
    (denial,) = _denials()
    assert (denial.object_type, denial.detail["reason"]) == (
        "questionnaire_link",
        "invalid, used or expired link",
    )
    opened = services.questionnaire_link_open(actor=AnonymousUser(), token=world.token)
    assert opened.link.administration_id == world.due.pk


def test_the_due_questionnaire_job_is_audited_as_itself(world):
    episode = world.episode_a
    episode.admitted_on = date(2030, 1, 1)
    episode.save()
    created = services.due_questionnaires_generate(
        actor=system_actor("measures-due"), today=date(2030, 1, 1)
    )
    assert [a.instrument_key for a in created] == ["phq9"]
    event = AuditEvent.objects.get(object_type="administration", detail__via="schedule")
    assert (event.username, event.role, event.user_id) == ("system:measures-due", "system", None)
