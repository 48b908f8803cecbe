"""The prescriber's worklist: a medication visit due from the plan's medication-management
frequency, the reconciliations due (admission, each level-of-care change, discharge),
naloxone to offer for opioid use disorder."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from stepwell.meds import services, worklists
from stepwell.patients.models import Episode, LevelOfCareChange
from stepwell.patients.services import episode_transition
from stepwell.plans.models import Goal, Intervention, Problem, TreatmentPlan


def _plan_with_medication_management(clinic, sessions_per_week: int) -> None:
    plan = TreatmentPlan.objects.create(
        patient=clinic.patient_a,
        episode=clinic.episode_a,
        version=1,
        review_days=30,
        created_by=clinic.clinician_a,
    )
    problem = Problem.objects.create(plan=plan, statement="Low mood")
    goal = Goal.objects.create(
        problem=problem,
        domain="mental_health",
        patient_words="Feel better",
        clinical_wording="Reduce depressive symptoms",
    )
    Intervention.objects.create(
        goal=goal,
        modality="medication_management",
        minutes_per_session=20,
        sessions_per_week=sessions_per_week,
        duration_weeks=8,
        responsible=clinic.prescriber_a,
    )
    TreatmentPlan.objects.filter(pk=plan.pk).update(status="signed", signed_at=timezone.now())


def _kinds(user) -> list[str]:
    return sorted(item.kind for item in worklists.worklist(user=user))


def test_the_prescribers_worklist(diagnosed, on_sertraline):
    clinic = diagnosed
    _plan_with_medication_management(clinic, sessions_per_week=1)
    # Admitted, no reconciliation, no visit yet, F11.20 without naloxone.
    (due,) = [i for i in worklists.worklist(user=clinic.prescriber_a) if i.kind == "visit_due"]
    assert due.detail == "Medication visit every 7 days"
    assert _kinds(clinic.prescriber_a) == ["naloxone", "reconciliation_due", "visit_due"]
    assert _kinds(clinic.nurse_a) == ["naloxone", "reconciliation_due"]  # visits: prescribers
    assert _kinds(clinic.billing_a) == []
    services.naloxone_record(actor=clinic.nurse_a, patient_id=clinic.patient_a.pk, action="offered")
    reconciliation = services.reconciliation_start(
        actor=clinic.prescriber_a, episode_id=clinic.episode_a.pk, occasion="admission"
    )
    services.reconciliation_decide(
        actor=clinic.prescriber_a,
        reconciliation_id=reconciliation.pk,
        decision=services.DecisionIn(medication_id=on_sertraline.pk, decision="continue"),
    )
    services.reconciliation_sign(actor=clinic.prescriber_a, reconciliation_id=reconciliation.pk)
    now = timezone.now()
    services.visit_start(
        actor=clinic.prescriber_a,
        patient_id=clinic.patient_a.pk,
        started_at=now - timedelta(hours=2),
        ended_at=now - timedelta(hours=1, minutes=40),
    )
    assert _kinds(clinic.prescriber_a) == []  # next visit in 7 days


def _reconciled(clinic, occasion: str, medication) -> None:
    reconciliation = services.reconciliation_record(
        actor=clinic.prescriber_a,
        episode_id=clinic.episode_a.pk,
        occasion=occasion,
        decisions=[services.DecisionIn(medication_id=medication.pk, decision="continue")],
    )
    services.reconciliation_sign(actor=clinic.prescriber_a, reconciliation_id=reconciliation.pk)


def _due(user) -> list[str]:
    return [i.detail for i in worklists.worklist(user=user) if i.kind == "reconciliation_due"]


def test_a_level_of_care_change_makes_a_reconciliation_due_until_one_is_signed(
    diagnosed, on_sertraline
):
    clinic = diagnosed
    _reconciled(clinic, "admission", on_sertraline)
    assert _due(clinic.prescriber_a) == []
    # Avery steps up to residential care for a while: the episode is on hold.
    episode_transition(
        actor=clinic.clinician_a,
        episode_id=clinic.episode_a.pk,
        to_state="on_hold",
        reason="Stepped up to residential care",
        level_of_care="residential",
    )
    (due,) = _due(clinic.prescriber_a)
    assert due.startswith("Level-of-care change reconciliation: Transferred to residential on")
    assert _due(clinic.nurse_a) == [due]  # nurses reconcile too
    assert _due(clinic.billing_a) == []
    # A reconciliation of another occasion does not settle it.
    _reconciled(clinic, "discharge", on_sertraline)
    assert _due(clinic.prescriber_a) == [due]
    _reconciled(clinic, "level_change", on_sertraline)
    assert _due(clinic.prescriber_a) == []
    # Back in the IOP: a new change, so a new reconciliation is due.
    episode_transition(
        actor=clinic.clinician_a,
        episode_id=clinic.episode_a.pk,
        to_state="active",
        reason="Back from residential",
        level_of_care="intensive_outpatient",
    )
    (again,) = _due(clinic.prescriber_a)
    assert "intensive outpatient (iop)" in again
    _reconciled(clinic, "level_change", on_sertraline)
    assert _due(clinic.prescriber_a) == []


def test_a_reconciliation_signed_before_the_change_does_not_count(diagnosed, on_sertraline):
    clinic = diagnosed
    _reconciled(clinic, "admission", on_sertraline)
    _reconciled(clinic, "level_change", on_sertraline)
    episode_transition(
        actor=clinic.clinician_a,
        episode_id=clinic.episode_a.pk,
        to_state="on_hold",
        reason="Partial hospitalization for two weeks",
        level_of_care="partial_hospitalization",
    )
    assert len(_due(clinic.prescriber_a)) == 1


def test_the_admission_level_is_no_change(diagnosed, on_sertraline):
    clinic = diagnosed
    _reconciled(clinic, "admission", on_sertraline)
    LevelOfCareChange.objects.create(
        episode=clinic.episode_a,
        direction="admitted_from",
        level_of_care="residential",
        effective_date=clinic.episode_a.admitted_on,
        reason="Step-down from residential",
    )
    assert _due(clinic.prescriber_a) == []


def test_a_discharge_makes_the_discharge_reconciliation_due(diagnosed, on_sertraline):
    clinic = diagnosed
    _reconciled(clinic, "admission", on_sertraline)
    Episode.objects.filter(pk=clinic.episode_a.pk).update(
        state="discharged", discharged_on=clinic.episode_a.admitted_on
    )
    (due,) = _due(clinic.prescriber_a)
    assert due.startswith("Discharge reconciliation")
    services.reconciliation_sign(
        actor=clinic.prescriber_a,
        reconciliation_id=services.reconciliation_record(
            actor=clinic.prescriber_a,
            episode_id=clinic.episode_a.pk,
            occasion="discharge",
            decisions=[services.DecisionIn(medication_id=on_sertraline.pk, decision="continue")],
        ).pk,
    )
    assert _due(clinic.prescriber_a) == []
