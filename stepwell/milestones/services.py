"""Writes: milestones worked out from the record, milestones recorded by staff, and the
patient's "may be named in group". Each service checks access first
(stepwell.privacy.access.milestones), runs in one transaction and is audited."""

from __future__ import annotations

from datetime import date, datetime

from django.db import transaction
from django.utils import timezone

from stepwell.clinic.time import program_today
from stepwell.core.errors import ApplicationError
from stepwell.patients.models import OPEN_STATES, Episode, EpisodeState, Patient
from stepwell.privacy.access import milestones as access
from stepwell.privacy.audit import AuditAction, audit_record
from stepwell.privacy.refusals import refuse

from .engine import milestones_earned
from .facts import episode_facts
from .models import RECORDED_CODE, Milestone, MilestoneKind, MilestoneSharing

COMPUTE_STATES = (EpisodeState.ADMITTED, EpisodeState.ACTIVE, EpisodeState.ON_HOLD)
TITLE_MAX = 200
TEXT_MAX = 4000


def milestones_compute(
    *, actor, episode_id: int, today: date | None = None, now: datetime | None = None
) -> list[Milestone]:
    """Record every milestone the episode has earned and not yet recorded (each code once,
    with its date and evidence). Returns the new ones."""
    episode = access.access_compute_episode_by_id(actor, episode_id)
    now = now or timezone.now()
    today = today or program_today(episode.program, now)
    with transaction.atomic():
        # One writer per episode at a time: the unique constraint would refuse a second.
        Episode.objects.select_for_update().filter(pk=episode.pk).first()
        known = frozenset(
            Milestone.objects.filter(episode=episode, kind=MilestoneKind.COMPUTED).values_list(
                "code", flat=True
            )
        )
        facts = episode_facts(episode, today=today, now=now, known_codes=known)
        new = [
            Milestone(
                patient_id=episode.patient_id,
                episode=episode,
                kind=MilestoneKind.COMPUTED,
                code=earned.code,
                title=earned.title[:TITLE_MAX],
                achieved_on=earned.achieved_on,
                evidence=earned.evidence,
            )
            for earned in milestones_earned(facts)
            if earned.code not in known
        ]
        Milestone.objects.bulk_create(new)
        if new:
            audit_record(
                user=actor,
                action=AuditAction.CREATE,
                patient_id=episode.patient_id,
                object_type="milestone",
                object_id=episode.pk,
                detail={"codes": [m.code for m in new]},
            )
    return new


def milestones_compute_program(*, actor, program_id: int, today: date) -> int:
    """The daily job: work out the milestones of every open episode of the program.
    Returns how many new milestones were recorded."""
    if not access.access_milestones_compute(actor):
        raise refuse(actor=actor, action=AuditAction.CREATE, object_type="milestone")
    episode_ids = Episode.objects.filter(
        program_id=program_id, state__in=COMPUTE_STATES, admitted_on__isnull=False
    ).values_list("pk", flat=True)
    return sum(
        len(milestones_compute(actor=actor, episode_id=pk, today=today)) for pk in episode_ids
    )


def _current_episode(patient: Patient) -> Episode | None:
    return (
        Episode.objects.filter(patient=patient, state__in=OPEN_STATES, admitted_on__isnull=False)
        .select_related("program")
        .order_by("-admitted_on", "-pk")
        .first()
    )


def patient_milestones_compute(*, actor, patient_id: int) -> list[Milestone]:
    """Staff ask for the patient's current episode to be checked now, not tonight."""
    patient = access.access_patient_milestones_by_id(
        actor, patient_id, write=True, action=AuditAction.CREATE
    )
    episode = _current_episode(patient)
    if episode is None:
        raise ApplicationError(
            "Nothing to check.",
            field_errors={"patient": "The patient has no current episode of care."},
        )
    return milestones_compute(actor=actor, episode_id=episode.pk)


def milestone_record(
    *, actor, patient_id: int, title: str, text: str, achieved_on: date
) -> Milestone:
    """A milestone the care team saw: a breakthrough, a skill used in real life."""
    patient = access.access_patient_milestones_by_id(
        actor, patient_id, write=True, action=AuditAction.CREATE
    )
    title = (title or "").strip()
    text = (text or "").strip()
    errors = {}
    if not title:
        errors["title"] = "Give the milestone a short title."
    elif len(title) > TITLE_MAX:
        errors["title"] = f"Keep the title to {TITLE_MAX} characters."
    if not text:
        errors["text"] = "Say in a sentence or two what the patient did."
    elif len(text) > TEXT_MAX:
        errors["text"] = f"Keep the description to {TEXT_MAX} characters."
    episode = _current_episode(patient)
    if episode is None:
        errors["patient"] = "The patient has no current episode of care to record it in."
    elif achieved_on > program_today(episode.program):
        errors["achieved_on"] = "The date cannot be in the future."
    elif achieved_on < episode.admitted_on:
        errors["achieved_on"] = (
            f"The date cannot be before the admission on {episode.admitted_on:%Y-%m-%d}."
        )
    if errors:
        raise ApplicationError("The milestone was not recorded.", field_errors=errors)
    with transaction.atomic():
        milestone = Milestone.objects.create(
            patient=patient,
            episode=episode,
            kind=MilestoneKind.RECORDED,
            code=RECORDED_CODE,
            title=title,
            text=text,
            achieved_on=achieved_on,
            evidence={"recorded_by": actor.get_full_name() or actor.get_username()},
            recorded_by=actor,
        )
        audit_record(
            user=actor,
            action=AuditAction.CREATE,
            patient_id=patient.pk,
            object_type="milestone",
            object_id=milestone.pk,
        )
    return milestone


def _sharing_set(*, actor, patient: Patient, named_in_group: bool) -> MilestoneSharing:
    if not isinstance(named_in_group, bool):
        raise ApplicationError(
            "The setting was not changed.", field_errors={"named_in_group": "Answer yes or no."}
        )
    with transaction.atomic():
        sharing, _ = MilestoneSharing.objects.update_or_create(
            patient=patient,
            defaults={"named_in_group": named_in_group, "updated_by": actor},
        )
        audit_record(
            user=actor,
            action=AuditAction.UPDATE,
            patient_id=patient.pk,
            object_type="milestone_sharing",
            object_id=patient.pk,
            detail={"named_in_group": named_in_group},
        )
    return sharing


def milestone_sharing_set(*, actor, patient_id: int, named_in_group: bool) -> MilestoneSharing:
    """The care team records the patient's answer to "may we name your milestones in
    group?"."""
    patient = access.access_patient_milestones_by_id(
        actor, patient_id, write=True, action=AuditAction.UPDATE, object_type="milestone_sharing"
    )
    return _sharing_set(actor=actor, patient=patient, named_in_group=named_in_group)


def own_milestone_sharing_set(*, actor, named_in_group: bool) -> MilestoneSharing:
    """The patient answers for themselves on the portal."""
    patient = access.access_own_milestones(actor, object_type="milestone_sharing")
    return _sharing_set(actor=actor, patient=patient, named_in_group=named_in_group)
