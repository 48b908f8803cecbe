"""The plan page: the signed plan with signatures, progress, reviews and what changed, and
the htmx editor of a draft. Every other plan view answers with it."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET

from stepwell.core.forms import form_call
from stepwell.privacy.audit import AuditAction

from .. import selectors
from ..forms import (
    ActionForm,
    GoalForm,
    InterventionForm,
    ObjectiveForm,
    PatientSignatureForm,
    PhysicianCertificationForm,
    ProblemForm,
    ReviewForm,
    ReviseForm,
    StatusForm,
)
from ..models import TreatmentPlan


def _editor(page: selectors.PlanPage, failed: tuple[str, object] | None) -> dict:
    """The nested plan with a blank add-form under each item (or the one that failed)."""
    failed_key, failed_form = failed or (None, None)

    def pick(key, make):
        return failed_form if key == failed_key else make()

    tree = []
    for row in page.tree:
        goals = [
            {
                "goal": goal_row.goal,
                "objectives": goal_row.objectives,
                "interventions": goal_row.interventions,
                "objective_form": pick(
                    f"objective:{goal_row.goal.pk}",
                    lambda g=goal_row.goal: ObjectiveForm(prefix=f"o{g.pk}"),
                ),
                "intervention_form": pick(
                    f"intervention:{goal_row.goal.pk}",
                    lambda g=goal_row.goal: InterventionForm(prefix=f"i{g.pk}", staff=page.staff),
                ),
            }
            for goal_row in row.goals
        ]
        tree.append(
            {
                "problem": row.problem,
                "diagnoses": row.diagnoses,
                "goals": goals,
                "goal_form": pick(
                    f"goal:{row.problem.pk}", lambda p=row.problem: GoalForm(prefix=f"g{p.pk}")
                ),
            }
        )
    problem_form = pick("problem", lambda: ProblemForm(prefix="p", diagnoses=page.diagnoses))
    return {"tree": tree, "problem_form": problem_form}


def plan_page_answer(
    request, page, *, failed=None, status: int = 200, whole: bool = False, **forms
):
    """Render the plan page (or, for htmx on a draft, only its editor)."""
    context = {
        **page.context(),
        "action_form": ActionForm(),
        "status_form": StatusForm(),
        "review_form": ReviewForm(),
        "revise_form": ReviseForm(),
        "patient_signature_form": PatientSignatureForm(),
        "physician_form": PhysicianCertificationForm(),
        "recertify_form": PhysicianCertificationForm(kind="recertification", prefix="recertify"),
        **_editor(page, failed),
        **forms,
    }
    partial = request.htmx and not page.plan.is_signed and not whole
    template = "plans/plan.html#editor" if partial else "plans/plan.html"
    return render(request, template, context, status=status)


def _same(data: dict) -> dict:
    return data


def plan_action(request, plan_id: int, form, service, *, need, form_key, ok, arguments=_same):
    """Call the service with the form's data (`arguments` maps it to the service's
    arguments). On success go to the plan, or to the new version the service returns;
    otherwise show the plan page with the form's errors (400)."""
    if form.is_valid():
        result = form_call(
            form, service, actor=request.user, plan_id=plan_id, **arguments(form.cleaned_data)
        )
        if result is not None:
            messages.success(request, ok)
            target = result.pk if isinstance(result, TreatmentPlan) else plan_id
            return redirect("plans:plan", plan_id=target)
    page = selectors.plan_page(
        user=request.user, plan_id=plan_id, need=need, action=AuditAction.UPDATE
    )
    return plan_page_answer(request, page, status=400, whole=True, **{form_key: form})


@login_required
@require_GET
def plan_detail(request, plan_id: int):
    page = selectors.plan_page_opened(user=request.user, plan_id=plan_id)
    return plan_page_answer(request, page, whole=True)
