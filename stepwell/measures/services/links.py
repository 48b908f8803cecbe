"""One-time questionnaire links: sending one, finding the link a token opens, and counting
the tokens that open nothing so guessing can be throttled per client address."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime

from django.utils import timezone

from stepwell.core.errors import ApplicationError
from stepwell.patients.models import Patient
from stepwell.privacy.audit import AuditAction, audit_record

from .. import access, selectors
from ..models import Administration, AdministrationStatus, LinkLookupFailure, QuestionnaireLink
from ._common import denied, link_lifetime, token_hash, usable_instrument, use_case


@dataclass(frozen=True)
class SentQuestionnaire:
    administration: Administration
    token: str  # shown once; only its hash is stored
    expires_at: datetime


@use_case
def questionnaire_send(
    *,
    actor,
    patient_id: int,
    instrument_key: str = "",
    administration_id: int | None = None,
    client_address: str = "",
) -> SentQuestionnaire:
    """Make a questionnaire due (or reuse a due one) and a one-time link for it.

    Refused for an instrument the clinic switched off, and for the ASQ when the patient's
    program keeps it to in-session use.
    """
    patient = Patient.objects.filter(pk=patient_id).first()
    if patient is None or not access.access_administration_record(actor, patient):
        raise denied(
            actor,
            action=AuditAction.CREATE,
            patient_id=patient.pk if patient else None,
            object_type="questionnaire_link",
            client_address=client_address,
        )
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
            due_on=selectors.program_today(program) if program else timezone.localdate(),
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
        client_address=client_address,
        detail={"administration": administration.pk, "instrument": administration.instrument_key},
    )
    return SentQuestionnaire(administration=administration, token=token, expires_at=link.expires_at)


def link_for_token(token: str) -> QuestionnaireLink | None:
    """The link if the token is valid, unused, unrevoked and unexpired; else None."""
    if not token or len(token) > 100:
        return None
    link = (
        QuestionnaireLink.objects.select_related("administration__episode__program")
        .filter(token_hash=token_hash(token))
        .first()
    )
    if link is None or link.used_at or link.revoked_at or link.expires_at <= timezone.now():
        return None
    if link.administration.status != AdministrationStatus.DUE:
        return None
    return link


@use_case
def link_lookup_failure_record(*, client_address: str) -> None:
    """Count a token that opened nothing; rows older than the window are dropped."""
    now = timezone.now()
    window = selectors.link_failure_window()
    LinkLookupFailure.objects.filter(occurred_at__lt=now - window).delete()
    LinkLookupFailure.objects.create(client_address=client_address[:64], occurred_at=now)
