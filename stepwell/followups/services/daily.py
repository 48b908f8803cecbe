"""The daily job's work for one program: create the follow-ups that fell due, send their
links or mark them unreachable (rules.next_step), and link readmissions to the earlier
episode. Each step is idempotent for a (program, date)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from stepwell.clinic.models import Program
from stepwell.clinic.time import program_today
from stepwell.messaging.services import follow_up_link_send as message_follow_up_link
from stepwell.messaging.services import route_for
from stepwell.patients.models import Episode, EpisodeState
from stepwell.privacy.access import followups as access
from stepwell.privacy.audit import AuditAction, audit_record

from ..models import AttemptOutcome, FollowUp, FollowUpAttempt, FollowUpStatus, Readmission
from ..rules import CATCH_UP_DAYS, NextStep, follow_ups_due, next_step
from .links import link_url, new_link
from .policy import follow_up_settings


def follow_ups_create_due(*, actor, program_id: int, today: date) -> list[FollowUp]:
    """Create the follow-ups of the program's discharged episodes that are due by `today`
    (each once: the database refuses a second one for the same episode and day)."""
    access.access_follow_up_job(actor, program_id=program_id, what="follow_up")
    program = Program.objects.get(pk=program_id)
    settings = follow_up_settings(program)
    if not settings.instruments:
        return []
    earliest = min(settings.days)
    episodes = (
        Episode.objects.filter(
            program=program,
            state=EpisodeState.DISCHARGED,
            admitted_on__isnull=False,
            discharged_on__lte=today - timedelta(days=earliest),
        )
        .exclude(discharged_on__lt=today - timedelta(days=max(settings.days) + CATCH_UP_DAYS))
        .values_list("pk", "patient_id", "discharged_on")
    )
    existing = set(
        FollowUp.objects.filter(program=program).values_list("episode_id", "days_after_discharge")
    )
    created = []
    with transaction.atomic():
        for episode_id, patient_id, discharged_on in episodes:
            for due in follow_ups_due(discharged_on, settings.days, today):
                if (episode_id, due.days_after_discharge) in existing:
                    continue
                try:
                    with transaction.atomic():
                        follow_up = FollowUp.objects.create(
                            episode_id=episode_id,
                            patient_id=patient_id,
                            program=program,
                            days_after_discharge=due.days_after_discharge,
                            due_on=due.due_on,
                            instruments=list(settings.instruments),
                        )
                except IntegrityError:  # made by a run at the same moment
                    continue
                created.append(follow_up)
                audit_record(
                    user=actor,
                    action=AuditAction.CREATE,
                    patient_id=patient_id,
                    object_type="follow_up",
                    object_id=follow_up.pk,
                    detail={"days_after_discharge": due.days_after_discharge},
                )
    return created


def _local_date(moment, program: Program) -> date:
    return program_today(program, moment)


def follow_ups_chase(
    *, actor, program_id: int, today: date, now: datetime | None = None
) -> dict[str, int]:
    """Send a link to each open follow-up that may get one now, and mark unreachable those
    that used their attempts. Returns how many of each. `now` stamps the attempts (a day
    run late, or the demo's history); default: now."""
    access.access_follow_up_job(actor, program_id=program_id, what="follow_up")
    program = Program.objects.get(pk=program_id)
    settings = follow_up_settings(program)
    counts = {"sent": 0, "unreachable": 0}
    open_ones = FollowUp.objects.filter(
        program=program, status__in=[FollowUpStatus.DUE, FollowUpStatus.SENT], due_on__lte=today
    ).select_related("patient")
    for follow_up in open_ones:
        since = (
            None
            if follow_up.last_attempt_at is None
            else (today - _local_date(follow_up.last_attempt_at, program)).days
        )
        step = next_step(
            attempts=follow_up.attempts,
            days_since_last_attempt=since,
            max_attempts=settings.max_attempts,
            wait_days=settings.wait_days,
            can_message=route_for(follow_up.patient) is not None,
        )
        if step is NextStep.SEND_LINK:
            with transaction.atomic():
                _send(follow_up, actor=actor, now=now)
            counts["sent"] += 1
        elif step is NextStep.UNREACHABLE:
            with transaction.atomic():
                follow_up.status = FollowUpStatus.UNREACHABLE
                follow_up.save(update_fields=["status"])
                audit_record(
                    user=actor,
                    action=AuditAction.UPDATE,
                    patient_id=follow_up.patient_id,
                    object_type="follow_up",
                    object_id=follow_up.pk,
                    detail={"status": FollowUpStatus.UNREACHABLE, "attempts": follow_up.attempts},
                )
            counts["unreachable"] += 1
    return counts


def _send(follow_up: FollowUp, *, actor, now: datetime | None = None) -> tuple[str, object]:
    """A new link, queued to the patient through the outbox; counted as an attempt.
    Returns the link and the message (None when the patient gets no messages)."""
    _, token = new_link(follow_up)
    url = link_url(token)
    message = message_follow_up_link(actor=actor, patient_id=follow_up.patient_id, link=url)
    if message is not None:
        now = now or timezone.now()
        follow_up.attempts += 1
        follow_up.last_attempt_at = now
        follow_up.status = FollowUpStatus.SENT
        follow_up.save(update_fields=["attempts", "last_attempt_at", "status"])
        FollowUpAttempt.objects.create(
            follow_up=follow_up,
            outcome=AttemptOutcome.LINK_SENT,
            at=now,
            by=actor.get_username()[:150],
        )
    audit_record(
        user=actor,
        action=AuditAction.CREATE,
        patient_id=follow_up.patient_id,
        object_type="follow_up_link",
        object_id=follow_up.pk,
        detail={"queued": message is not None},
    )
    return url, message


def readmissions_detect(*, actor, program_id: int) -> list[Readmission]:
    """Link each admission to the program that follows a discharge from it to the latest
    earlier episode (docs/followups.md)."""
    access.access_follow_up_job(actor, program_id=program_id, what="readmission")
    earlier = Episode.objects.filter(
        patient=OuterRef("patient"),
        program_id=program_id,
        state=EpisodeState.DISCHARGED,
        discharged_on__lte=OuterRef("admitted_on"),
    ).exclude(pk=OuterRef("pk"))
    candidates = Episode.objects.filter(
        Exists(earlier),
        program_id=program_id,
        admitted_on__isnull=False,
        readmission__isnull=True,
    )
    found = []
    with transaction.atomic():
        for episode in candidates:
            before = (
                Episode.objects.filter(
                    patient_id=episode.patient_id,
                    program_id=program_id,
                    state=EpisodeState.DISCHARGED,
                    discharged_on__lte=episode.admitted_on,
                )
                .exclude(pk=episode.pk)
                .order_by("-discharged_on", "-pk")
                .first()
            )
            readmission = Readmission.objects.create(
                episode=episode,
                earlier_episode=before,
                days_after_discharge=(episode.admitted_on - before.discharged_on).days,
            )
            audit_record(
                user=actor,
                action=AuditAction.CREATE,
                patient_id=episode.patient_id,
                object_type="readmission",
                object_id=readmission.pk,
                detail={"earlier_episode": before.pk, "episode": episode.pk},
            )
            found.append(readmission)
    return found


@dataclass(frozen=True)
class DailyResult:
    created: int
    sent: int
    unreachable: int
    readmissions: int

    def summary(self) -> str:
        return (
            f"{self.created} follow-ups due, {self.sent} links sent, "
            f"{self.unreachable} unreachable, {self.readmissions} readmissions linked"
        )


def follow_ups_daily(
    *, actor, program_id: int, today: date, now: datetime | None = None
) -> DailyResult:
    """The whole day's work for one program (the `follow-ups` daily job)."""
    created = follow_ups_create_due(actor=actor, program_id=program_id, today=today)
    counts = follow_ups_chase(actor=actor, program_id=program_id, today=today, now=now)
    readmissions = readmissions_detect(actor=actor, program_id=program_id)
    return DailyResult(
        created=len(created),
        sent=counts["sent"],
        unreachable=counts["unreachable"],
        readmissions=len(readmissions),
    )
