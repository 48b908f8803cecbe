"""Follow-ups over JSON: an episode's follow-ups with their results (the same selector as
the chart's section)."""

from __future__ import annotations

from datetime import date

from ninja import Query, Router

from stepwell.core.api_schemas import MAX_OFFSET, MAX_PAGE_SIZE, PAGE_SIZE, Out, responses

from . import selectors

router = Router(tags=["follow-ups"])


class FollowUpOut(Out):
    id: int
    due_on: date
    days_after_discharge: int
    status: str
    attempts: int
    results: dict | None


@router.get(
    "/episodes/{episode_id}/follow-ups",
    response=responses({200: list[FollowUpOut]}),
    summary="An episode's follow-ups after discharge",
)
def episode_follow_ups(
    request,
    episode_id: int,
    limit: int = Query(PAGE_SIZE, ge=1, le=MAX_PAGE_SIZE),
    offset: int = Query(0, ge=0, le=MAX_OFFSET),
):
    """The episode's follow-ups, soonest due first, with their results once completed. A
    page at a time: `limit` (50 unless asked, at most 500) after `offset`."""
    page = selectors.episode_follow_ups(
        user=request.user, episode_id=episode_id, limit=limit, offset=offset
    )
    return [
        FollowUpOut(
            id=f.pk,
            due_on=f.due_on,
            days_after_discharge=f.days_after_discharge,
            status=f.status,
            attempts=f.attempts,
            results=selectors.results_of(f),
        )
        for f in page.follow_ups
    ]
