"""Access to treatment plans. Roles are per program: a rule is checked in the program of
the plan's episode, so a nurse in program A who is a clinician in program B does not edit
A's plans.

- Read a plan: a clinician, prescriber, nurse or program director of the episode's
  program; a clinician, prescriber or nurse on the patient's care team; the patient,
  their own signed versions only (never a draft).
- Write a draft, sign as clinician, revise, record reviews and objective status: a
  clinician of the episode's program, or a clinician on the patient's care team.
- Record the patient's signature: the patient on the portal (their own signed versions);
  in person, a clinician, nurse or prescriber of the program or on the care team.
- Sign as physician and recertify: a prescriber of the program or on the care team whose
  credentials are a physician's, MD or DO (plans.certification; docs/clinical-sources.md
  §2.1). A prescriber without them is refused with the reason, and the refusal is
  audited as denied.
- The plan section of a chart: staff who may read the patient's chart.
- Intake coordinators, billing staff, administrators and system actors: none of these.

A missing record and a forbidden one get the same audited refusal.
"""

from __future__ import annotations

from enum import StrEnum

from django.db.models import Exists, Model, OuterRef, Q, QuerySet

from stepwell.accounts.models import Role
from stepwell.core.errors import ApplicationError
from stepwell.core.kept import RecordRead
from stepwell.patients.models import CareTeamMember, Episode, Patient
from stepwell.plans.certification import is_physician, physician_refusal
from stepwell.plans.models import (
    Goal,
    Intervention,
    Objective,
    PlanStatus,
    Problem,
    TreatmentPlan,
)
from stepwell.privacy.audit import AuditAction
from stepwell.privacy.refusals import refuse

from .conditions import OnCareTeam
from .patients import EPISODE_READ, access_patient_by_id
from .predicates import (
    CLINICAL_ROLES,
    is_patient_user,
    is_staff_member,
    programs_with,
    read_and_check,
)

_PLAN = RecordRead(
    TreatmentPlan, "patient", "episode", "episode__program", "episode__patient", "previous"
)


class PlanNeed(StrEnum):
    """What a caller needs to do with a plan."""

    READ = "read"
    EDIT = "edit"  # drafts, clinician signature, revisions, reviews, objective status
    SIGN_PATIENT = "sign_patient"
    SIGN_PHYSICIAN = "sign_physician"  # the prescriber role; the credential is checked apart


# Roles that grant a need in the episode's program, and roles that grant it to a member of
# the patient's care team (who may hold the role in another program).
_PROGRAM_ROLES = {
    PlanNeed.READ: (*CLINICAL_ROLES, Role.PROGRAM_DIRECTOR),
    PlanNeed.EDIT: (Role.CLINICIAN,),
    PlanNeed.SIGN_PATIENT: CLINICAL_ROLES,
    PlanNeed.SIGN_PHYSICIAN: (Role.PRESCRIBER,),
}
_CARE_TEAM_ROLES = {
    PlanNeed.READ: CLINICAL_ROLES,
    PlanNeed.EDIT: (Role.CLINICIAN,),
    PlanNeed.SIGN_PATIENT: CLINICAL_ROLES,
    PlanNeed.SIGN_PHYSICIAN: (Role.PRESCRIBER,),
}
# What a patient may do with their own plans.
_OWN_PLAN_NEEDS = (PlanNeed.READ, PlanNeed.SIGN_PATIENT)

PLAN_ITEM_MODELS: dict[str, type[Model]] = {
    "problem": Problem,
    "goal": Goal,
    "objective": Objective,
    "intervention": Intervention,
}
# How an item reaches its plan.
_PATH_TO_PLAN = {
    Problem: "plan",
    Goal: "problem__plan",
    Objective: "goal__problem__plan",
    Intervention: "goal__problem__plan",
}
# Each item read with its plan's patient and its plan's episode's program and patient.
_ITEM_READS = {
    model: RecordRead(
        model, f"{path}__patient", f"{path}__episode__program", f"{path}__episode__patient"
    )
    for model, path in _PATH_TO_PLAN.items()
}


def _staff_scope(user, need: PlanNeed, episode: str) -> Q:
    """Where a staff member meets the need, over the episode reached by `episode`
    ("" on Episode itself, "episode__" on a plan)."""
    scope = Q(pk__in=[])
    program_ids = programs_with(user, *_PROGRAM_ROLES[need])
    if program_ids:
        scope |= Q(**{f"{episode}program_id__in": program_ids})
    if programs_with(user, *_CARE_TEAM_ROLES[need]):
        on_team = CareTeamMember.objects.filter(
            user=user, patient_id=OuterRef(f"{episode}patient_id")
        )
        scope |= Q(Exists(on_team))
    return scope


def plans_for(user, need: PlanNeed = PlanNeed.READ) -> QuerySet[TreatmentPlan]:
    """The plans on which the user may do what `need` says."""
    if is_patient_user(user):
        if need not in _OWN_PLAN_NEEDS:
            return TreatmentPlan.objects.none()
        return TreatmentPlan.objects.filter(patient__user=user, status=PlanStatus.SIGNED)
    if not is_staff_member(user):
        return TreatmentPlan.objects.none()
    return TreatmentPlan.objects.filter(_staff_scope(user, need, "episode__"))


def plans_visible_to(user) -> QuerySet[TreatmentPlan]:
    return plans_for(user, PlanNeed.READ)


def plan_episodes_for(user, need: PlanNeed = PlanNeed.READ) -> QuerySet[Episode]:
    """The episodes whose plans a staff member may work on as `need` says."""
    if not is_staff_member(user):
        return Episode.objects.none()
    return Episode.objects.filter(_staff_scope(user, need, ""))


# --- fetch and check in one call ------------------------------------------------------


def _staff_meets(user, need: PlanNeed, episode: Episode) -> bool:
    """_staff_scope for one episode read with its patient: a program role in the
    episode's program, or a care-team role held somewhere and a place on the patient's
    care team (from the patient's facts)."""
    if episode.program_id in programs_with(user, *_PROGRAM_ROLES[need]):
        return True
    return bool(programs_with(user, *_CARE_TEAM_ROLES[need])) and OnCareTeam(user).holds_for(
        episode.patient
    )


def _plan_meets(user, need: PlanNeed, plan: TreatmentPlan) -> bool:
    """plans_for(user, need) for one plan read with its patient and its episode's."""
    if is_patient_user(user):
        return (
            need in _OWN_PLAN_NEEDS
            and plan.patient.user_id == user.pk
            and plan.status == PlanStatus.SIGNED
        )
    return is_staff_member(user) and _staff_meets(user, need, plan.episode)


def access_plan_by_id(
    user, plan_id, *, need: PlanNeed = PlanNeed.READ, action: str = AuditAction.VIEW
) -> TreatmentPlan:
    """The plan, if the user may work on it as `need` says (plans_for, answered for the
    plan read with its patient), or an audited refusal."""
    return read_and_check(
        _PLAN,
        plan_id,
        lambda plan: _plan_meets(user, need, plan),
        user=user,
        action=action,
        object_type="treatment_plan",
    )


def _plan_of(item: Model, path: str) -> TreatmentPlan:
    plan = item
    for step in path.split("__"):
        plan = getattr(plan, step)
    return plan


def access_plan_item_by_id(
    user, kind: str, item_id, *, need: PlanNeed = PlanNeed.EDIT, action: str = AuditAction.UPDATE
) -> tuple[Model, TreatmentPlan]:
    """A problem, goal, objective or intervention and its plan, or an audited refusal."""
    model = PLAN_ITEM_MODELS.get(kind)
    if model is None:
        raise refuse(actor=user, action=action, object_type=f"plan_item:{kind}"[:64])
    path = _PATH_TO_PLAN[model]
    item = read_and_check(
        _ITEM_READS[model],
        item_id,
        lambda item: _plan_meets(user, need, _plan_of(item, path)),
        user=user,
        action=action,
        object_type=kind,
        patient_of=lambda item: _plan_of(item, path).patient_id,
    )
    return item, _plan_of(item, path)


def access_plan_episode_by_id(
    user, episode_id, *, need: PlanNeed = PlanNeed.EDIT, action: str = AuditAction.CREATE
) -> Episode:
    """The episode a new plan is written for (plan_episodes_for, answered for the episode
    read with its patient), or an audited refusal."""
    return read_and_check(
        EPISODE_READ,
        episode_id,
        lambda episode: is_staff_member(user) and _staff_meets(user, need, episode),
        user=user,
        action=action,
        object_type="treatment_plan",
        object_id=f"episode:{episode_id}"[:64],
    )


def access_plan_for_physician_by_id(
    user, plan_id, *, action: str = AuditAction.UPDATE
) -> TreatmentPlan:
    """The plan a physician signs or recertifies.

    Without the prescriber role in the plan's program (or on the care team) the refusal
    is an AccessDenied like any other. A prescriber whose credentials are not an MD's or
    DO's is told why (an ApplicationError naming the field "physician"), and that refusal
    is audited as denied too (docs/clinical-sources.md §2.1).
    """
    plan = access_plan_by_id(user, plan_id, need=PlanNeed.SIGN_PHYSICIAN, action=action)
    if not is_physician(user.credentials):
        reason = physician_refusal(user.credentials)
        raise ApplicationError(reason, field_errors={"physician": reason}) from refuse(
            actor=user,
            action="sign",
            object_type="treatment_plan",
            object_id=plan.pk,
            patient_id=plan.patient_id,
            detail={"role": "physician", "reason": "not a physician credential"},
        )
    return plan


def access_plan_chart_by_id(user, patient_id) -> Patient:
    """The patient whose chart shows the intake-and-plans section: staff who may read the
    chart. A patient reads their plans on the portal, not here."""
    if not is_staff_member(user):
        raise refuse(
            actor=user,
            object_type="plan_chart_section",
            object_id=patient_id,
            patient_id=patient_id,
        )
    return access_patient_by_id(user, patient_id, object_type="plan_chart_section")


# --- what a page shows ----------------------------------------------------------------


def access_plan_read(user, plan: TreatmentPlan) -> bool:
    return plans_for(user, PlanNeed.READ).filter(pk=plan.pk).exists()


def access_plan_edit(user, plan: TreatmentPlan) -> bool:
    return plans_for(user, PlanNeed.EDIT).filter(pk=plan.pk).exists()


def access_plan_sign_patient(user, plan: TreatmentPlan) -> bool:
    return plans_for(user, PlanNeed.SIGN_PATIENT).filter(pk=plan.pk).exists()


def access_plan_prescriber(user, plan: TreatmentPlan) -> bool:
    """Holds the prescriber role for this plan, whatever the credential."""
    return plans_for(user, PlanNeed.SIGN_PHYSICIAN).filter(pk=plan.pk).exists()


def access_plan_sign_physician(user, plan: TreatmentPlan) -> bool:
    if not is_physician(getattr(user, "credentials", "")):
        return False
    return access_plan_prescriber(user, plan)


def access_plan_start(user, episode: Episode) -> bool:
    return plan_episodes_for(user, PlanNeed.EDIT).filter(pk=episode.pk).exists()
