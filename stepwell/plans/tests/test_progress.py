from datetime import timedelta

from django.utils import timezone

from stepwell.plans.models import Objective
from stepwell.plans.progress import objective_progress

from .conftest import write_plan


def _objective(clinic) -> Objective:
    plan = write_plan(clinic)
    return Objective.objects.get(goal__problem__plan=plan)


def test_no_data_without_a_score(clinic):
    progress = objective_progress(_objective(clinic), clinic.patient_a)
    assert (progress.state, progress.text) == ("no_data", "no data")


def test_progress_from_the_latest_completed_score(clinic):
    from stepwell.measures.models import Administration

    objective = _objective(clinic)
    now = timezone.now()
    for days_ago, total in ((14, 16), (1, 8)):
        Administration.objects.create(
            patient=clinic.patient_a,
            episode=clinic.episode_a,
            instrument_key="phq9",
            status="completed",
            answers={},
            total=total,
            completed_at=now - timedelta(days=days_ago),
        )
    progress = objective_progress(objective, clinic.patient_a)
    assert (progress.state, progress.current) == ("met", 8.0)
    assert progress.text.startswith("latest 8 on ")
    assert progress.text.endswith(": target met")


def test_unmeasured_objective(clinic):
    objective = _objective(clinic)
    objective.measure_kind = "none"
    assert objective_progress(objective, clinic.patient_a).state == "not_measured"
