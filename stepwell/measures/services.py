"""Use cases that write measures. One transaction each, audited inside.

- ``instrument_definition_save``: store a licensed definition (versioned).
- ``administration_record``: score answers (clinician in session, one-time link, portal),
  store them, and raise safety alerts at once.
- ``questionnaire_send``: make a questionnaire due and a one-time link for it.
- ``alert_acknowledge``: close an alert with a note of the action taken.
- ``schedule_rule_set`` and ``due_questionnaires_generate``: the program's measurement
  schedule and the due questionnaires it creates (``stepwell measures-due`` runs it daily).
"""

from __future__ import annotations

import functools
import hashlib
import secrets
import zoneinfo
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from stepwell.core.errors import AccessDenied, ApplicationError
from stepwell.measures.instruments import (
    DefinitionError,
    UnknownInstrumentError,
    instrument_registry,
    load_definition,
    score,
)
from stepwell.patients.models import Episode, EpisodeState, Patient
from stepwell.privacy.audit import AuditAction, AuditOutcome, audit_record

from . import access, selectors
from .models import (
    Administration,
    AdministrationSource,
    AdministrationStatus,
    Alert,
    AlertKind,
    AlertStatus,
    InstrumentDefinition,
    QuestionnaireLink,
    ScheduleRule,
)

LINK_HOURS_DEFAULT = 72
ADMISSION_WINDOW_DAYS = 14  # an admission questionnaire is not created later than this
DISCHARGE_WINDOW_DAYS = 14


def link_lifetime() -> timedelta:
    return timedelta(
        hours=getattr(settings, "STEPWELL_QUESTIONNAIRE_LINK_HOURS", LINK_HOURS_DEFAULT)
    )


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class _Denied(AccessDenied):
    """Refused; carries the audit event to write once the transaction has rolled back."""

    def __init__(self, **audit):
        super().__init__()
        self.audit = audit


def _denied(actor, *, action, patient_id, object_type, object_id="", client_address=""):
    return _Denied(
        user=actor,
        action=action,
        patient_id=patient_id,
        object_type=object_type,
        object_id=object_id,
        outcome=AuditOutcome.DENIED,
        client_address=client_address,
    )


def _atomic(function):
    """One transaction per use case; a refusal is audited after the rollback, so the
    denied attempt stays on the record while nothing else does."""

    @functools.wraps(function)
    def wrapper(*args, **kwargs):
        try:
            with transaction.atomic():
                return function(*args, **kwargs)
        except _Denied as denied:
            audit_record(**denied.audit)
            raise AccessDenied(denied.message) from None

    return wrapper


# -- instrument definitions ---------------------------------------------------------------


@transaction.atomic
def instrument_definition_save(*, definition_data: dict, actor=None) -> InstrumentDefinition:
    """Store a definition; the same key and version twice is a no-op when identical."""
    try:
        instrument = load_definition(definition_data)
    except DefinitionError as error:
        raise ApplicationError(str(error), field_errors={error.field: error.problem}) from error
    if instrument.key in instrument_registry():
        raise ApplicationError(
            f"{instrument.key!r} ships with Stepwell; give a loaded definition its own key.",
            field_errors={"key": "Is a shipped instrument."},
        )
    existing = InstrumentDefinition.objects.filter(
        key=instrument.key, version=instrument.version
    ).first()
    if existing is not None:
        if existing.definition == definition_data:
            return existing
        raise ApplicationError(
            f"{instrument.abbreviation} version {instrument.version} is already stored with "
            "different content; give the changed definition a new version.",
            field_errors={"version": "Already stored with different content."},
        )
    row = InstrumentDefinition(
        key=instrument.key,
        version=instrument.version,
        name=instrument.name,
        abbreviation=instrument.abbreviation,
        definition=definition_data,
        loaded_by=actor,
    )
    row.full_clean()
    row.save()
    audit_record(
        user=actor,
        action=AuditAction.CREATE,
        object_type="instrument_definition",
        object_id=row.pk,
        detail={"key": row.key, "version": row.version},
    )
    return row


# -- administrations ----------------------------------------------------------------------


@dataclass(frozen=True)
class Recorded:
    administration: Administration
    alerts: tuple[Alert, ...]

    @property
    def risk(self) -> bool:
        return "suicide_risk" in (self.administration.flags or [])


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


def _score_into(administration: Administration, answers: dict, *, patient: Patient) -> None:
    try:
        instrument = selectors.instrument_for(
            administration.instrument_key, administration.instrument_version or None
        )
    except UnknownInstrumentError as error:
        raise ApplicationError(
            str(error.args[0]), field_errors={"instrument": "Unknown instrument."}
        ) from error
    if not isinstance(answers, dict) or not answers:
        raise ApplicationError("Answer the questions.", field_errors={"answers": "No answers."})
    result = score(instrument, answers, sex=selectors.engine_sex(patient.sex_assigned_at_birth))
    if not result.valid:
        field_errors = {}
        for error in result.errors:
            field_errors[error.item_key or "answers"] = error.message
        raise ApplicationError(
            "Some answers are missing or invalid: " + "; ".join(map(str, result.errors)),
            field_errors=field_errors,
        )
    numbered = {str(n): item.key for n, item in enumerate(instrument.items, 1)}
    administration.instrument_version = instrument.version
    administration.answers = {
        numbered.get(str(key), str(key)): _stored_value(value) for key, value in answers.items()
    }
    administration.item_scores = dict(result.item_scores)
    administration.total = result.total
    administration.band = result.band or ""
    administration.subscales = dict(result.subscales)
    administration.flags = list(result.flags)


def _stored_value(value: object) -> object:
    if isinstance(value, str):
        text = value.strip().lower()
        return int(text) if text.lstrip("-").isdigit() else text
    return value


def _raise_alerts(administration: Administration) -> tuple[Alert, ...]:
    """Suicide-risk flag or a severe band: an alert on the care team's worklist at once."""
    alerts = []
    instrument = selectors.instrument_for(
        administration.instrument_key, administration.instrument_version
    )
    if "suicide_risk" in administration.flags:
        alerts.append(
            Alert(
                patient_id=administration.patient_id,
                administration=administration,
                kind=AlertKind.SUICIDE_RISK,
                reason=f"{instrument.abbreviation}: suicide-risk answer; same-day safety follow-up.",
            )
        )
    if selectors.band_raises_alert(administration.instrument_key, administration.band):
        total = f" {administration.total}" if administration.total is not None else ""
        alerts.append(
            Alert(
                patient_id=administration.patient_id,
                administration=administration,
                kind=AlertKind.SEVERE_BAND,
                reason=f"{instrument.abbreviation}{total}: {administration.band.replace('_', ' ')}.",
            )
        )
    for alert in alerts:
        alert.full_clean()
        alert.save()
    return tuple(alerts)


def _complete(
    administration: Administration,
    *,
    answers: dict,
    patient: Patient,
    source: str,
    recorded_by,
    completed_at: datetime | None,
    client_address: str,
    audit_user,
) -> Recorded:
    now = timezone.now()
    if completed_at is not None and completed_at > now:
        raise ApplicationError(
            "The completion time is in the future.",
            field_errors={"completed_at": "Is in the future."},
        )
    _score_into(administration, answers, patient=patient)
    administration.status = AdministrationStatus.COMPLETED
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
    alerts = _raise_alerts(administration)
    audit_record(
        user=audit_user,
        action=AuditAction.CREATE,
        patient_id=patient.pk,
        object_type="administration",
        object_id=administration.pk,
        client_address=client_address,
        detail={
            "instrument": administration.instrument_key,
            "source": source,
            "alerts": [alert.kind for alert in alerts],
        },
    )
    return Recorded(administration=administration, alerts=alerts)


@_atomic
def administration_record(
    *,
    actor,
    patient_id: int,
    instrument_key: str,
    answers: dict,
    episode_id: int | None = None,
    administration_id: int | None = None,
    completed_at: datetime | None = None,
    client_address: str = "",
) -> Recorded:
    """A clinician records the answers given in session.

    Completes the given due administration, or the oldest one due for this instrument,
    or a new one.
    """
    patient = Patient.objects.filter(pk=patient_id).first()
    if patient is None or not access.access_administration_record(actor, patient):
        raise _denied(
            actor,
            action=AuditAction.CREATE,
            patient_id=patient.pk if patient else None,
            object_type="administration",
            client_address=client_address,
        )
    instrument_key = (instrument_key or "").strip().lower()
    try:
        selectors.instrument_for(instrument_key)
    except UnknownInstrumentError:
        raise ApplicationError(
            f"Unknown instrument {instrument_key!r}.",
            field_errors={"instrument": "Unknown instrument."},
        ) from None
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
        ).first() or Administration(patient=patient, episode=episode, instrument_key=instrument_key)
    return _complete(
        administration,
        answers=answers,
        patient=patient,
        source=AdministrationSource.CLINICIAN,
        recorded_by=actor,
        completed_at=completed_at,
        client_address=client_address,
        audit_user=actor,
    )


@dataclass(frozen=True)
class SentQuestionnaire:
    administration: Administration
    token: str  # shown once; only its hash is stored
    expires_at: datetime


@_atomic
def questionnaire_send(
    *,
    actor,
    patient_id: int,
    instrument_key: str = "",
    administration_id: int | None = None,
    client_address: str = "",
) -> SentQuestionnaire:
    """Make a questionnaire due (or reuse a due one) and a one-time link for it."""
    patient = Patient.objects.filter(pk=patient_id).first()
    if patient is None or not access.access_administration_record(actor, patient):
        raise _denied(
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
    else:
        key = (instrument_key or "").strip().lower()
        try:
            instrument = selectors.instrument_for(key)
        except UnknownInstrumentError:
            raise ApplicationError(
                f"Unknown instrument {key!r}.", field_errors={"instrument": "Unknown instrument."}
            ) from None
        episode = selectors.open_episode_for(patient)
        today = selectors.program_today(episode.program) if episode else timezone.localdate()
        administration = Administration.objects.create(
            patient=patient,
            episode=episode,
            instrument_key=key,
            instrument_version=instrument.version,
            due_on=today,
            requested_by=actor,
        )
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


@_atomic
def questionnaire_complete_by_link(
    *, token: str, answers: dict, client_address: str = ""
) -> Recorded:
    """The patient answers through a one-time link; the link is used up."""
    link = link_for_token(token)
    if link is not None:
        link = QuestionnaireLink.objects.select_for_update().get(pk=link.pk)
    if link is None or link.used_at is not None:
        raise _denied(
            None,
            action=AuditAction.CREATE,
            patient_id=None,
            object_type="questionnaire_link",
            client_address=client_address,
        )
    administration = Administration.objects.select_for_update().get(pk=link.administration_id)
    recorded = _complete(
        administration,
        answers=answers,
        patient=administration.patient,
        source=AdministrationSource.LINK,
        recorded_by=None,
        completed_at=None,
        client_address=client_address,
        audit_user=None,
    )
    link.used_at = timezone.now()
    link.save(update_fields=["used_at"])
    return recorded


@_atomic
def questionnaire_complete_own(
    *, actor, administration_id: int, answers: dict, client_address: str = ""
) -> Recorded:
    """The patient answers a due questionnaire in the portal."""
    administration = (
        Administration.objects.select_for_update()
        .select_related("patient")
        .filter(pk=administration_id)
        .first()
    )
    if administration is None or not access.access_questionnaire_complete_own(
        actor, administration.patient
    ):
        raise _denied(
            actor,
            action=AuditAction.CREATE,
            patient_id=administration.patient_id if administration else None,
            object_type="administration",
            object_id=administration_id,
            client_address=client_address,
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
        client_address=client_address,
        audit_user=actor,
    )
    administration.links.filter(used_at__isnull=True).update(revoked_at=timezone.now())
    return recorded


# -- alerts -------------------------------------------------------------------------------


@_atomic
def alert_acknowledge(*, actor, alert_id: int, note: str, client_address: str = "") -> Alert:
    alert = Alert.objects.select_for_update().select_related("patient").filter(pk=alert_id).first()
    if alert is None or not access.access_alert_acknowledge(actor, alert.patient):
        raise _denied(
            actor,
            action="acknowledge",
            patient_id=alert.patient_id if alert else None,
            object_type="alert",
            object_id=alert_id,
            client_address=client_address,
        )
    note = (note or "").strip()
    if not note:
        raise ApplicationError(
            "Write what was done about this alert.",
            field_errors={"note": "Describe the action taken."},
        )
    if alert.status != AlertStatus.OPEN:
        raise ApplicationError(
            "This alert was already acknowledged.", field_errors={"note": "Already acknowledged."}
        )
    alert.status = AlertStatus.ACKNOWLEDGED
    alert.acknowledged_by = actor
    alert.acknowledged_at = timezone.now()
    alert.action_note = note
    alert.full_clean()
    alert.save()
    audit_record(
        user=actor,
        action="acknowledge",
        patient_id=alert.patient_id,
        object_type="alert",
        object_id=alert.pk,
        client_address=client_address,
        detail={"kind": alert.kind},
    )
    return alert


# -- schedules ----------------------------------------------------------------------------


@_atomic
def schedule_rule_set(
    *,
    actor,
    program_id: int,
    instrument_key: str,
    at_admission: bool = False,
    every_days: int | None = None,
    at_discharge: bool = False,
    active: bool = True,
) -> ScheduleRule:
    if not access.access_schedule_manage(actor, program_id):
        raise _denied(
            actor, action=AuditAction.UPDATE, patient_id=None, object_type="measurement_schedule"
        )
    try:
        selectors.instrument_for(instrument_key)
    except UnknownInstrumentError:
        raise ApplicationError(
            f"Unknown instrument {instrument_key!r}.",
            field_errors={"instrument_key": "Unknown instrument."},
        ) from None
    if not (at_admission or every_days or at_discharge):
        raise ApplicationError(
            "Choose when the instrument is given.",
            field_errors={"every_days": "Admission, every N days, or discharge."},
        )
    rule, _ = ScheduleRule.objects.update_or_create(
        program_id=program_id,
        instrument_key=instrument_key,
        defaults={
            "at_admission": at_admission,
            "every_days": every_days,
            "at_discharge": at_discharge,
            "active": active,
        },
    )
    audit_record(
        user=actor,
        action=AuditAction.UPDATE,
        object_type="measurement_schedule",
        object_id=rule.pk,
        detail={"program": program_id, "rule": str(rule)},
    )
    return rule


def _occurrences(rule: ScheduleRule, episode: Episode, today: date) -> list[tuple[str, date]]:
    """The occurrences of ``rule`` that should exist for ``episode`` on ``today``.

    A repeating rule starts on the admission day (its first occurrence is "admission")
    and only its current occurrence is created: missed weeks are not back-filled.
    """
    found = []
    admitted = episode.admitted_on
    if admitted is None or admitted > today:
        return found
    in_treatment = episode.state in (EpisodeState.ADMITTED, EpisodeState.ACTIVE)
    if in_treatment and rule.every_days:
        k = (today - admitted).days // rule.every_days
        if k == 0:
            found.append(("admission", admitted))
        else:
            found.append((f"day-{k * rule.every_days}", admitted + timedelta(k * rule.every_days)))
    elif in_treatment and rule.at_admission and (today - admitted).days <= ADMISSION_WINDOW_DAYS:
        found.append(("admission", admitted))
    if (
        episode.state == EpisodeState.DISCHARGED
        and rule.at_discharge
        and episode.discharged_on is not None
        and (today - episode.discharged_on).days <= DISCHARGE_WINDOW_DAYS
    ):
        found.append(("discharge", episode.discharged_on))
    return found


@transaction.atomic
def due_questionnaires_generate(*, today: date | None = None) -> list[Administration]:
    """Create the due questionnaires that the programs' schedules call for. Idempotent.

    A repeating questionnaire still due when the next one falls due is marked missed;
    scheduled ones still due at discharge are marked missed too (the discharge one and
    those a clinician sent stay due).
    """
    created = []
    rules = list(ScheduleRule.objects.filter(active=True).select_related("program"))
    by_program: dict[int, list[ScheduleRule]] = {}
    for rule in rules:
        by_program.setdefault(rule.program_id, []).append(rule)
    episodes = Episode.objects.filter(
        program_id__in=by_program, admitted_on__isnull=False
    ).select_related("program", "patient")
    for episode in episodes:
        day = today or selectors.program_today(episode.program)
        existing = set(
            Administration.objects.filter(episode=episode)
            .exclude(occurrence="")
            .values_list("instrument_key", "occurrence")
        )
        for rule in by_program[episode.program_id]:
            for occurrence, due_on in _occurrences(rule, episode, day):
                if (rule.instrument_key, occurrence) in existing:
                    continue
                version = selectors.instrument_for(rule.instrument_key).version
                created.append(
                    Administration.objects.create(
                        patient=episode.patient,
                        episode=episode,
                        instrument_key=rule.instrument_key,
                        instrument_version=version,
                        occurrence=occurrence,
                        due_on=due_on,
                    )
                )
                if occurrence.startswith("day-"):
                    Administration.objects.filter(
                        episode=episode,
                        instrument_key=rule.instrument_key,
                        status=AdministrationStatus.DUE,
                        due_on__lt=due_on,
                    ).update(status=AdministrationStatus.MISSED)
        if episode.state == EpisodeState.DISCHARGED:
            Administration.objects.filter(episode=episode, status=AdministrationStatus.DUE).exclude(
                occurrence__in=("", "discharge")
            ).update(status=AdministrationStatus.MISSED)
    for administration in created:
        audit_record(
            action=AuditAction.CREATE,
            patient_id=administration.patient_id,
            object_type="administration",
            object_id=administration.pk,
            detail={
                "instrument": administration.instrument_key,
                "occurrence": administration.occurrence,
                "due_on": administration.due_on,
                "via": "schedule",
            },
        )
    return created


def local_noon(day: date, zone_name: str) -> datetime:
    """A program-local midday as an aware datetime (used for back-dated paper forms)."""
    return datetime.combine(day, time(12, 0), tzinfo=zoneinfo.ZoneInfo(zone_name))
