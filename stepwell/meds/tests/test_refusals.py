"""Each service is the gate: called directly by someone who may not, it raises
AccessDenied, writes exactly one denied audit event for that person, and changes nothing
in the medication record (every table of the app is compared before and after)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.apps import apps
from django.utils import timezone

from stepwell.core.errors import AccessDenied
from stepwell.meds import services
from stepwell.meds.services import DecisionIn
from stepwell.privacy.actors import system_actor
from stepwell.privacy.models import AuditEvent

from .conftest import moment, sertraline


def _meds_tables() -> dict[str, list]:
    return {
        model._meta.db_table: list(model.objects.order_by("pk").values())
        for model in apps.get_app_config("meds").get_models()
    }


@pytest.fixture
def record(diagnosed, on_sertraline):
    """A medication, a draft reconciliation, a draft medication visit, a resulted drug
    test and a random-testing schedule: something for every refused call to touch."""
    clinic = diagnosed
    clinic.reconciliation = services.reconciliation_start(
        actor=clinic.prescriber_a, episode_id=clinic.episode_a.pk, occasion="admission"
    )
    now = timezone.now()
    clinic.visit = services.visit_start(
        actor=clinic.prescriber_a,
        patient_id=clinic.patient_a.pk,
        started_at=now - timedelta(hours=2),
        ended_at=now - timedelta(hours=1),
    )
    clinic.test = services.drug_test_point_of_care(
        actor=clinic.nurse_a,
        patient_id=clinic.patient_a.pk,
        collected_at=moment(1),
        observed=True,
        results={"cocaine": "positive", "opiates": "negative"},
    )
    services.random_testing_set(
        actor=clinic.director_a, program_id=clinic.program_a.pk, tests_per_week=1, weekdays=[0, 2]
    )
    clinic.medication = on_sertraline
    return clinic


CALLS = {
    "medication_create": (
        "clinician_a",
        lambda c: services.medication_create(
            actor=c.clinician_a, patient_id=c.patient_a.pk, data=sertraline()
        ),
    ),
    "medication_update": (
        "clinician_a",
        lambda c: services.medication_update(
            actor=c.clinician_a, medication_id=c.medication.pk, dose="100"
        ),
    ),
    "allergy_record": (
        "billing_a",
        lambda c: services.allergy_record(
            actor=c.billing_a, patient_id=c.patient_a.pk, kind="no_known_allergies"
        ),
    ),
    "naloxone_record": (
        "intake_a",
        lambda c: services.naloxone_record(
            actor=c.intake_a, patient_id=c.patient_a.pk, action="offered"
        ),
    ),
    "pdmp_attest": (
        "nurse_a",
        lambda c: services.pdmp_attest(
            actor=c.nurse_a, patient_id=c.patient_a.pk, checked_on=timezone.localdate(), state="IL"
        ),
    ),
    "adherence_answer": (
        "prescriber_a",
        lambda c: services.adherence_answer(actor=c.prescriber_a, answer="all"),
    ),
    "drug_test_order": (
        "billing_a",
        lambda c: services.drug_test_order(
            actor=c.billing_a,
            patient_id=c.patient_a.pk,
            method="point_of_care",
            scheduled_on=timezone.localdate(),
        ),
    ),
    "drug_test_point_of_care": (
        "clinician_b",
        lambda c: services.drug_test_point_of_care(
            actor=c.clinician_b,
            patient_id=c.patient_a.pk,
            collected_at=moment(1),
            observed=True,
            results={"cocaine": "negative"},
        ),
    ),
    "drug_test_results_record": (
        "director_a",
        lambda c: services.drug_test_results_record(
            actor=c.director_a,
            test_id=c.test.pk,
            collected_at=moment(1),
            observed=True,
            results={"cocaine": "negative"},
        ),
    ),
    "drug_test_confirm": (
        "intake_a",
        lambda c: services.drug_test_confirm(
            actor=c.intake_a, test_id=c.test.pk, substance="cocaine", confirmation="pending"
        ),
    ),
    "drug_test_review": (
        "billing_a",
        lambda c: services.drug_test_review(actor=c.billing_a, test_id=c.test.pk, note="Seen"),
    ),
    "random_testing_set": (
        "clinician_a",
        lambda c: services.random_testing_set(
            actor=c.clinician_a, program_id=c.program_a.pk, tests_per_week=2, weekdays=[0, 2]
        ),
    ),
    "random_draw_run": (
        "nurse_a",
        lambda c: services.random_draw_run(
            actor=c.nurse_a, program_id=c.program_a.pk, week="2026-W45"
        ),
    ),
    "random_draw_weekly": (
        "clinician_a",
        lambda c: services.random_draw_weekly(
            actor=c.clinician_a, program_id=c.program_a.pk, today=moment(0).date()
        ),
    ),
    "reconciliation_start": (
        "clinician_a",
        lambda c: services.reconciliation_start(
            actor=c.clinician_a, episode_id=c.episode_a.pk, occasion="discharge"
        ),
    ),
    "reconciliation_decide": (
        "clinician_a",
        lambda c: services.reconciliation_decide(
            actor=c.clinician_a,
            reconciliation_id=c.reconciliation.pk,
            decision=DecisionIn(medication_id=c.medication.pk, decision="continue"),
        ),
    ),
    "reconciliation_record": (
        "director_a",
        lambda c: services.reconciliation_record(
            actor=c.director_a,
            episode_id=c.episode_a.pk,
            occasion="level_change",
            decisions=[DecisionIn(medication_id=c.medication.pk, decision="continue")],
        ),
    ),
    "reconciliation_new_medication": (
        "billing_a",
        lambda c: services.reconciliation_new_medication(
            actor=c.billing_a, reconciliation_id=c.reconciliation.pk, data=sertraline()
        ),
    ),
    "reconciliation_sign": (
        "clinician_a",
        lambda c: services.reconciliation_sign(
            actor=c.clinician_a, reconciliation_id=c.reconciliation.pk
        ),
    ),
    "visit_start": (
        "nurse_a",
        lambda c: services.visit_start(
            actor=c.nurse_a,
            patient_id=c.patient_a.pk,
            started_at=timezone.now() - timedelta(hours=2),
            ended_at=timezone.now() - timedelta(hours=1),
        ),
    ),
    "visit_side_effects_record": (
        "nurse_a",
        lambda c: services.visit_side_effects_record(
            actor=c.nurse_a, note_id=c.visit.note_id, side_effects={"sedation": "mild"}
        ),
    ),
    "visit_medication_change": (
        "clinician_a",
        lambda c: services.visit_medication_change(
            actor=c.clinician_a, note_id=c.visit.note_id, medication_id=c.medication.pk, dose="75"
        ),
    ),
    "rxnorm_load": (
        "director_a",
        lambda c: services.rxnorm_load(
            actor=c.director_a, lines=["36437|ENG||||||||||RXNORM|IN|36437|sertraline|||N||\n"]
        ),
    ),
}


def test_every_service_has_a_refusal_case():
    """random_draw_verify takes a stored draw and reads nothing else: no actor, no gate."""
    assert set(CALLS) == set(services.__all__) - {
        "DecisionIn",
        "MedicationData",
        "WeeklyDraw",
        "random_draw_verify",
    }


@pytest.mark.parametrize("name", sorted(CALLS))
def test_a_refused_call_is_denied_audited_once_and_changes_nothing(record, name):
    who, call = CALLS[name]
    actor = getattr(record, who)
    before_tables = _meds_tables()
    before_seq = AuditEvent.objects.order_by("-seq").values_list("seq", flat=True).first()
    with pytest.raises(AccessDenied):
        call(record)
    assert _meds_tables() == before_tables
    new_events = AuditEvent.objects.filter(seq__gt=before_seq)
    denied = new_events.filter(outcome="denied")
    assert denied.count() == 1, list(new_events.values("action", "object_type", "outcome"))
    assert denied.get().user_id == actor.pk
    assert not new_events.exclude(outcome="denied").exists()


def test_a_job_not_named_for_the_draw_is_refused(record):
    before = _meds_tables()
    with pytest.raises(AccessDenied):
        services.random_draw_run(
            actor=system_actor("nightly-report"), program_id=record.program_a.pk, week="2026-W45"
        )
    with pytest.raises(AccessDenied):
        services.random_draw_weekly(
            actor=system_actor("follow-ups"),
            program_id=record.program_a.pk,
            today=moment(0).date(),
        )
    assert _meds_tables() == before
    assert AuditEvent.objects.filter(outcome="denied", object_type="random_draw").count() == 2
