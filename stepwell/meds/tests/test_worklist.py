"""The prescriber's worklist: a medication visit due from the plan's medication-management
frequency, the admission reconciliation due, naloxone to offer for opioid use disorder."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from stepwell.meds import selectors, services
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
    return sorted(item.kind for item in selectors.worklist(user=user))


def test_the_prescribers_worklist(diagnosed, on_sertraline):
    clinic = diagnosed
    _plan_with_medication_management(clinic, sessions_per_week=1)
    # Admitted, no reconciliation, no visit yet, F11.20 without naloxone.
    (due,) = [i for i in selectors.worklist(user=clinic.prescriber_a) if i.kind == "visit_due"]
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
