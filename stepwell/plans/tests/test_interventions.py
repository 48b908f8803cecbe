"""Interventions state their numbers; bad numbers get field errors on every path."""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from stepwell.core.errors import ApplicationError
from stepwell.plans import services
from stepwell.plans.models import Intervention
from stepwell.plans.services import intervention_number_errors
from stepwell.testing.auth import verified_login
from stepwell.testing.factories import UserFactory

from .conftest import write_plan

GOOD = {"minutes_per_session": 180, "sessions_per_week": 3, "duration_weeks": 8}


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("minutes_per_session", None, "Give the minutes per session."),
        ("minutes_per_session", 0, "Between 1 and 480 minutes (8 hours) a session."),
        ("minutes_per_session", -30, "Between 1 and 480 minutes (8 hours) a session."),
        ("minutes_per_session", 481, "Between 1 and 480 minutes (8 hours) a session."),
        ("minutes_per_session", 50.5, "Give a whole number."),
        ("minutes_per_session", "60", "Give a whole number."),
        ("sessions_per_week", None, "Give the number of sessions a week."),
        ("sessions_per_week", 0, "Between 1 and 7 sessions a week."),
        ("sessions_per_week", 8, "Between 1 and 7 sessions a week."),
        ("sessions_per_week", True, "Give a whole number."),
        ("duration_weeks", None, "Give for how many weeks."),
        ("duration_weeks", 0, "Between 1 and 52 weeks."),
        ("duration_weeks", 53, "Between 1 and 52 weeks."),
    ],
)
def test_number_errors_name_the_field(field, value, message):
    assert intervention_number_errors(**{**GOOD, field: value}) == {field: message}


@given(minutes=st.integers(-10, 600), sessions=st.integers(-2, 10), weeks=st.integers(-2, 60))
def test_numbers_accepted_exactly_within_the_limits(minutes, sessions, weeks):
    errors = intervention_number_errors(
        minutes_per_session=minutes, sessions_per_week=sessions, duration_weeks=weeks
    )
    assert ("minutes_per_session" in errors) is not (1 <= minutes <= 480)
    assert ("sessions_per_week" in errors) is not (1 <= sessions <= 7)
    assert ("duration_weeks" in errors) is not (1 <= weeks <= 52)


def _goal(clinic):
    return write_plan(clinic).problems.get().goals.get()


@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(sessions=st.integers(1, 7), minutes=st.integers(1, 480), weeks=st.integers(1, 52))
def test_service_stores_the_numbers(clinic, sessions, minutes, weeks):
    goal = _goal(clinic) if not Intervention.objects.exists() else Intervention.objects.first().goal
    intervention = services.intervention_add(
        actor=clinic.clinician_a,
        goal_id=goal.pk,
        modality="individual_therapy",
        minutes_per_session=minutes,
        sessions_per_week=sessions,
        duration_weeks=weeks,
        responsible=clinic.clinician_a,
    )
    intervention.refresh_from_db()
    assert (
        intervention.sessions_per_week,
        intervention.minutes_per_session,
        intervention.duration_weeks,
        intervention.needs_review,
    ) == (sessions, minutes, weeks, False)


def test_service_refuses_bad_numbers_and_stores_nothing(clinic):
    goal = _goal(clinic)
    with pytest.raises(ApplicationError) as caught:
        services.intervention_add(
            actor=clinic.clinician_a,
            goal_id=goal.pk,
            modality="telepathy",
            minutes_per_session=0,
            sessions_per_week=9,
            duration_weeks=None,
            responsible=clinic.clinician_a,
        )
    assert caught.value.field_errors == {
        "minutes_per_session": "Between 1 and 480 minutes (8 hours) a session.",
        "sessions_per_week": "Between 1 and 7 sessions a week.",
        "duration_weeks": "Give for how many weeks.",
    }
    with pytest.raises(ApplicationError) as caught:
        services.intervention_add(
            actor=clinic.clinician_a,
            goal_id=goal.pk,
            modality="telepathy",
            responsible=clinic.clinician_a,
            **GOOD,
        )
    assert set(caught.value.field_errors) == {"modality"}
    assert goal.interventions.count() == 1  # only write_plan's


def test_responsible_staff_must_belong_to_the_program(clinic):
    goal = _goal(clinic)
    outsider = UserFactory(roles=["clinician"], programs=[clinic.program_b])
    for responsible in (outsider, clinic.patient_user_a, None):
        with pytest.raises(ApplicationError) as caught:
            services.intervention_add(
                actor=clinic.clinician_a,
                goal_id=goal.pk,
                modality="group_therapy",
                responsible=responsible,
                **GOOD,
            )
        assert caught.value.field_errors == {
            "responsible": "Choose an active clinician, prescriber or nurse of the program."
        }


def test_database_refuses_numbers_out_of_range(clinic):
    from django.db import IntegrityError, transaction

    intervention = _goal(clinic).interventions.get()
    for field, value in (("sessions_per_week", 8), ("minutes_per_session", 0)):
        with pytest.raises(IntegrityError), transaction.atomic():
            Intervention.objects.filter(pk=intervention.pk).update(**{field: value})
    with pytest.raises(IntegrityError), transaction.atomic():
        Intervention.objects.filter(pk=intervention.pk).update(duration_weeks=None)


def test_intervention_under_review_is_copied_and_blocks_signing(clinic):
    plan = write_plan(clinic, sign=True)
    old = plan.problems.get().goals.get().interventions.get()
    Intervention.objects.filter(pk=old.pk).update(
        needs_review=True, duration_weeks=None, legacy_frequency="3 times a week, 3 hours"
    )
    draft = services.plan_revise(actor=clinic.clinician_a, plan_id=plan.pk, reason="Review")
    copied = draft.problems.get().goals.get().interventions.get()
    assert (copied.needs_review, copied.missing_numbers) == (True, ("weeks",))
    with pytest.raises(ApplicationError) as caught:
        services.plan_sign_clinician(actor=clinic.clinician_a, plan_id=draft.pk)
    assert caught.value.field_errors == {
        f"intervention_{copied.pk}": "Intervention 1.1.1 needs review: remove it and add it "
        "again with minutes, sessions a week and weeks."
    }
    services.plan_item_remove(actor=clinic.clinician_a, kind="intervention", item_id=copied.pk)
    services.intervention_add(
        actor=clinic.clinician_a,
        goal_id=copied.goal_id,
        modality="group_therapy",
        responsible=clinic.clinician_a,
        **GOOD,
    )
    signed = services.plan_sign_clinician(actor=clinic.clinician_a, plan_id=draft.pk)
    assert signed.status == "signed"


def test_amount_text():
    stated = Intervention(
        modality="group_therapy", minutes_per_session=180, sessions_per_week=3, duration_weeks=8
    )
    assert str(stated) == "Group therapy, 3 sessions a week, 180 minutes each, for 8 weeks"
    one = Intervention(
        modality="individual_therapy",
        minutes_per_session=50,
        sessions_per_week=1,
        duration_weeks=1,
    )
    assert one.amount_text == "1 session a week, 50 minutes each, for 1 week"
    legacy = Intervention(
        modality="psychoeducation", sessions_per_week=1, legacy_frequency="weekly group module"
    )
    assert legacy.amount_text == "“weekly group module”"
    assert legacy.missing_numbers == ("minutes per session", "weeks")


# -- the same rules over the API and on the page ----------------------------------------------


def _post_api(client, goal, **body):
    return client.post(
        f"/api/v1/plans/goals/{goal.pk}/interventions",
        {"modality": "group_therapy", "responsible_id": 0, **body},
        content_type="application/json",
    )


def test_api_field_errors(client, clinic):
    goal = _goal(clinic)
    verified_login(client, clinic.clinician_a)
    response = _post_api(
        client,
        goal,
        minutes_per_session=0,
        sessions_per_week=8,
        duration_weeks=60,
        responsible_id=clinic.clinician_a.pk,
    )
    assert response.status_code == 400
    assert response.json()["errors"] == {
        "minutes_per_session": "Between 1 and 480 minutes (8 hours) a session.",
        "sessions_per_week": "Between 1 and 7 sessions a week.",
        "duration_weeks": "Between 1 and 52 weeks.",
    }
    missing = _post_api(client, goal, minutes_per_session="an hour", sessions_per_week=2)
    assert missing.status_code == 422
    assert set(missing.json()["errors"]) == {"minutes_per_session", "duration_weeks"}
    assert goal.interventions.count() == 1
    ok = _post_api(client, goal, responsible_id=clinic.clinician_a.pk, **GOOD)
    assert ok.status_code == 201
    body = client.get(f"/api/v1/plans/{goal.problem.plan_id}").json()
    added = body["problems"][0]["goals"][0]["interventions"][-1]
    assert {k: added[k] for k in (*GOOD, "needs_review")} == {**GOOD, "needs_review": False}


def test_page_field_errors(client, clinic):
    goal = _goal(clinic)
    verified_login(client, clinic.clinician_a)
    prefix = f"i{goal.pk}"
    response = client.post(
        f"/plans/goals/{goal.pk}/interventions/",
        {
            f"{prefix}-modality": "group_therapy",
            f"{prefix}-minutes_per_session": "0",
            f"{prefix}-sessions_per_week": "8",
            f"{prefix}-duration_weeks": "",
            f"{prefix}-responsible": clinic.clinician_a.pk,
        },
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert 'data-testid="error-minutes_per_session"' in html
    assert "At least 1 (minutes per session)." in html
    assert "At most 7 (sessions a week)." in html
    assert "Give the weeks." in html
    assert goal.interventions.count() == 1
    response = client.post(
        f"/plans/goals/{goal.pk}/interventions/",
        {
            f"{prefix}-modality": "individual_therapy",
            f"{prefix}-minutes_per_session": "50",
            f"{prefix}-sessions_per_week": "1",
            f"{prefix}-duration_weeks": "6",
            f"{prefix}-responsible": clinic.clinician_a.pk,
        },
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    assert "Individual therapy: 1 session a week, 50 minutes each, for 6 weeks" in (
        response.content.decode()
    )


def test_page_marks_an_intervention_under_review(client, clinic):
    plan = write_plan(clinic, sign=True)
    Intervention.objects.filter(goal__problem__plan=plan).update(
        needs_review=True, duration_weeks=None, legacy_frequency="3 times a week, 3 hours"
    )
    verified_login(client, clinic.clinician_a)
    html = client.get(f"/plans/{plan.pk}/").content.decode()
    assert 'data-testid="needs-review"' in html
    assert "(“3 times a week, 3 hours”); missing: weeks. Fix it in the plan's next version." in html
