"""The service is the gate: every plan service, called directly as someone who may not,
is refused with AccessDenied, writes exactly one denied audit row and changes nothing.
The same call by the right person then goes through, so the refusal is the gate's alone.
"""

from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.utils import timezone

from stepwell.accounts.models import Role
from stepwell.core.errors import AccessDenied
from stepwell.patients.models import EpisodeState
from stepwell.plans import services
from stepwell.plans.models import (
    Goal,
    Intervention,
    Objective,
    ObjectiveStatusUpdate,
    PhysicianCertification,
    PlanReview,
    PlanSignature,
    Problem,
    ProgramPlanPolicy,
    TreatmentPlan,
)
from stepwell.plans.services import MeasureIn
from stepwell.privacy.actors import system_actor
from stepwell.privacy.models import AuditEvent
from stepwell.testing.factories import EpisodeFactory, PatientFactory, UserFactory

from .conftest import write_plan

PLAN_TABLES = (
    TreatmentPlan,
    Problem,
    Goal,
    Objective,
    Intervention,
    ObjectiveStatusUpdate,
    PlanSignature,
    PhysicianCertification,
    PlanReview,
)


def _state() -> dict:
    """Every row of every plan table, and the audit trail's allowed events."""
    rows = {model.__name__: list(model.objects.order_by("pk").values()) for model in PLAN_TABLES}
    rows["allowed_events"] = AuditEvent.objects.filter(outcome="allowed").count()
    return rows


def assert_refused(call, actor) -> None:
    before = _state()
    denied = AuditEvent.objects.filter(outcome="denied").count()
    with pytest.raises(AccessDenied):
        call(actor)
    assert AuditEvent.objects.filter(outcome="denied").count() == denied + 1
    assert _state() == before


def _admitted_episode(clinic):
    episode = EpisodeFactory(
        patient=PatientFactory(legal_first_name="Cory", legal_last_name="Cypress"),
        program=clinic.program_a,
        state=EpisodeState.ACTIVE,
    )
    episode.admitted_on = episode.referred_on
    episode.save()
    return episode


@pytest.fixture
def plans(clinic):
    """A draft (patient A) and a signed plan waiting for patient and physician (patient C),
    in program A, whose policy asks for a physician."""
    ProgramPlanPolicy.objects.create(program=clinic.program_a, requires_physician_signature=True)
    draft = write_plan(clinic)
    signed = write_plan(clinic, sign=True, episode=_admitted_episode(clinic))
    goal = draft.problems.get().goals.get()
    return SimpleNamespace(
        draft=draft,
        signed=signed,
        problem=draft.problems.get(),
        goal=goal,
        objective=signed.problems.get().goals.get().objectives.get(),
    )


# Users refused by rule; each name says why.
REFUSED = {
    "nurse_here": lambda c: c.nurse_a,  # reads plans, writes none
    "director_here": lambda c: c.director_a,
    "clinician_elsewhere": lambda c: c.clinician_b,  # other program, not on the care team
    "nurse_here_clinician_elsewhere": lambda c: UserFactory(
        grants=[(Role.NURSE, c.program_a), (Role.CLINICIAN, c.program_b)]
    ),
    "intake_here": lambda c: c.intake_a,  # sees the chart, not the plan
    "billing_here": lambda c: c.billing_a,
    "patient": lambda c: c.patient_user_a,
    "other_patient": lambda c: c.patient_user_b,
    "system_job": lambda c: system_actor("plans-gate-test"),
    "md_clinician_here": lambda c: UserFactory(
        roles=[Role.CLINICIAN], programs=[c.program_a], credentials="MD"
    ),
    "md_prescriber_elsewhere": lambda c: UserFactory(
        roles=[Role.PRESCRIBER], programs=[c.program_b], credentials="MD"
    ),
    "md_director_here_prescriber_elsewhere": lambda c: UserFactory(
        grants=[(Role.PROGRAM_DIRECTOR, c.program_a), (Role.PRESCRIBER, c.program_b)],
        credentials="DO",
    ),
}
NOT_EDITORS = [
    "nurse_here",
    "director_here",
    "clinician_elsewhere",
    "nurse_here_clinician_elsewhere",
    "patient",
    "system_job",
]
NOT_PHYSICIANS = [
    "nurse_here",
    "md_clinician_here",
    "md_prescriber_elsewhere",
    "md_director_here_prescriber_elsewhere",
    "patient",
]
NOT_PATIENT_SIGNERS = [
    "other_patient",
    "director_here",
    "intake_here",
    "billing_here",
    "clinician_elsewhere",
]


def _later(days: int = 30):
    return timezone.localdate() + timedelta(days=days)


# --- versions -------------------------------------------------------------------------


@pytest.mark.parametrize("who", NOT_EDITORS)
def test_plan_create(clinic, who):
    episode = _admitted_episode(clinic)

    def call(actor):
        return services.plan_create(actor=actor, episode_id=episode.pk)

    assert_refused(call, REFUSED[who](clinic))
    assert call(clinic.clinician_a).episode == episode


@pytest.mark.parametrize("who", NOT_EDITORS)
def test_plan_revise(clinic, plans, who):
    def call(actor):
        return services.plan_revise(actor=actor, plan_id=plans.signed.pk, reason="New goal")

    assert_refused(call, REFUSED[who](clinic))
    assert call(clinic.clinician_a).version == 2


# --- draft content --------------------------------------------------------------------


@pytest.mark.parametrize("who", NOT_EDITORS)
def test_problem_add(clinic, plans, who):
    def call(actor):
        return services.problem_add(actor=actor, plan_id=plans.draft.pk, statement="Sleep")

    assert_refused(call, REFUSED[who](clinic))
    assert call(clinic.clinician_a).plan == plans.draft


@pytest.mark.parametrize("who", NOT_EDITORS)
def test_goal_add(clinic, plans, who):
    def call(actor):
        return services.goal_add(
            actor=actor,
            problem_id=plans.problem.pk,
            domain="resilience",
            patient_words="Sleep through",
            clinical_wording="Improve sleep hygiene",
        )

    assert_refused(call, REFUSED[who](clinic))
    assert call(clinic.clinician_a).problem == plans.problem


@pytest.mark.parametrize("who", NOT_EDITORS)
def test_objective_add(clinic, plans, who):
    def call(actor):
        return services.objective_add(
            actor=actor,
            goal_id=plans.goal.pk,
            description="Seven hours of sleep",
            target_date=_later(),
            measure=MeasureIn(),
        )

    assert_refused(call, REFUSED[who](clinic))
    assert call(clinic.clinician_a).goal == plans.goal


@pytest.mark.parametrize("who", NOT_EDITORS)
def test_intervention_add(clinic, plans, who):
    def call(actor):
        return services.intervention_add(
            actor=actor,
            goal_id=plans.goal.pk,
            modality="individual_therapy",
            minutes_per_session=50,
            sessions_per_week=1,
            duration_weeks=6,
            responsible=clinic.clinician_a,
        )

    assert_refused(call, REFUSED[who](clinic))
    assert call(clinic.clinician_a).goal == plans.goal


@pytest.mark.parametrize("kind", ["problem", "goal", "objective", "intervention"])
@pytest.mark.parametrize("who", ["nurse_here", "nurse_here_clinician_elsewhere", "patient"])
def test_plan_item_remove(clinic, plans, who, kind):
    item = {
        "problem": plans.problem,
        "goal": plans.goal,
        "objective": plans.goal.objectives.get(),
        "intervention": plans.goal.interventions.get(),
    }[kind]

    def call(actor):
        return services.plan_item_remove(actor=actor, kind=kind, item_id=item.pk)

    assert_refused(call, REFUSED[who](clinic))
    call(clinic.clinician_a)
    assert not type(item).objects.filter(pk=item.pk).exists()


# --- signatures -----------------------------------------------------------------------


@pytest.mark.parametrize("who", NOT_EDITORS)
def test_plan_sign_clinician(clinic, plans, who):
    def call(actor):
        return services.plan_sign_clinician(actor=actor, plan_id=plans.draft.pk)

    assert_refused(call, REFUSED[who](clinic))
    assert call(clinic.clinician_a).status == "signed"


@pytest.mark.parametrize("who", NOT_PATIENT_SIGNERS)
def test_plan_sign_patient(clinic, plans, who):
    def call(actor):
        return services.plan_sign_patient(
            actor=actor, plan_id=plans.signed.pk, method="in_person", signer_name="Cory Cypress"
        )

    assert_refused(call, REFUSED[who](clinic))
    assert call(clinic.nurse_a).role == "patient"


def test_a_patient_cannot_sign_a_draft_or_someone_else_s_plan(clinic, plans):
    """The patient's own draft is not theirs to see yet: refused like any other plan."""
    for plan_id in (plans.draft.pk, plans.signed.pk):
        assert_refused(
            lambda actor, plan_id=plan_id: services.plan_sign_patient(
                actor=actor, plan_id=plan_id, method="portal"
            ),
            clinic.patient_user_a,
        )


@pytest.mark.parametrize("who", NOT_PHYSICIANS)
def test_plan_sign_physician(clinic, plans, who):
    def call(actor):
        return services.plan_sign_physician(
            actor=actor, plan_id=plans.signed.pk, attests_nine_hours=True
        )

    assert_refused(call, REFUSED[who](clinic))
    assert call(clinic.prescriber_a).plan == plans.signed


@pytest.mark.parametrize("who", NOT_PHYSICIANS)
def test_physician_recertify(clinic, plans, who):
    services.plan_sign_physician(
        actor=clinic.prescriber_a, plan_id=plans.signed.pk, attests_nine_hours=True
    )

    def call(actor):
        return services.physician_recertify(
            actor=actor, plan_id=plans.signed.pk, attests_nine_hours=True
        )

    assert_refused(call, REFUSED[who](clinic))
    assert call(clinic.prescriber_a).kind == "recertification"


# --- after signing --------------------------------------------------------------------


@pytest.mark.parametrize("who", NOT_EDITORS)
def test_objective_status_record(clinic, plans, who):
    def call(actor):
        return services.objective_status_record(
            actor=actor, objective_id=plans.objective.pk, status="in_progress"
        )

    assert_refused(call, REFUSED[who](clinic))
    assert call(clinic.clinician_a).status == "in_progress"


@pytest.mark.parametrize("who", NOT_EDITORS)
def test_plan_review_record(clinic, plans, who):
    def call(actor):
        return services.plan_review_record(
            actor=actor, plan_id=plans.signed.pk, outcome="revise", note="Add a sleep goal"
        )

    assert_refused(call, REFUSED[who](clinic))
    assert call(clinic.clinician_a).plan == plans.signed
    assert TreatmentPlan.objects.filter(previous=plans.signed, status="draft").exists()
