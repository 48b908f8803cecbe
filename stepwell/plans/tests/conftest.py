from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from stepwell.intake import services as intake_services
from stepwell.plans import services
from stepwell.plans.services import MeasureIn


def write_plan(clinic, *, sign: bool = False, episode=None):
    """A complete plan for patient_a: one problem, goal, measured objective and intervention."""
    episode = episode or clinic.episode_a
    assessment = intake_services.assessment_start(actor=clinic.clinician_a, episode_id=episode.pk)
    diagnosis = intake_services.assessment_diagnosis_add(
        actor=clinic.clinician_a, assessment_id=assessment.pk, code="F33.1"
    )
    plan = services.plan_create(actor=clinic.clinician_a, episode_id=episode.pk)
    problem = services.problem_add(
        actor=clinic.clinician_a,
        plan_id=plan.pk,
        statement="Depressed mood keeps them from work",
        assessment_finding="PHQ-9 of 17 at intake",
        diagnosis_ids=[diagnosis.pk],
    )
    goal = services.goal_add(
        actor=clinic.clinician_a,
        problem_id=problem.pk,
        domain="mental_health",
        patient_words="I want to feel like myself again",
        clinical_wording="Reduce depressive symptoms to the mild range",
    )
    services.objective_add(
        actor=clinic.clinician_a,
        goal_id=goal.pk,
        description="PHQ-9 total below 10 within six weeks",
        target_date=timezone.localdate() + timedelta(days=42),
        measure=MeasureIn(
            kind="questionnaire_total", instrument="phq9", comparison="below", target_value=10
        ),
    )
    services.intervention_add(
        actor=clinic.clinician_a,
        goal_id=goal.pk,
        modality="group_therapy",
        minutes_per_session=180,
        sessions_per_week=3,
        duration_weeks=8,
        responsible=clinic.clinician_a,
    )
    if sign:
        plan = services.plan_sign_clinician(actor=clinic.clinician_a, plan_id=plan.pk)
    return plan
