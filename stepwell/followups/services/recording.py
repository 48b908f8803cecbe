"""Recording a follow-up: answered by the person through a one-time link, or taken by
staff over the phone. Both score the questionnaires with the measures engine and keep the
short answers; a set of answers with a safety answer (PHQ-9 item 9, say) is kept even when
other items are blank, marks the follow-up for a call today, and pages the program's
on-call clinician (or its directors when none is set) through the outbox
(stepwell.messaging.services.follow_up_safety_page_queue)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from stepwell.core.errors import ApplicationError
from stepwell.measures import selectors as measures
from stepwell.measures.instruments import score
from stepwell.measures.models import LinkLookupFailure
from stepwell.privacy.access import followups as access
from stepwell.privacy.audit import AuditAction, AuditOutcome, audit_record, current_client_address
from stepwell.privacy.refusals import refuse

from ..models import (
    AttemptOutcome,
    FollowUp,
    FollowUpAttempt,
    FollowUpLink,
    FollowUpMethod,
    FollowUpScore,
    FollowUpStatus,
)
from ..rules import ShortAnswers, short_answer_errors
from .daily import _send

MISSING_ANSWER = "Choose an answer."
THROTTLED = "too many links that opened nothing from this address"
OPENED_NOTHING = "invalid, used or expired link"


def _scores(follow_up: FollowUp, answers: dict) -> tuple[list[FollowUpScore], dict, bool]:
    """Scored questionnaires, the field errors, and whether a safety answer was given."""
    sex = measures.engine_sex(follow_up.patient.sex_assigned_at_birth)
    rows, errors, safety = [], {}, False
    for key in follow_up.instruments:
        instrument = measures.instrument_for(key)
        given = {
            item.key: answers[item.key]
            for item in instrument.items
            if answers.get(item.key) not in (None, "")
        }
        result = score(instrument, given, sex=sex)
        safety = safety or bool(result.safety_flags)
        for error in result.errors:
            field = error.item_key or key
            errors[field] = MISSING_ANSWER if error.missing else error.message
        rows.append(
            FollowUpScore(
                instrument_key=key,
                instrument_version=instrument.version,
                answers=dict(result.answers),
                total=result.total if result.valid else None,
                band=(result.band or "") if result.valid else "",
                flags=list(result.flags),
            )
        )
    return rows, errors, safety


def _complete(
    follow_up: FollowUp,
    *,
    answers: dict,
    short: ShortAnswers,
    method: str,
    actor,
    recorded_by: str,
) -> FollowUp:
    if follow_up.status == FollowUpStatus.COMPLETED:
        raise ApplicationError(
            "This follow-up is already completed.", field_errors={"follow_up": "Completed."}
        )
    rows, errors, safety = _scores(follow_up, answers or {})
    errors |= short_answer_errors(short)
    if errors and not safety:
        raise ApplicationError("Some answers are missing or invalid.", field_errors=errors)
    now = timezone.now()
    follow_up.status = FollowUpStatus.COMPLETED
    follow_up.method = method
    follow_up.completed_at = now
    follow_up.in_treatment = short.in_treatment
    follow_up.in_treatment_where = short.in_treatment_where.strip()[:200]
    follow_up.readmitted_higher_level = short.readmitted_higher_level
    days = short.days_of_use_last_30
    follow_up.days_of_use_last_30 = days if 0 <= days <= 30 else None
    follow_up.employment = str(short.employment)
    follow_up.safety_answer = safety
    follow_up.recorded_by = recorded_by
    follow_up.save()
    for row in rows:
        row.follow_up = follow_up
    FollowUpScore.objects.bulk_create(rows)
    follow_up.links.filter(used_at__isnull=True).update(revoked_at=now)
    audit_record(
        user=actor,
        action=AuditAction.CREATE,
        patient_id=follow_up.patient_id,
        object_type="follow_up",
        object_id=follow_up.pk,
        detail={
            "method": method,
            "instruments": [row.instrument_key for row in rows],
            "safety_answer": safety,
            "kept_incomplete": bool(errors),
        },
    )
    if safety:
        from stepwell.messaging.services import follow_up_safety_page_queue

        follow_up_safety_page_queue(follow_up=follow_up, actor=actor)
    return follow_up


@dataclass(frozen=True)
class LinkOpening:
    """What opening a link gave: the link, or nothing (`throttled` when the address tried
    too many tokens that opened nothing)."""

    link: FollowUpLink | None
    throttled: bool = False

    @property
    def retry_after_seconds(self) -> int:
        return int(measures.link_failure_window().total_seconds())


def follow_up_link_open(*, actor, token: str) -> LinkOpening:
    """Open a one-time follow-up link (no login: the token is the credential). Failed
    tokens count against the address with the questionnaire links' (one throttle)."""
    address = current_client_address.get()
    if measures.link_lookups_throttled(address):
        _audit_refused_link(actor, THROTTLED)
        return LinkOpening(link=None, throttled=True)
    link = access.follow_up_link_for_token(token)
    if link is not None:
        audit_record(
            user=actor,
            action=AuditAction.VIEW,
            patient_id=link.follow_up.patient_id,
            object_type="follow_up_link",
            object_id=link.pk,
        )
        return LinkOpening(link=link)
    with transaction.atomic():
        now = timezone.now()
        window = measures.link_failure_window()
        LinkLookupFailure.objects.filter(occurred_at__lt=now - window).delete()
        LinkLookupFailure.objects.create(client_address=address[:64], occurred_at=now)
        _audit_refused_link(actor, OPENED_NOTHING)
    return LinkOpening(link=None)


def _audit_refused_link(actor, reason: str) -> None:
    audit_record(
        user=actor,
        action=AuditAction.VIEW,
        object_type="follow_up_link",
        outcome=AuditOutcome.DENIED,
        detail={"reason": reason},
    )


def follow_up_complete_by_link(
    *, actor, token: str, answers: dict, short: ShortAnswers
) -> FollowUp:
    """The person answers through the link; the link is used up."""
    link = access.access_follow_up_link_by_token(actor, token)
    with transaction.atomic():
        locked = (
            FollowUpLink.objects.select_for_update()
            .filter(pk=link.pk, used_at__isnull=True, revoked_at__isnull=True)
            .first()
        )
        if locked is None:  # used or replaced since it was checked a moment ago
            raise refuse(actor=actor, action=AuditAction.CREATE, object_type="follow_up_link")
        follow_up = (
            FollowUp.objects.select_for_update().select_related("patient").get(pk=link.follow_up_id)
        )
        done = _complete(
            follow_up,
            answers=answers,
            short=short,
            method=FollowUpMethod.LINK,
            actor=actor,
            recorded_by="",
        )
        locked.used_at = timezone.now()
        locked.save(update_fields=["used_at"])
    return done


def follow_up_phone_record(
    *,
    actor,
    follow_up_id: int,
    reached: bool,
    note: str = "",
    answers: dict | None = None,
    short: ShortAnswers | None = None,
    called_at: datetime | None = None,
) -> FollowUp:
    """Staff record a phone follow-up: nobody reached (an attempt), or the answers."""
    found = access.access_follow_up_for_recording_by_id(actor, follow_up_id)
    note = (note or "").strip()
    if len(note) > 300:
        raise ApplicationError(
            "The note is too long.", field_errors={"note": "At most 300 characters."}
        )
    with transaction.atomic():
        follow_up = FollowUp.objects.select_for_update().select_related("patient").get(pk=found.pk)
        if follow_up.status == FollowUpStatus.COMPLETED:
            raise ApplicationError(
                "This follow-up is already completed.", field_errors={"reached": "Completed."}
            )
        now = called_at or timezone.now()
        FollowUpAttempt.objects.create(
            follow_up=follow_up,
            outcome=AttemptOutcome.REACHED if reached else AttemptOutcome.NO_ANSWER,
            note=note,
            at=now,
            by=actor.get_username()[:150],
        )
        if not reached:
            follow_up.attempts += 1
            follow_up.last_attempt_at = now
            follow_up.save(update_fields=["attempts", "last_attempt_at"])
            audit_record(
                user=actor,
                action=AuditAction.UPDATE,
                patient_id=follow_up.patient_id,
                object_type="follow_up",
                object_id=follow_up.pk,
                detail={"phone": "no_answer", "attempts": follow_up.attempts},
            )
            return follow_up
        if short is None:
            raise ApplicationError(
                "Record the answers given on the phone.",
                field_errors={"in_treatment": "Answer the short questions."},
            )
        return _complete(
            follow_up,
            answers=answers or {},
            short=short,
            method=FollowUpMethod.PHONE,
            actor=actor,
            recorded_by=actor.get_username()[:150],
        )


@dataclass(frozen=True)
class SentFollowUpLink:
    link: str  # shown once, for staff to copy
    queued: bool  # sent through the outbox (the patient gets messages)
    expires_at: datetime
    channel: str = ""  # "Email" or "Text message", as the patient chose; "" when not sent
    address: str = ""


def follow_up_link_send(*, actor, follow_up_id: int) -> SentFollowUpLink:
    """Staff make a new link now and send it when the patient gets messages; the link is
    shown to copy either way."""
    found = access.access_follow_up_for_recording_by_id(actor, follow_up_id)
    with transaction.atomic():
        follow_up = FollowUp.objects.select_for_update().select_related("patient").get(pk=found.pk)
        if follow_up.status == FollowUpStatus.COMPLETED:
            raise ApplicationError(
                "This follow-up is already completed.", field_errors={"follow_up": "Completed."}
            )
        url, message = _send(follow_up, actor=actor)
        link = follow_up.links.order_by("-pk").first()
    return SentFollowUpLink(
        link=url,
        queued=message is not None,
        expires_at=link.expires_at,
        channel=message.get_channel_display() if message is not None else "",
        address=message.address if message is not None else "",
    )
