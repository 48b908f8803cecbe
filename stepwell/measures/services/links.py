"""One-time questionnaire links: sending one, and opening one (a token that opens nothing
is counted per client address, so guessing can be throttled)."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from stepwell.clinic.time import program_today
from stepwell.core.errors import ApplicationError
from stepwell.privacy.access import measures as access
from stepwell.privacy.audit import AuditAction, AuditOutcome, audit_record, current_client_address

from .. import selectors
from ..models import (
    Administration,
    AdministrationStatus,
    LinkLookupFailure,
    QuestionnaireLink,
    token_hash,
)
from .instrument_use import usable_instrument

LINK_HOURS_DEFAULT = 72


def link_lifetime() -> timedelta:
    """How long a one-time link works: STEPWELL_QUESTIONNAIRE_LINK_HOURS (default 72)."""
    hours = getattr(settings, "STEPWELL_QUESTIONNAIRE_LINK_HOURS", LINK_HOURS_DEFAULT)
    return timedelta(hours=hours if isinstance(hours, int) and hours > 0 else LINK_HOURS_DEFAULT)


@dataclass(frozen=True)
class SentQuestionnaire:
    administration: Administration
    token: str  # shown once; only its hash is stored
    expires_at: datetime


def questionnaire_send(
    *,
    actor,
    patient_id: int,
    instrument_key: str = "",
    administration_id: int | None = None,
) -> SentQuestionnaire:
    """Make a questionnaire due (or reuse a due one) and a one-time link for it.

    Refused for an instrument the clinic switched off, and for the ASQ when the patient's
    program keeps it to in-session use.
    """
    patient = access.access_patient_for_recording_by_id(
        actor, patient_id, object_type="questionnaire_link", object_id=""
    )
    with transaction.atomic():
        if administration_id is not None:
            administration = Administration.objects.filter(
                pk=administration_id, patient=patient, status=AdministrationStatus.DUE
            ).first()
            if administration is None:
                raise ApplicationError(
                    "That questionnaire is not due for this patient.",
                    field_errors={"administration_id": "Not a due questionnaire of this patient."},
                )
            usable_instrument(administration.instrument_key)
            program = selectors.program_for(administration)
        else:
            instrument = usable_instrument((instrument_key or "").strip().lower())
            episode = selectors.open_episode_for(patient)
            program = episode.program if episode else None
            administration = Administration(
                patient=patient,
                episode=episode,
                instrument_key=instrument.key,
                instrument_version=instrument.version,
                due_on=program_today(program) if program else timezone.localdate(),
                requested_by=actor,
            )
        refusal = selectors.remote_refusal_for_program(administration.instrument_key, program)
        if refusal:
            raise ApplicationError(refusal, field_errors={"instrument": refusal})
        if administration.pk is None:
            administration.save()
        # A new link replaces any earlier unused one for this questionnaire.
        now = timezone.now()
        administration.links.filter(used_at__isnull=True, revoked_at__isnull=True).update(
            revoked_at=now
        )
        token = secrets.token_urlsafe(32)
        link = QuestionnaireLink.objects.create(
            administration=administration,
            token_hash=token_hash(token),
            expires_at=now + link_lifetime(),
            created_by=actor,
        )
        audit_record(
            user=actor,
            action=AuditAction.CREATE,
            patient_id=patient.pk,
            object_type="questionnaire_link",
            object_id=link.pk,
            detail={
                "administration": administration.pk,
                "instrument": administration.instrument_key,
            },
        )
    return SentQuestionnaire(administration=administration, token=token, expires_at=link.expires_at)


@dataclass(frozen=True)
class LinkOpening:
    """What opening a one-time link gave: the link, or nothing (``throttled`` when the
    client address tried too many tokens that opened nothing)."""

    link: QuestionnaireLink | None
    throttled: bool = False

    @property
    def retry_after_seconds(self) -> int:
        return int(selectors.link_failure_window().total_seconds())


THROTTLED = "too many links that opened nothing from this address"
OPENED_NOTHING = "invalid, used or expired link"


def questionnaire_link_open(*, actor, token: str) -> LinkOpening:
    """Open a one-time link (no login: the token is the credential).

    An address that had too many tokens open nothing within the window is refused even a
    good one. A token that opens nothing is counted against the address (older counts are
    dropped) and the attempt is audited; so is a throttled one.
    """
    address = current_client_address.get()
    if selectors.link_lookups_throttled(address):
        _audit_refused_link(actor, THROTTLED)
        return LinkOpening(link=None, throttled=True)
    link = access.questionnaire_link_for_token(token)
    if link is not None:
        return LinkOpening(link=link)
    with transaction.atomic():
        now = timezone.now()
        window = selectors.link_failure_window()
        LinkLookupFailure.objects.filter(occurred_at__lt=now - window).delete()
        LinkLookupFailure.objects.create(client_address=address[:64], occurred_at=now)
        _audit_refused_link(actor, OPENED_NOTHING)
    return LinkOpening(link=None)


def _audit_refused_link(actor, reason: str) -> None:
    audit_record(
        user=actor,
        action=AuditAction.VIEW,
        object_type="questionnaire_link",
        outcome=AuditOutcome.DENIED,
        detail={"reason": reason},
    )
