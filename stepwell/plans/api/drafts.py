"""Writing a draft plan over the API: the same services as the plan editor."""

from __future__ import annotations

from ninja import Router, Status

from stepwell.core.api_schemas import responses

from .. import selectors, services
from ..services import MeasureIn
from .schemas import CreatedOut, GoalIn, InterventionIn, ObjectiveIn, PlanOut, ProblemIn, plan_out

router = Router()


@router.post("/episodes/{episode_id}", response=responses({201: PlanOut}))
def plan_create(request, episode_id: int):
    plan = services.plan_create(actor=request.user, episode_id=episode_id)
    return Status(201, plan_out(selectors.plan_after_write(user=request.user, plan_id=plan.pk)))


@router.post("/{plan_id}/problems", response=responses({201: CreatedOut}))
def problem_add(request, plan_id: int, payload: ProblemIn):
    problem = services.problem_add(actor=request.user, plan_id=plan_id, **payload.dict())
    return Status(201, {"id": problem.pk})


@router.post("/problems/{problem_id}/goals", response=responses({201: CreatedOut}))
def goal_add(request, problem_id: int, payload: GoalIn):
    goal = services.goal_add(actor=request.user, problem_id=problem_id, **payload.dict())
    return Status(201, {"id": goal.pk})


@router.post("/goals/{goal_id}/objectives", response=responses({201: CreatedOut}))
def objective_add(request, goal_id: int, payload: ObjectiveIn):
    objective = services.objective_add(
        actor=request.user,
        goal_id=goal_id,
        description=payload.description,
        target_date=payload.target_date,
        measure=MeasureIn(
            kind=payload.measure_kind,
            instrument=payload.instrument,
            comparison=payload.comparison,
            target_value=payload.target_value,
            module=payload.module,
        ),
    )
    return Status(201, {"id": objective.pk})


@router.post("/goals/{goal_id}/interventions", response=responses({201: CreatedOut}))
def intervention_add(request, goal_id: int, payload: InterventionIn):
    intervention = services.intervention_add(
        actor=request.user,
        goal_id=goal_id,
        modality=payload.modality,
        minutes_per_session=payload.minutes_per_session,
        sessions_per_week=payload.sessions_per_week,
        duration_weeks=payload.duration_weeks,
        responsible=selectors.staff_member_or_none(payload.responsible_id),
        description=payload.description,
    )
    return Status(201, {"id": intervention.pk})


@router.delete("/items/{kind}/{item_id}", response=responses({204: None}))
def item_remove(request, kind: str, item_id: int):
    services.plan_item_remove(actor=request.user, kind=kind, item_id=item_id)
    return Status(204, None)
