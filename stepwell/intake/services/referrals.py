"""Referral use cases: create, move along the board, record contact attempts."""

from __future__ import annotations

from datetime import date, datetime

from django.db import transaction

from stepwell.clinic.models import LevelOfCare
from stepwell.clinic.time import program_today
from stepwell.core.errors import ApplicationError
from stepwell.patients import services as patient_services
from stepwell.patients.models import EpisodeState
from stepwell.privacy.access import intake as intake_access
from stepwell.privacy.access import patients as patients_access
from stepwell.privacy.audit import AuditAction, audit_record

from ..models import (
    AssessmentStatus,
    ContactMethod,
    ContactOutcome,
    Referral,
    ReferralEvent,
    ReferralEventKind,
    ReferralSource,
    ReferralState,
    Urgency,
)
from ..referrals import (
    CLOSING_STATES,
    DISCHARGE_DISPOSITION_FOR,
    EPISODE_STATE_FOR,
    allowed_next_states,
    describe_allowed,
)
from .model_errors import clean_or_raise


def _referral_field_errors(*, source: str, reason: str, urgency: str) -> dict[str, str]:
    errors = {}
    if source not in ReferralSource.values:
        errors["source"] = "Choose one of: " + ", ".join(ReferralSource.values) + "."
    if not (reason or "").strip():
        errors["reason"] = "Say why the patient was referred."
    if urgency not in Urgency.values:
        errors["urgency"] = "Choose one of: " + ", ".join(Urgency.values) + "."
    return errors


def referral_create(
    *,
    actor,
    program_id: int,
    source: str,
    reason: str,
    urgency: str = Urgency.ROUTINE,
    source_detail: str = "",
    insurance: str = "",
    received_on: date | None = None,
    patient_id: int | None = None,
    patient_data: dict | None = None,
    confirm_not_duplicate: bool = False,
) -> Referral:
    """A new referral on the board: registers the patient (or opens an episode for a known one)."""
    program = patients_access.access_registering_program_by_id(
        actor, program_id, object_type="referral"
    )
    patient = None
    if patient_id is not None:
        patient = patients_access.access_patient_by_id(
            actor, patient_id, action=AuditAction.CREATE, object_type="referral"
        )
    errors = _referral_field_errors(source=source, reason=reason, urgency=urgency)
    if patient is None and not patient_data:
        errors["patient"] = "Give the patient's details or choose a registered patient."
    if errors:
        raise ApplicationError("The referral could not be recorded.", field_errors=errors)
    received = received_on or program_today(program)
    if received > program_today(program):
        raise ApplicationError(
            "The referral date is in the future.", field_errors={"received_on": "Is in the future."}
        )
    insurance = (insurance or "").strip()
    if patient is None and insurance and not (patient_data.get("insurance_payer") or "").strip():
        # The insurance typed on the referral reaches the chart.
        patient_data = {**patient_data, "insurance_payer": insurance}
    if patient is None:  # before the transaction, so the check's audit events are kept
        patient_services.patient_duplicates_check(
            actor=actor,
            program=program,
            data=patient_data,
            confirm_not_duplicate=confirm_not_duplicate,
        )
    with transaction.atomic():
        if patient is None:
            registration = patient_services.patient_register(
                actor=actor,
                program_id=program.pk,
                data=patient_data,
                referred_on=received,
                confirm_not_duplicate=confirm_not_duplicate,
                duplicates_checked=True,
            )
            patient, episode = registration.patient, registration.episode
        else:
            episode = patient_services.episode_open(
                actor=actor, patient_id=patient.pk, program_id=program.pk, referred_on=received
            )
        referral = Referral(
            episode=episode,
            patient=patient,
            state=ReferralState.NEW,
            source=source,
            source_detail=(source_detail or "").strip(),
            reason=reason.strip(),
            urgency=urgency,
            insurance=(insurance or "").strip(),
            received_on=received,
            created_by=actor,
        )
        clean_or_raise(referral, "The referral could not be recorded.", exclude=["created_by"])
        referral.save()
        ReferralEvent.objects.create(
            referral=referral,
            kind=ReferralEventKind.TRANSITION,
            to_state=ReferralState.NEW,
            effective_date=received,
            actor=actor,
            note="Referral received",
        )
        audit_record(
            user=actor,
            action=AuditAction.CREATE,
            patient_id=patient.pk,
            object_type="referral",
            object_id=referral.pk,
            detail={"episode_id": episode.pk, "source": source},
        )
    return referral


def referral_move(
    *,
    actor,
    referral: Referral,
    to_state: str,
    effective_date: date,
    reason: str = "",
    level_of_care: str = "",
) -> Referral:
    """Move the referral and its episode together: a step of the use cases below, not one
    itself. The callers (referral_transition, assessment signing -> assessed, admission ->
    admitted) have checked access and the rules; the episode's own move is checked again
    by episode_transition.

    Runs inside the caller's transaction.
    """
    from_state = referral.state
    episode_state = EPISODE_STATE_FOR.get(to_state)
    if episode_state and referral.episode.state != episode_state:
        kwargs = {}
        if episode_state == EpisodeState.DISCHARGED:
            kwargs = {
                "reason": reason,
                "disposition": DISCHARGE_DISPOSITION_FOR[to_state],
                "level_of_care": level_of_care,
            }
        elif episode_state == EpisodeState.ADMITTED:
            kwargs = {"reason": reason or "Admitted from referral", "level_of_care": level_of_care}
        referral.episode = patient_services.episode_transition(
            actor=actor,
            episode_id=referral.episode_id,
            to_state=episode_state,
            effective_date=effective_date,
            **kwargs,
        )
    referral.state = to_state
    if to_state in CLOSING_STATES:
        referral.closed_on = effective_date
        referral.closed_reason = reason
    if to_state == ReferralState.ADMITTED:
        referral.admitted_on = effective_date
    referral.save()
    ReferralEvent.objects.create(
        referral=referral,
        kind=ReferralEventKind.TRANSITION,
        from_state=from_state,
        to_state=to_state,
        effective_date=effective_date,
        note=reason,
        actor=actor,
    )
    audit_record(
        user=actor,
        action=AuditAction.TRANSITION,
        patient_id=referral.patient_id,
        object_type="referral",
        object_id=referral.pk,
        detail={"from": from_state, "to": to_state},
    )
    return referral


def referral_transition(
    *,
    actor,
    referral_id: int,
    to_state: str,
    effective_date: date | None = None,
    reason: str = "",
    referred_to: str = "",
    level_of_care: str = "",
    screening_at: datetime | None = None,
) -> Referral:
    """Move a referral on the board, or refuse and say which moves are allowed."""
    referral = intake_access.access_referral_by_id(
        actor, referral_id, action=AuditAction.TRANSITION
    )
    reason = (reason or "").strip()
    referred_to = (referred_to or "").strip()
    effective = effective_date or program_today(referral.episode.program)
    with transaction.atomic():
        referral = (
            Referral.objects.select_for_update().select_related("episode").get(pk=referral.pk)
        )
        if to_state == ReferralState.ADMITTED:
            raise ApplicationError(
                "Admit the patient from the placement decision; the admission moves the referral.",
                field_errors={"to_state": "Admission is done from the placement decision."},
            )
        if to_state not in allowed_next_states(referral.state):
            raise ApplicationError(
                "This move is not allowed. " + describe_allowed(referral.state),
                field_errors={"to_state": describe_allowed(referral.state)},
            )
        errors = {}
        if to_state in CLOSING_STATES and not reason:
            errors["reason"] = "Say why the referral is closed."
        if to_state == ReferralState.REFERRED_ELSEWHERE:
            if not referred_to:
                errors["referred_to"] = "Say where the patient was referred."
            if level_of_care not in LevelOfCare.values:
                errors["level_of_care"] = "Say which level of care the patient was referred to."
        if (
            to_state == ReferralState.ASSESSED
            and not referral.episode.assessments.filter(status=AssessmentStatus.SIGNED).exists()
        ):
            errors["to_state"] = "Sign the intake assessment first; signing marks it assessed."
        if effective > program_today(referral.episode.program):
            errors["effective_date"] = "Cannot be in the future."
        if effective < referral.received_on:
            errors["effective_date"] = "Cannot be before the referral was received."
        if errors:
            raise ApplicationError("The referral could not be moved.", field_errors=errors)
        if to_state == ReferralState.SCREENING_BOOKED and screening_at is not None:
            referral.screening_at = screening_at
        if to_state == ReferralState.REFERRED_ELSEWHERE:
            referral.referred_to = referred_to
        referral_move(
            actor=actor,
            referral=referral,
            to_state=to_state,
            effective_date=effective,
            reason=reason,
            level_of_care=level_of_care if to_state == ReferralState.REFERRED_ELSEWHERE else "",
        )
    return referral


def referral_contact_record(
    *,
    actor,
    referral_id: int,
    method: str,
    outcome: str,
    note: str = "",
    effective_date: date | None = None,
) -> ReferralEvent:
    """Record a contact attempt; reaching a new referral moves it to contacted."""
    referral = intake_access.access_referral_by_id(actor, referral_id, action=AuditAction.UPDATE)
    errors = {}
    if method not in ContactMethod.values:
        errors["method"] = "Choose one of: " + ", ".join(ContactMethod.values) + "."
    if outcome not in ContactOutcome.values:
        errors["outcome"] = "Choose one of: " + ", ".join(ContactOutcome.values) + "."
    effective = effective_date or program_today(referral.episode.program)
    if effective > program_today(referral.episode.program):
        errors["effective_date"] = "Cannot be in the future."
    if errors:
        raise ApplicationError("The contact attempt could not be recorded.", field_errors=errors)
    with transaction.atomic():
        referral = (
            Referral.objects.select_for_update().select_related("episode").get(pk=referral.pk)
        )
        if referral.state in (*CLOSING_STATES, ReferralState.ADMITTED):
            raise ApplicationError("This referral is closed.", field_errors={"method": "Closed."})
        event = ReferralEvent.objects.create(
            referral=referral,
            kind=ReferralEventKind.CONTACT_ATTEMPT,
            method=method,
            outcome=outcome,
            note=(note or "").strip(),
            effective_date=effective,
            actor=actor,
        )
        audit_record(
            user=actor,
            action=AuditAction.UPDATE,
            patient_id=referral.patient_id,
            object_type="referral_contact",
            object_id=event.pk,
            detail={"referral_id": referral.pk, "outcome": outcome},
        )
        if referral.state == ReferralState.NEW and outcome == ContactOutcome.REACHED:
            referral_move(
                actor=actor,
                referral=referral,
                to_state=ReferralState.CONTACTED,
                effective_date=effective,
                reason="Reached by " + ContactMethod(method).label.lower(),
            )
    return event
