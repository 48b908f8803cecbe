"""Reading plans over the API: the worklists and one plan. Every read is audited."""

from __future__ import annotations

from ninja import Query, Router

from stepwell.core.api_schemas import MAX_OFFSET, MAX_PAGE_SIZE, PAGE_SIZE, responses

from .. import selectors
from .schemas import AwaitingPhysicianOut, PlanOut, WorklistItemOut, plan_out

router = Router()


@router.get("/worklist", response=responses({200: list[WorklistItemOut]}))
def worklist(
    request,
    within_days: int = 7,
    limit: int = Query(PAGE_SIZE, ge=1, le=MAX_PAGE_SIZE),
    offset: int = Query(0, ge=0, le=MAX_OFFSET),
):
    """First plans (no fully signed plan yet), plan reviews and physician recertifications
    due within `within_days`, or overdue; soonest first, `limit` (50 unless asked, at most
    500) after `offset`."""
    items = selectors.plan_worklist_opened(
        user=request.user,
        within_days=max(0, min(within_days, 365)),
        limit=limit,
        offset=offset,
    )
    return [
        {
            "kind": i.kind,
            "patient_id": i.patient.pk,
            "episode_id": i.episode.pk,
            "plan_id": i.plan.pk if i.plan else None,
            "due_on": i.due_on,
            "overdue": i.overdue,
            "detail": i.detail,
        }
        for i in items
    ]


@router.get("/worklist/physician", response=responses({200: list[AwaitingPhysicianOut]}))
def physician_worklist(
    request,
    limit: int = Query(PAGE_SIZE, ge=1, le=MAX_PAGE_SIZE),
    offset: int = Query(0, ge=0, le=MAX_OFFSET),
):
    """For a physician (MD or DO): current plans waiting for the physician's signature,
    longest waiting first, a page at a time: `limit` (50 unless asked, at most 500) after
    `offset`."""
    return [
        {
            "patient_id": i.patient.pk,
            "episode_id": i.episode.pk,
            "plan_id": i.plan.pk,
            "waiting_since": i.waiting_since,
        }
        for i in selectors.physician_worklist_opened(user=request.user, limit=limit, offset=offset)
    ]


@router.get("/{plan_id}", response=responses({200: PlanOut}))
def plan_detail(request, plan_id: int):
    return plan_out(selectors.plan_opened(user=request.user, plan_id=plan_id))
