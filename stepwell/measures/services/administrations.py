"""Recording answers: in session, by one-time link and in the portal.

Every path goes through ``_complete``: the engine scores the answers; a valid set is stored
as completed; an incomplete or otherwise invalid set that carries a safety answer (a
suicide-risk or acute safety flag) is stored as ``incomplete`` (no total or band, the valid
answers and the flags kept) so the answer is never lost; any other invalid set is refused
and nothing is stored. Safety alerts are raised in the same transaction
(docs/clinical-sources.md §3.8).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from stepwell.core.errors import ApplicationError
from stepwell.measures.instruments import SAFETY_FLAGS, AnswerError, ScoreResult, score
from stepwell.patients.models import Episode, Patient
from stepwell.privacy.access import measures as access
from stepwell.privacy.audit import AuditAction, audit_record
from stepwell.privacy.refusals import refuse

from .. import selectors
from ..models import (
    Administration,
    AdministrationSource,
    AdministrationStatus,
    Alert,
    QuestionnaireLink,
)
from .instrument_use import known_instrument
from .safety import alerts_raise

MISSING_ANSWER = "Choose an answer."


@dataclass(frozen=True)
class Recorded:
    administration: Administration
    alerts: tuple[Alert, ...]

    @property
    def risk(self) -> bool:
        return bool(set(self.administration.flags or []) & SAFETY_FLAGS)

    @property
    def incomplete(self) -> bool:
        return self.administration.status == AdministrationStatus.INCOMPLETE


def _episode_for(patient: Patient, episode_id: int | None) -> Episode | None:
    if episode_id is None:
        return selectors.open_episode_for(patient)
    episode = patient.episodes.filter(pk=episode_id).first()
    if episode is None:
        raise ApplicationError(
            "That episode is not one of this patient's.",
            field_errors={"episode_id": "Not one of this patient's episodes."},
        )
    return episode


def _field_errors(errors: tuple[AnswerError, ...]) -> dict[str, str]:
    field_errors: dict[str, str] = {}
    for error in errors:
        key = error.item_key or "answers"
        message = MISSING_ANSWER if error.missing else error.message
        field_errors[key] = f"{field_errors[key]} {message}" if key in field_errors else message
    return field_errors


def _scored(administration: Administration, answers: dict, patient: Patient) -> ScoreResult:
    instrument = known_instrument(administration.instrument_key, administration.instrument_version)
    if not isinstance(answers, dict) or not answers:
        raise ApplicationError("Answer the questions.", field_errors={"answers": "No answers."})
    given = {key: value for key, value in answers.items() if value is not None}
    result = score(instrument, given, sex=selectors.engine_sex(patient.sex_assigned_at_birth))
    administration.instrument_version = instrument.version
    return result


def _complete(
    administration: Administration,
    *,
    answers: dict,
    patient: Patient,
    source: str,
    recorded_by,
    completed_at: datetime | None,
    actor,
    refusal: str = "",
) -> Recorded:
    """Score and store the answers. ``refusal`` says why this questionnaire may not be
    taken now (instrument switched off, ASQ outside the session); answers that carry a
    safety flag are still stored, anything else is refused with that reason."""
    now = timezone.now()
    if completed_at is not None and completed_at > now:
        raise ApplicationError(
            "The completion time is in the future.",
            field_errors={"completed_at": "Is in the future."},
        )
    result = _scored(administration, answers, patient)
    if not result.safety_flags:
        if refusal:
            raise ApplicationError(refusal, field_errors={"instrument": refusal})
        if not result.valid:
            raise ApplicationError(
                "Some answers are missing or invalid: " + "; ".join(map(str, result.errors)),
                field_errors=_field_errors(result.errors),
            )
    administration.answers = dict(result.answers)
    administration.item_scores = dict(result.item_scores)
    administration.total = result.total
    administration.band = result.band or ""
    administration.suggested_band = result.suggested_band or ""
    administration.subscales = dict(result.subscales)
    administration.flags = list(result.flags)
    administration.problems = [str(error) for error in result.errors]
    administration.status = (
        AdministrationStatus.COMPLETED if result.valid else AdministrationStatus.INCOMPLETE
    )
    administration.source = source
    administration.recorded_by = recorded_by
    administration.completed_at = completed_at or now
    try:
        administration.full_clean()
    except ValidationError as error:
        raise ApplicationError(
            "The answers could not be saved.",
            field_errors={k: " ".join(v) for k, v in error.message_dict.items()},
        ) from error
    administration.save()
    instrument = selectors.instrument_for(
        administration.instrument_key, administration.instrument_version
    )
    alerts = alerts_raise(instrument, administration, actor=actor)
    detail = {
        "instrument": administration.instrument_key,
        "source": source,
        "status": administration.status,
        "alerts": [alert.kind for alert in alerts],
        "immediate": any(alert.immediate for alert in alerts),
    }
    if refusal:
        detail["kept_despite"] = refusal
    audit_record(
        user=actor,
        action=AuditAction.CREATE,
        patient_id=patient.pk,
        object_type="administration",
        object_id=administration.pk,
        detail=detail,
    )
    return Recorded(administration=administration, alerts=alerts)


def administration_record(
    *,
    actor,
    patient_id: int,
    instrument_key: str,
    answers: dict,
    episode_id: int | None = None,
    administration_id: int | None = None,
    completed_at: datetime | None = None,
) -> Recorded:
    """A clinician records the answers given in session (page or API).

    Completes the given due administration, or the oldest one due for this instrument,
    or a new one.
    """
    patient = access.access_patient_for_recording_by_id(actor, patient_id)
    instrument_key = (instrument_key or "").strip().lower()
    known_instrument(instrument_key)
    with transaction.atomic():
        open_due = Administration.objects.select_for_update().filter(
            patient=patient, instrument_key=instrument_key, status=AdministrationStatus.DUE
        )
        if administration_id is not None:
            administration = open_due.filter(pk=administration_id).first()
            if administration is None:
                raise ApplicationError(
                    "That questionnaire is not due for this patient.",
                    field_errors={"administration_id": "Not a due questionnaire of this patient."},
                )
        else:
            episode = _episode_for(patient, episode_id)
            administration = open_due.filter(episode=episode).order_by(
                "due_on", "pk"
            ).first() or Administration(
                patient=patient, episode=episode, instrument_key=instrument_key
            )
        return _complete(
            administration,
            answers=answers,
            patient=patient,
            source=AdministrationSource.CLINICIAN,
            recorded_by=actor,
            completed_at=completed_at,
            actor=actor,
            refusal=selectors.instrument_unavailable_reason(instrument_key),
        )


def questionnaire_complete_by_link(*, actor, token: str, answers: dict) -> Recorded:
    """The patient answers through a one-time link; the link is used up.

    ``actor`` is whoever holds the link (usually signed out): the token is the credential.
    """
    link = access.access_questionnaire_link_by_token(actor, token)
    with transaction.atomic():
        locked = (
            QuestionnaireLink.objects.select_for_update()
            .filter(pk=link.pk, used_at__isnull=True, revoked_at__isnull=True)
            .first()
        )
        if locked is None:  # used or replaced since it was checked a moment ago
            raise refuse(actor=actor, action=AuditAction.CREATE, object_type="questionnaire_link")
        administration = Administration.objects.select_for_update().get(pk=link.administration_id)
        recorded = _complete(
            administration,
            answers=answers,
            patient=administration.patient,
            source=AdministrationSource.LINK,
            recorded_by=None,
            completed_at=None,
            actor=actor,
            refusal=selectors.remote_refusal(
                administration.instrument_key, selectors.program_for(administration)
            ),
        )
        locked.used_at = timezone.now()
        locked.save(update_fields=["used_at"])
    return recorded


def questionnaire_complete_own(*, actor, administration_id: int, answers: dict) -> Recorded:
    """The patient answers a due questionnaire in the portal."""
    own = access.access_own_administration_by_id(
        actor, administration_id, action=AuditAction.CREATE
    )
    with transaction.atomic():
        administration = (
            Administration.objects.select_for_update().select_related("patient").get(pk=own.pk)
        )
        if administration.status != AdministrationStatus.DUE:
            raise ApplicationError(
                "This questionnaire is not waiting for answers.",
                field_errors={"administration_id": "Not due."},
            )
        recorded = _complete(
            administration,
            answers=answers,
            patient=administration.patient,
            source=AdministrationSource.PORTAL,
            recorded_by=actor,
            completed_at=None,
            actor=actor,
            refusal=selectors.remote_refusal(
                administration.instrument_key, selectors.program_for(administration)
            ),
        )
        administration.links.filter(used_at__isnull=True).update(revoked_at=timezone.now())
    return recorded
