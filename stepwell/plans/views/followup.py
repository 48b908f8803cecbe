"""After signing: revisions, scheduled reviews and objective status."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from stepwell.core.forms import form_call

from .. import selectors, services
from ..forms import ReviewForm, ReviseForm, StatusForm
from .page import plan_action, plan_page_answer

PlanNeed = selectors.PlanNeed


@login_required
@require_POST
def revise(request, plan_id: int):
    return plan_action(
        request,
        plan_id,
        ReviseForm(request.POST),
        services.plan_revise,
        need=PlanNeed.EDIT,
        form_key="revise_form",
        ok="Revision started: a new draft version.",
    )


@login_required
@require_POST
def review(request, plan_id: int):
    return plan_action(
        request,
        plan_id,
        ReviewForm(request.POST),
        services.plan_review_record,
        need=PlanNeed.EDIT,
        form_key="review_form",
        ok="Review recorded.",
    )


@login_required
@require_POST
def objective_status(request, objective_id: int):
    target = selectors.plan_editing(user=request.user, kind="objective", item_id=objective_id)
    form = StatusForm(request.POST)
    if form.is_valid() and form_call(
        form,
        services.objective_status_record,
        actor=request.user,
        objective_id=objective_id,
        **form.cleaned_data,
    ):
        messages.success(request, "Objective status recorded.")
        return redirect("plans:plan", plan_id=target.plan.pk)
    page = selectors.plan_editor_page(user=request.user, plan_id=target.plan.pk)
    return plan_page_answer(request, page, status=400, whole=True, status_form=form)
