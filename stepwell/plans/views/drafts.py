"""Writing a draft plan: start it, add problems, goals, objectives and interventions,
remove items. htmx requests get the editor back; others are redirected to the plan."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from stepwell.core.forms import form_call

from .. import selectors, services
from ..forms import (
    ITEM_EDIT_FORMS,
    ActionForm,
    GoalForm,
    InterventionForm,
    ObjectiveForm,
    ProblemForm,
)
from ..services import MeasureIn
from .page import plan_page_answer


@login_required
@require_POST
def plan_start(request, episode_id: int):
    plan = services.plan_create(actor=request.user, episode_id=episode_id)
    return redirect("plans:plan", plan_id=plan.pk)


def _editor_answer(request, plan_id: int, failed: tuple[str, object] | None = None):
    """After a change: the editor (htmx) or the plan; with the failed form, a 400."""
    if failed is None and not request.htmx:
        return redirect("plans:plan", plan_id=plan_id)
    page = selectors.plan_editor_page(user=request.user, plan_id=plan_id)
    return plan_page_answer(request, page, failed=failed, status=200 if failed is None else 400)


@login_required
@require_POST
def problem_add(request, plan_id: int):
    target = selectors.plan_editing(user=request.user, kind="plan", item_id=plan_id)
    form = ProblemForm(request.POST, prefix="p", diagnoses=target.diagnoses)
    done = form.is_valid() and form_call(
        form, services.problem_add, actor=request.user, plan_id=plan_id, **form.cleaned_data
    )
    return _editor_answer(request, target.plan.pk, None if done else ("problem", form))


@login_required
@require_POST
def goal_add(request, problem_id: int):
    target = selectors.plan_editing(user=request.user, kind="problem", item_id=problem_id)
    form = GoalForm(request.POST, prefix=f"g{problem_id}")
    done = form.is_valid() and form_call(
        form, services.goal_add, actor=request.user, problem_id=problem_id, **form.cleaned_data
    )
    return _editor_answer(request, target.plan.pk, None if done else (f"goal:{problem_id}", form))


@login_required
@require_POST
def objective_add(request, goal_id: int):
    target = selectors.plan_editing(user=request.user, kind="goal", item_id=goal_id)
    form = ObjectiveForm(request.POST, prefix=f"o{goal_id}")
    done = form.is_valid() and form_call(
        form,
        services.objective_add,
        actor=request.user,
        goal_id=goal_id,
        description=form.cleaned_data["description"],
        target_date=form.cleaned_data["target_date"],
        measure=MeasureIn(
            kind=form.cleaned_data["measure_kind"],
            instrument=form.cleaned_data["instrument"],
            comparison=form.cleaned_data["comparison"],
            target_value=form.cleaned_data["target_value"],
            module=form.cleaned_data["module"],
        ),
    )
    failed = None if done else (f"objective:{goal_id}", form)
    return _editor_answer(request, target.plan.pk, failed)


@login_required
@require_POST
def intervention_add(request, goal_id: int):
    target = selectors.plan_editing(user=request.user, kind="goal", item_id=goal_id)
    form = InterventionForm(request.POST, prefix=f"i{goal_id}", staff=target.staff)
    done = form.is_valid() and form_call(
        form, services.intervention_add, actor=request.user, goal_id=goal_id, **form.cleaned_data
    )
    failed = None if done else (f"intervention:{goal_id}", form)
    return _editor_answer(request, target.plan.pk, failed)


@login_required
@require_POST
def item_remove(request, kind: str, item_id: int):
    target = selectors.plan_editing(user=request.user, kind=kind, item_id=item_id)
    form = ActionForm(request.POST)
    done = form_call(
        form, services.plan_item_remove, actor=request.user, kind=kind, item_id=item_id
    )
    if done:
        return _editor_answer(request, target.plan.pk)
    page = selectors.plan_editor_page(user=request.user, plan_id=target.plan.pk)
    return plan_page_answer(request, page, status=400, action_form=form)


@login_required
@require_POST
def item_edit(request, kind: str, item_id: int):
    """Edit a problem's, goal's or objective's words while the plan is a draft."""
    target = selectors.plan_editing(user=request.user, kind=kind, item_id=item_id)
    form = ITEM_EDIT_FORMS.get(kind, ActionForm)(request.POST, prefix=f"edit-{kind}-{item_id}")
    done = form.is_valid() and form_call(
        form,
        services.plan_item_update,
        actor=request.user,
        kind=kind,
        item_id=item_id,
        data=dict(form.cleaned_data),
    )
    if done:
        return _editor_answer(request, target.plan.pk)
    errors = ActionForm(data={})
    errors.is_valid()
    for field, messages in form.errors.items():
        label = form.fields[field].label or field.replace("_", " ") if field in form.fields else ""
        for message in messages:
            errors.add_error(None, f"{str(label).capitalize()}: {message}" if label else message)
    page = selectors.plan_editor_page(user=request.user, plan_id=target.plan.pk)
    return plan_page_answer(request, page, status=400, action_form=errors)
