"""What the plan page and the API show of one plan, read from what the user may see.

Every function starts from the acting user and fetches through the access rules of
stepwell.privacy.access.plans, so a plan the user may not see is refused (and audited)
before anything of it is read.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import NamedTuple

from django.db.models import QuerySet

from stepwell.accounts.models import User, UserKind
from stepwell.intake.models import AssessmentDiagnosis
from stepwell.plans.certification import physician_refusal
from stepwell.privacy.access.plans import (
    PlanNeed,
    access_plan_by_id,
    access_plan_edit,
    access_plan_item_by_id,
    access_plan_prescriber,
    access_plan_sign_patient,
    access_plan_sign_physician,
)
from stepwell.privacy.access.predicates import CLINICAL_ROLES, is_patient_user
from stepwell.privacy.audit import AuditAction, audit_record

from ..models import Goal, Intervention, Objective, PhysicianCertification, Problem, TreatmentPlan
from ..progress import Progress, objective_progress
from ..revisions import ItemChange, plan_changes
from .due import latest_certification, plan_review_due_on
from .versions import (
    SignatureStatus,
    missing_signatures,
    plan_is_superseded,
    plans_of_episode,
    signature_status_of,
)

# --- the plan's content -----------------------------------------------------------------


class ObjectiveRow(NamedTuple):
    objective: Objective
    progress: Progress
    status: str  # the latest recorded status
    status_label: str


@dataclass(frozen=True)
class GoalRow:
    goal: Goal
    objectives: list[ObjectiveRow]
    interventions: list[Intervention]


@dataclass(frozen=True)
class ProblemRow:
    problem: Problem
    diagnoses: list[AssessmentDiagnosis]
    goals: list[GoalRow]


def _objective_row(objective: Objective, patient) -> ObjectiveRow:
    updates = list(objective.status_updates.all())  # oldest first
    latest = updates[-1] if updates else objective
    return ObjectiveRow(
        objective,
        objective_progress(objective, patient),
        latest.status,
        latest.get_status_display(),
    )


def plan_tree(plan: TreatmentPlan) -> list[ProblemRow]:
    """Problems, their goals, objectives (with progress and latest status) and
    interventions, in order. The caller fetched `plan` through the access rules."""
    rows = []
    for problem in plan.problems.prefetch_related(
        "diagnoses", "goals__objectives__status_updates", "goals__interventions__responsible"
    ):
        goals = [
            GoalRow(
                goal,
                [_objective_row(o, plan.patient) for o in goal.objectives.all()],
                list(goal.interventions.all()),
            )
            for goal in problem.goals.all()
        ]
        rows.append(ProblemRow(problem, list(problem.diagnoses.all()), goals))
    return rows


# --- the plan page ----------------------------------------------------------------------


@dataclass(frozen=True)
class PlanPage:
    plan: TreatmentPlan
    patient: object
    tree: list[ProblemRow]
    versions: list[TreatmentPlan]
    changes: list[ItemChange]
    signatures: list
    missing: list[str]
    signature_status: SignatureStatus
    needs_physician: bool
    review_due_on: object
    certification: PhysicianCertification | None
    reviews: list
    superseded: bool
    latest: bool  # the current signed version
    is_patient: bool
    can_edit: bool
    editable: bool  # a draft the user may edit
    can_sign_clinician: bool
    can_sign_patient: bool
    can_sign_physician: bool
    can_recertify: bool
    physician_refusal: str  # why a prescriber without MD or DO cannot sign
    diagnoses: list[AssessmentDiagnosis]  # what a new problem may cite (drafts)
    staff: QuerySet[User]  # who may be responsible for a new intervention (drafts)

    def context(self) -> dict:
        return {field.name: getattr(self, field.name) for field in fields(self)}


def _page_of(user, plan: TreatmentPlan) -> PlanPage:
    superseded = plan_is_superseded(plan)
    latest = plan.is_signed and not superseded
    missing = missing_signatures(plan) if plan.is_signed else []
    can_edit = access_plan_edit(user, plan)
    editable = not plan.is_signed and can_edit
    prescriber = latest and access_plan_prescriber(user, plan)
    physician = prescriber and access_plan_sign_physician(user, plan)
    signatures = list(plan.signatures.select_related("signer"))
    return PlanPage(
        plan=plan,
        patient=plan.patient,
        tree=plan_tree(plan),
        versions=plans_of_episode(plan.episode),
        changes=plan_changes(plan.previous, plan),
        signatures=signatures,
        missing=missing,
        signature_status=signature_status_of(locked=plan.is_signed, missing=missing),
        needs_physician=plan.is_signed and "physician" in missing,
        review_due_on=plan_review_due_on(plan),
        certification=latest_certification(plan.episode),
        reviews=list(plan.reviews.select_related("reviewer")),
        superseded=superseded,
        latest=latest,
        is_patient=is_patient_user(user),
        can_edit=can_edit,
        editable=editable,
        can_sign_clinician=editable,
        can_sign_patient=latest and "patient" in missing and access_plan_sign_patient(user, plan),
        can_sign_physician=physician and not any(s.role == "physician" for s in signatures),
        can_recertify=physician,
        physician_refusal=physician_refusal(user.credentials)
        if prescriber and not physician
        else "",
        diagnoses=list(signed_diagnoses_of(plan)) if editable else [],
        staff=program_staff_of(plan) if editable else User.objects.none(),
    )


def plan_page(
    *, user, plan_id, need: PlanNeed = PlanNeed.READ, action: str = AuditAction.VIEW
) -> PlanPage:
    """The plan page, for a user who may do what `need` says (refused and audited
    otherwise). Not itself audited as a view: the page shown after a write."""
    return _page_of(user, access_plan_by_id(user, plan_id, need=need, action=action))


def plan_page_opened(*, user, plan_id) -> PlanPage:
    """The plan page opened by the user: the view is in the audit trail."""
    plan = access_plan_by_id(user, plan_id)
    audit_record(
        user=user,
        action=AuditAction.VIEW,
        patient_id=plan.patient_id,
        object_type="treatment_plan",
        object_id=plan.pk,
    )
    return _page_of(user, plan)


def plan_editor_page(*, user, plan_id) -> PlanPage:
    """The plan page after a clinician's change to a draft."""
    return plan_page(user=user, plan_id=plan_id, need=PlanNeed.EDIT, action=AuditAction.UPDATE)


def plan_opened(*, user, plan_id) -> TreatmentPlan:
    """The plan read over the API: the view is in the audit trail."""
    plan = access_plan_by_id(user, plan_id)
    audit_record(
        user=user,
        action=AuditAction.VIEW,
        patient_id=plan.patient_id,
        object_type="treatment_plan",
        object_id=plan.pk,
        detail={"via": "api"},
    )
    return plan


def plan_after_write(*, user, plan_id) -> TreatmentPlan:
    """The plan as it is after the user's write (which is audited), for the answer."""
    return access_plan_by_id(user, plan_id)


# --- the plan editor --------------------------------------------------------------------


def program_staff_of(plan: TreatmentPlan) -> QuerySet[User]:
    """Who may be named responsible for an intervention: active clinical staff
    (clinicians, prescribers, nurses) of the program; not billing or intake staff."""
    return (
        User.objects.filter(
            kind=UserKind.STAFF,
            is_active=True,
            program_memberships__program=plan.episode.program,
            role_assignments__program=plan.episode.program,
            role_assignments__role__in=CLINICAL_ROLES,
        )
        .distinct()
        .order_by("last_name", "first_name")
    )


def signed_diagnoses_of(plan: TreatmentPlan) -> QuerySet[AssessmentDiagnosis]:
    """The diagnoses of the episode's signed assessments, which a problem may cite."""
    return AssessmentDiagnosis.objects.filter(
        assessment__episode=plan.episode, assessment__status="signed"
    ).order_by("-primary", "code")


@dataclass(frozen=True)
class EditorTarget:
    """The draft a form adds to, and the choices its forms offer."""

    plan: TreatmentPlan
    diagnoses: QuerySet[AssessmentDiagnosis]
    staff: QuerySet[User]


def plan_editing(*, user, kind: str, item_id) -> EditorTarget:
    """The plan (kind "plan") or the plan of an item a clinician edits; refused and
    audited for anyone else."""
    if kind == "plan":
        plan = access_plan_by_id(user, item_id, need=PlanNeed.EDIT, action=AuditAction.UPDATE)
    else:
        _, plan = access_plan_item_by_id(user, kind, item_id)
    return EditorTarget(plan, signed_diagnoses_of(plan), program_staff_of(plan))


def staff_member_or_none(user_id: int) -> User | None:
    """A staff account by id (the service checks it works in the plan's program)."""
    return User.objects.filter(pk=user_id, kind=UserKind.STAFF).first()
