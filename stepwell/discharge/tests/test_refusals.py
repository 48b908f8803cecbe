"""Each service is the gate: called directly by someone who may not, it raises
AccessDenied, writes exactly one denied audit event for that person, and changes nothing
(every table of the app is compared before and after)."""

from __future__ import annotations

from datetime import time

import pytest
from django.apps import apps

from stepwell.core.errors import AccessDenied
from stepwell.discharge import services
from stepwell.privacy.models import AuditEvent

from .conftest import next_week


def _tables() -> dict[str, list]:
    return {
        model._meta.db_table: list(model.objects.order_by("pk").values())
        for model in apps.get_app_config("discharge").get_models()
    }


@pytest.fixture
def record(plan, diagnosed):
    clinic = diagnosed
    services.discharge_summary_draft(actor=clinic.clinician_a, episode_id=clinic.episode_a.pk)
    clinic.contact = services.aftercare_contact_add(
        actor=clinic.clinician_a,
        episode_id=clinic.episode_a.pk,
        name="Jo",
        relationship="Sister",
        phone="555-0100",
        consent_given=True,
    )
    clinic.appointment = services.aftercare_appointment_add(
        actor=clinic.clinician_a,
        episode_id=clinic.episode_a.pk,
        kind="therapist",
        provider="Dr. Rivera",
        starts_at=next_week(),
        place="Main St",
    )
    clinic.group = services.support_group_add(
        actor=clinic.director_a,
        program_id=clinic.program_a.pk,
        kind="aa",
        name="AA Monday",
        meeting_day=0,
        meeting_time=time(19),
        place="Hall",
    )
    return clinic


def _episode(c):
    return {"episode_id": c.episode_a.pk}


CALLS = {
    # service: (refused person, arguments)
    "discharge_summary_draft": ("nurse_a", _episode),
    "discharge_summary_update": (
        "director_a",
        lambda c: {**_episode(c), "changes": {"referrals": "x"}},
    ),
    "discharge_summary_sign": ("intake_a", _episode),
    "discharge_summary_addendum_add": ("billing_a", lambda c: {**_episode(c), "text": "x"}),
    "aftercare_plan_start": ("director_a", _episode),
    "aftercare_plan_update": (
        "clinician_b",
        lambda c: {**_episode(c), "changes": {"triggers": "x"}},
    ),
    "aftercare_contact_add": (
        "intake_a",
        lambda c: {
            **_episode(c),
            "name": "A",
            "relationship": "B",
            "phone": "555-0101",
            "consent_given": True,
        },
    ),
    "aftercare_contact_remove": (
        "director_a",
        lambda c: {**_episode(c), "contact_id": c.contact.pk},
    ),
    "aftercare_appointment_add": (
        "billing_a",
        lambda c: {
            **_episode(c),
            "kind": "prescriber",
            "provider": "P",
            "starts_at": next_week(),
            "place": "Q",
        },
    ),
    "aftercare_appointment_remove": (
        "intake_a",
        lambda c: {**_episode(c), "appointment_id": c.appointment.pk},
    ),
    "aftercare_plan_sign_on_paper": ("director_a", _episode),
    "aftercare_plan_sign_on_portal": ("patient_user_b", lambda c: {}),
    "support_group_add": (
        "nurse_a",
        lambda c: {
            "program_id": c.program_a.pk,
            "kind": "aa",
            "name": "X",
            "meeting_day": 1,
            "meeting_time": time(9),
            "place": "Y",
        },
    ),
    "support_group_deactivate": (
        "clinician_b",
        lambda c: {"program_id": c.program_a.pk, "group_id": c.group.pk},
    ),
    "discharge_policy_set": (
        "clinician_a",
        lambda c: {
            "program_id": c.program_a.pk,
            "documents_required": True,
            "exempt_dispositions": [],
            "after_hours_line": "",
        },
    ),
}


@pytest.mark.parametrize("name", sorted(CALLS))
def test_service_refuses_and_audits_once(record, name):
    person, arguments = CALLS[name]
    actor = getattr(record, person)
    before = _tables()
    denied_before = AuditEvent.objects.filter(outcome="denied").count()
    with pytest.raises(AccessDenied):
        getattr(services, name)(actor=actor, **arguments(record))
    denied = AuditEvent.objects.filter(outcome="denied")
    assert denied.count() == denied_before + 1
    assert denied.order_by("-pk").first().username == actor.get_username()
    assert _tables() == before


def test_patient_cannot_sign_another_patients_plan(record):
    with pytest.raises(AccessDenied):
        services.aftercare_plan_sign_on_portal(
            actor=record.patient_user_b, episode_id=record.episode_a.pk
        )
