"""Milestones over JSON: the same selectors and access rules as the pages."""

from __future__ import annotations

from datetime import date

from ninja import Query, Router
from ninja.responses import Status

from stepwell.core.api_schemas import MAX_OFFSET, MAX_PAGE_SIZE, PAGE_SIZE, Out, responses

from . import selectors
from .models import Milestone

router = Router(tags=["milestones"])


class MilestoneOut(Out):
    code: str
    title: str
    achieved_on: date
    kind: str  # "computed" or "recorded"
    evidence: dict


def milestone_out(milestone: Milestone) -> MilestoneOut:
    evidence = dict(milestone.evidence)
    if milestone.text:
        evidence["text"] = milestone.text
    return MilestoneOut(
        code=milestone.code,
        title=milestone.title,
        achieved_on=milestone.achieved_on,
        kind=milestone.kind,
        evidence=evidence,
    )


@router.get("/patients/{patient_id}/milestones", response=responses({200: list[MilestoneOut]}))
def milestones_list(
    request,
    patient_id: int,
    limit: int = Query(PAGE_SIZE, ge=1, le=MAX_PAGE_SIZE),
    offset: int = Query(0, ge=0, le=MAX_OFFSET),
):
    """The patient's milestones the caller may read, newest first, a page at a time:
    `limit` (50 unless asked, at most 500) after `offset`."""
    _, rows = selectors.patient_milestones(
        user=request.user, patient_id=patient_id, limit=limit, offset=offset
    )
    return Status(200, [milestone_out(m) for m in rows])
