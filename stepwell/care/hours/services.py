"""Marking an episode's step-down weeks (ASAM 2.1 continuation, docs/clinical-sources.md §1.2)."""

from __future__ import annotations

from django.db import transaction

from stepwell.care.models import EpisodeTransitionWeek
from stepwell.core.errors import ApplicationError
from stepwell.privacy.access.notes import access_episode_transition_week_by_id
from stepwell.privacy.audit import AuditAction, audit_record
from stepwell.schedule.calendar.weeks import iso_week_bounds

MAX_TRANSITION_WEEKS = 2


def transition_week_mark(
    *, actor, episode_id: int, week: str, reason: str
) -> EpisodeTransitionWeek:
    """Mark one ISO week of an episode as a step-down week; at most two per episode."""
    episode = access_episode_transition_week_by_id(actor, episode_id, action=AuditAction.CREATE)
    monday, _ = iso_week_bounds(week)
    week = f"{monday.isocalendar()[0]}-W{monday.isocalendar()[1]:02d}"
    if not (reason or "").strip():
        raise ApplicationError(
            "Say why the patient is stepping down.", field_errors={"reason": "Required."}
        )
    with transaction.atomic():
        weeks = EpisodeTransitionWeek.objects.select_for_update().filter(episode=episode)
        if weeks.filter(week=week).exists():
            raise ApplicationError(
                f"{week} is already a transition week.", field_errors={"week": "Already marked."}
            )
        if weeks.count() >= MAX_TRANSITION_WEEKS:
            raise ApplicationError(
                "A step-down continuation lasts one or two weeks; this episode has two.",
                field_errors={"week": "At most two transition weeks per episode."},
            )
        marked = EpisodeTransitionWeek(
            episode=episode, week=week, reason=reason.strip(), recorded_by=actor
        )
        marked.full_clean()
        marked.save()
        audit_record(
            user=actor,
            action=AuditAction.CREATE,
            patient_id=episode.patient_id,
            object_type="transition_week",
            object_id=marked.pk,
            detail={"week": week},
        )
    return marked
