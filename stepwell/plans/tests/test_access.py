"""Every branch of stepwell/privacy/access/plans.py, with roles per program."""

import pytest

from stepwell.accounts.models import Role
from stepwell.core.errors import AccessDenied, ApplicationError
from stepwell.patients.models import EpisodeState
from stepwell.plans import services
from stepwell.privacy.access import plans as access
from stepwell.privacy.access.plans import PlanNeed
from stepwell.privacy.actors import system_actor
from stepwell.privacy.models import AuditEvent
from stepwell.testing.factories import CareTeamMemberFactory, UserFactory

from .conftest import write_plan


@pytest.mark.parametrize(
    ("who", "read", "edit", "prescriber", "physician", "patient_sign"),
    [
        ("clinician_a", True, True, False, False, True),
        ("nurse_a", True, False, False, False, True),
        ("prescriber_a", True, False, True, True, True),
        ("director_a", True, False, False, False, False),
        ("intake_a", False, False, False, False, False),
        ("billing_a", False, False, False, False, False),
        ("admin", False, False, False, False, False),
        ("clinician_b", False, False, False, False, False),
        ("patient_user_a", True, False, False, False, True),
        ("patient_user_b", False, False, False, False, False),
    ],
)
def test_plan_access_matrix(clinic, who, read, edit, prescriber, physician, patient_sign):
    user = getattr(clinic, who)
    plan = write_plan(clinic, sign=True)
    assert access.access_plan_read(user, plan) is read
    assert access.access_plan_edit(user, plan) is edit
    assert access.access_plan_prescriber(user, plan) is prescriber
    assert access.access_plan_sign_physician(user, plan) is physician
    assert access.access_plan_sign_patient(user, plan) is patient_sign
    assert access.access_plan_start(user, clinic.episode_a) is edit


def test_a_patient_never_sees_a_draft(clinic):
    draft = write_plan(clinic)
    assert access.access_plan_read(clinic.patient_user_a, draft) is False
    assert access.access_plan_sign_patient(clinic.patient_user_a, draft) is False
    assert access.access_plan_read(clinic.clinician_a, draft) is True


def test_inactive_users_and_system_actors_get_nothing(clinic):
    plan = write_plan(clinic, sign=True)
    job = system_actor("plans-probe")
    for need in PlanNeed:
        assert not access.plans_for(job, need).exists()
    for user in (clinic.clinician_a, clinic.patient_user_a, clinic.prescriber_a):
        user.is_active = False
        assert access.access_plan_read(user, plan) is False
        assert access.access_plan_sign_patient(user, plan) is False


def test_no_actor_is_a_programming_error(clinic):
    with pytest.raises(TypeError, match="system_actor"):
        access.plans_for(None)


# --- roles are per program ------------------------------------------------------------


def test_a_clinician_elsewhere_who_is_a_nurse_here_does_not_edit(clinic):
    """Before roles were per program, holding the clinician role anywhere let a nurse of
    program A edit A's plans."""
    nurse_here = UserFactory(
        grants=[(Role.NURSE, clinic.program_a), (Role.CLINICIAN, clinic.program_b)]
    )
    plan = write_plan(clinic)
    assert access.access_plan_read(nurse_here, plan) is True
    assert access.access_plan_edit(nurse_here, plan) is False
    assert access.access_plan_start(nurse_here, clinic.episode_a) is False


def test_a_director_here_who_prescribes_elsewhere_does_not_sign_as_physician(clinic):
    director = UserFactory(
        grants=[(Role.PROGRAM_DIRECTOR, clinic.program_a), (Role.PRESCRIBER, clinic.program_b)],
        credentials="MD",
    )
    plan = write_plan(clinic, sign=True)
    assert access.access_plan_read(director, plan) is True
    assert access.access_plan_prescriber(director, plan) is False
    assert access.access_plan_sign_physician(director, plan) is False


def test_an_intake_coordinator_here_who_is_a_nurse_elsewhere_does_not_read(clinic):
    """The chart is open to the coordinator; the plan is not."""
    coordinator = UserFactory(
        grants=[(Role.INTAKE_COORDINATOR, clinic.program_a), (Role.NURSE, clinic.program_b)]
    )
    plan = write_plan(clinic, sign=True)
    assert access.access_plan_read(coordinator, plan) is False
    assert access.access_plan_sign_patient(coordinator, plan) is False


def test_the_care_team_works_on_plans_of_another_program(clinic):
    """A clinician of A on the care team of a patient of B edits that patient's plan."""
    episode = clinic.team_patient_b.episodes.get()
    episode.state = EpisodeState.ACTIVE
    episode.save()
    plan = services.plan_create(actor=clinic.clinician_a, episode_id=episode.pk)
    assert access.access_plan_edit(clinic.clinician_a, plan) is True
    assert access.access_plan_read(clinic.clinician_b, plan) is True  # B's own clinician
    # a director of A is not on the team and directs nothing in B
    assert access.access_plan_read(clinic.director_a, plan) is False


def test_a_prescriber_on_the_care_team_signs_as_physician(clinic):
    outside_md = UserFactory(grants=[(Role.PRESCRIBER, clinic.program_b)], credentials="DO")
    plan = write_plan(clinic, sign=True)
    assert access.access_plan_sign_physician(outside_md, plan) is False
    CareTeamMemberFactory(patient=clinic.patient_a, user=outside_md, team_role="prescriber")
    assert access.access_plan_sign_physician(outside_md, plan) is True


def test_a_director_on_the_care_team_gains_nothing_from_it(clinic):
    """The care team grants to clinical roles; a director of B on A's team reads nothing."""
    director_b = UserFactory(grants=[(Role.PROGRAM_DIRECTOR, clinic.program_b)])
    CareTeamMemberFactory(patient=clinic.patient_a, user=director_b)
    assert access.access_plan_read(director_b, write_plan(clinic)) is False


# --- fetch and check ------------------------------------------------------------------


@pytest.mark.parametrize("plan_id", ["other", 987654321, 0, -1, 2**63, "abc", None])
def test_access_plan_by_id_refuses_the_same_way_and_audits(clinic, plan_id):
    plan = write_plan(clinic)
    target = plan.pk if plan_id == "other" else plan_id
    with pytest.raises(AccessDenied):
        access.access_plan_by_id(clinic.clinician_b, target)
    event = AuditEvent.objects.filter(outcome="denied", object_type="treatment_plan").latest("seq")
    assert event.username == "clin_b"
    assert event.patient_id == (clinic.patient_a.pk if plan_id == "other" else None)


def test_an_unknown_item_kind_is_refused(clinic):
    with pytest.raises(AccessDenied):
        access.access_plan_item_by_id(clinic.clinician_a, "signature", 1)
    assert AuditEvent.objects.filter(outcome="denied", object_type="plan_item:signature").exists()


def test_an_item_reaches_its_plan(clinic):
    plan = write_plan(clinic)
    objective = plan.problems.get().goals.get().objectives.get()
    item, found = access.access_plan_item_by_id(clinic.clinician_a, "objective", objective.pk)
    assert (item, found) == (objective, plan)


@pytest.mark.parametrize("credentials", ["NP", "PMHNP-BC", ""])
def test_a_prescriber_without_md_or_do_is_told_why_and_audited(clinic, credentials):
    plan = write_plan(clinic, sign=True)
    practitioner = UserFactory(
        roles=[Role.PRESCRIBER], programs=[clinic.program_a], credentials=credentials
    )
    with pytest.raises(ApplicationError) as caught:
        access.access_plan_for_physician_by_id(practitioner, plan.pk)
    assert not isinstance(caught.value, AccessDenied)
    assert set(caught.value.field_errors) == {"physician"}
    assert (
        AuditEvent.objects.filter(
            user_id=practitioner.pk, outcome="denied", action="sign", patient_id=plan.patient_id
        ).count()
        == 1
    )


def test_the_chart_section_is_for_staff_who_see_the_chart(clinic):
    assert access.access_plan_chart_by_id(clinic.intake_a, clinic.patient_a.pk) == clinic.patient_a
    for refused in (clinic.patient_user_a, clinic.clinician_b, clinic.billing_a):
        with pytest.raises(AccessDenied):
            access.access_plan_chart_by_id(refused, clinic.patient_a.pk)
    assert (
        AuditEvent.objects.filter(outcome="denied", object_type="plan_chart_section").count() == 3
    )
