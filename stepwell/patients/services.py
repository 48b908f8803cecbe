"""Use cases that write patients, episodes and care teams. One transaction each, audited.

Each starts with the access rule that fetches and checks what it works on
(stepwell.privacy.access.patients): calling it directly as a user who may not is refused
and audited, as through the page or the API.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import date

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from stepwell.accounts.models import User, UserKind
from stepwell.clinic.models import LevelOfCare
from stepwell.clinic.time import program_today
from stepwell.core.errors import ApplicationError
from stepwell.privacy import access
from stepwell.privacy.audit import AuditAction, audit_record
from stepwell.privacy.refusals import refuse

from .duplicates import (
    DUPLICATE_FIELDS,
    patient_duplicates_check,
)
from .duplicates import PossibleDuplicate as PossibleDuplicate  # re-exported for the edges
from .duplicates import patient_possible_duplicates as patient_possible_duplicates
from .episodes import (
    DISPOSITIONS_WITH_DESTINATION,
    TREATMENT_DISPOSITIONS,
    allowed_next_states,
    describe_allowed,
)
from .models import (
    CareTeamMember,
    CareTeamRole,
    Disposition,
    Episode,
    EpisodeEvent,
    EpisodeState,
    LevelOfCareChange,
    LevelOfCareDirection,
    Patient,
)

PATIENT_FIELDS = (
    "legal_first_name",
    "legal_last_name",
    "preferred_name",
    "pronouns",
    "date_of_birth",
    "sex_assigned_at_birth",
    "gender_identity",
    "phone",
    "email",
    "address",
    "emergency_contact_name",
    "emergency_contact_relationship",
    "emergency_contact_phone",
    "insurance_payer",
    "insurance_member_id",
    "insurance_group_number",
)


# A discharge's move to another level of care is named as what it was.
DIRECTION_FOR_DISPOSITION = {
    Disposition.STEPPED_DOWN: LevelOfCareDirection.STEPPED_DOWN_TO,
    Disposition.STEPPED_UP: LevelOfCareDirection.STEPPED_UP_TO,
}


def _new_mrn() -> str:
    return "SW" + "".join(secrets.choice("0123456789") for _ in range(8))


def _validation_to_application(error: ValidationError, message: str) -> ApplicationError:
    field_errors = {field: " ".join(msgs) for field, msgs in error.message_dict.items()}
    return ApplicationError(message, field_errors=field_errors)


@dataclass(frozen=True)
class Registration:
    patient: Patient
    episode: Episode


def patient_register(
    *,
    actor,
    program_id: int,
    data: dict,
    referred_on: date | None = None,
    confirm_not_duplicate: bool = False,
    duplicates_checked: bool = False,
) -> Registration:
    """Register a patient and open a referred episode in the program.

    The duplicate check (patient_duplicates_check) runs here unless the caller ran it
    already, outside its own transaction so that its audit events are kept
    (`duplicates_checked=True`).
    """
    program = access.access_registering_program_by_id(actor, program_id)
    unknown = set(data) - set(PATIENT_FIELDS)
    if unknown:
        raise ApplicationError(
            "Unknown fields.", field_errors={f: "Unknown field." for f in sorted(unknown)}
        )
    values = {k: (v.strip() if isinstance(v, str) else v) for k, v in data.items()}
    patient = Patient(mrn=_new_mrn(), created_by=actor, **values)
    try:
        patient.full_clean(exclude=["mrn", "user", "created_by"])
    except ValidationError as error:
        raise _validation_to_application(error, "The patient could not be registered.") from error
    if patient.date_of_birth > timezone.localdate():
        raise ApplicationError(
            "Date of birth is in the future.", field_errors={"date_of_birth": "Is in the future."}
        )
    if not duplicates_checked:
        patient_duplicates_check(
            actor=actor,
            program=program,
            data={f: getattr(patient, f) for f in DUPLICATE_FIELDS},
            confirm_not_duplicate=confirm_not_duplicate,
        )
    with transaction.atomic():
        for _ in range(5):
            if not Patient.objects.filter(mrn=patient.mrn).exists():
                break
            patient.mrn = _new_mrn()
        patient.save()
        episode = Episode.objects.create(
            patient=patient,
            program=program,
            state=EpisodeState.REFERRED,
            referred_on=referred_on or program_today(program),
        )
        EpisodeEvent.objects.create(
            episode=episode,
            from_state="",
            to_state=EpisodeState.REFERRED,
            effective_date=episode.referred_on,
            actor=actor,
            reason="Registered",
        )
        audit_record(
            user=actor,
            action=AuditAction.CREATE,
            patient_id=patient.pk,
            object_type="patient",
            object_id=patient.pk,
            detail={"episode_id": episode.pk},
        )
    return Registration(patient=patient, episode=episode)


def episode_open(
    *,
    actor,
    patient_id: int,
    program_id: int,
    referred_on: date | None = None,
) -> Episode:
    """Open a new referred episode for an existing patient (readmission, transfer in)."""
    program = access.access_registering_program_by_id(actor, program_id, object_type="episode")
    patient = access.access_patient_by_id(
        actor, patient_id, action=AuditAction.CREATE, object_type="episode"
    )
    try:
        with transaction.atomic():
            episode = Episode.objects.create(
                patient=patient,
                program=program,
                state=EpisodeState.REFERRED,
                referred_on=referred_on or program_today(program),
            )
            EpisodeEvent.objects.create(
                episode=episode,
                to_state=EpisodeState.REFERRED,
                effective_date=episode.referred_on,
                actor=actor,
                reason="Episode opened",
            )
            audit_record(
                user=actor,
                action=AuditAction.CREATE,
                patient_id=patient.pk,
                object_type="episode",
                object_id=episode.pk,
            )
    except IntegrityError as error:
        raise ApplicationError(
            "The patient already has an open episode in this program.",
            field_errors={"program": "Has an open episode."},
        ) from error
    return episode


def episode_transition(
    *,
    actor,
    episode_id: int,
    to_state: str,
    effective_date: date | None = None,
    reason: str = "",
    disposition: str = "",
    level_of_care: str = "",
) -> Episode:
    """Move an episode to its next state, or refuse and say which moves are allowed.

    The same rule for the chart's page, the referral board and the API: `assessed` needs
    a signed intake assessment, `admitted` a placement decision and a primary clinician
    on the care team. A discharge (any disposition) cancels the patient's future group
    enrolments and appointments in the program, freeing seats and staff time; the
    cancelled bookings are listed in the audit event and on `episode.released_bookings`.
    """
    access.access_episode_transition_by_id(actor, episode_id, to_state)
    reason = (reason or "").strip()
    with transaction.atomic():
        episode = (
            Episode.objects.select_for_update()
            .select_related("patient", "program")
            .get(pk=episode_id)
        )
        if not access.access_episode_transition(actor, episode, to_state):
            # The episode moved since the check above (an intake coordinator's rule
            # depends on its state): refused; the edge audits it after the rollback.
            raise refuse(
                actor=actor,
                action=AuditAction.TRANSITION,
                object_type="episode",
                object_id=episode.pk,
                patient_id=episode.patient_id,
            )
        if to_state not in EpisodeState.values:
            raise ApplicationError(
                "Unknown state.", field_errors={"to_state": describe_allowed(episode.state)}
            )
        if to_state not in allowed_next_states(episode.state):
            raise ApplicationError(
                f"An episode cannot move from {episode.get_state_display().lower()} to "
                f"{EpisodeState(to_state).label.lower()}. {describe_allowed(episode.state)}",
                field_errors={"to_state": describe_allowed(episode.state)},
            )
        effective = effective_date or program_today(episode.program)
        _check_transition_details(episode, to_state, effective, reason, disposition, level_of_care)
        from_state = episode.state
        episode.state = to_state
        if to_state == EpisodeState.ADMITTED:
            episode.admitted_on = effective
        if to_state == EpisodeState.DISCHARGED:
            episode.discharged_on = effective
            episode.discharge_reason = reason
            episode.discharge_disposition = disposition
        episode.save()
        released: list[str] = []
        if to_state == EpisodeState.DISCHARGED:
            from stepwell.schedule.booking.release import patient_bookings_release

            released = patient_bookings_release(
                patient_id=episode.patient_id, program_id=episode.program_id, after=timezone.now()
            )
        episode.released_bookings = released  # for the confirmation the caller shows
        EpisodeEvent.objects.create(
            episode=episode,
            from_state=from_state,
            to_state=to_state,
            effective_date=effective,
            reason=reason,
            disposition=disposition if to_state == EpisodeState.DISCHARGED else "",
            actor=actor,
        )
        if level_of_care:
            direction = (
                LevelOfCareDirection.ADMITTED_FROM
                if to_state == EpisodeState.ADMITTED
                else DIRECTION_FOR_DISPOSITION.get(disposition, LevelOfCareDirection.TRANSFERRED_TO)
            )
            LevelOfCareChange.objects.create(
                episode=episode,
                direction=direction,
                level_of_care=level_of_care,
                effective_date=effective,
                reason=reason or "Recorded at transition",
                recorded_by=actor,
            )
        audit_record(
            user=actor,
            action=AuditAction.TRANSITION,
            patient_id=episode.patient_id,
            object_type="episode",
            object_id=episode.pk,
            detail={
                "from": from_state,
                "to": to_state,
                "disposition": disposition,
                **({"cancelled_bookings": released} if released else {}),
            },
        )
    return episode


def _intake_prerequisites(episode, to_state: str) -> dict[str, str]:
    """Intake is never skipped, whatever the path (page, board, API): assessed needs a
    signed intake assessment; admitted needs a placement decision and a primary
    clinician on the care team. Read through the reverse relations, so the patients app
    does not import the intake app."""
    errors: dict[str, str] = {}
    signed = episode.assessments.filter(status="signed")
    if to_state == EpisodeState.ASSESSED and not signed.exists():
        errors["to_state"] = "Sign the intake assessment first; signing marks it assessed."
    if to_state == EpisodeState.ADMITTED:
        if not episode.placement_decisions.exists():
            errors["to_state"] = (
                "Record the placement decision first, then admit from it "
                "(it assigns the care team)."
            )
        elif not episode.patient.care_team.filter(
            team_role=CareTeamRole.PRIMARY_CLINICIAN
        ).exists():
            errors["care_team"] = "Assign a primary clinician before admitting."
    return errors


def _check_transition_details(
    episode, to_state, effective, reason, disposition, level_of_care
) -> None:
    errors: dict[str, str] = {}
    if effective > program_today(episode.program):
        errors["effective_date"] = "Cannot be in the future."
    if effective < episode.referred_on:
        errors["effective_date"] = "Cannot be before the referral date."
    if level_of_care and level_of_care not in LevelOfCare.values:
        errors["level_of_care"] = f"One of: {', '.join(LevelOfCare.values)}."
    errors.update(_intake_prerequisites(episode, to_state))
    if to_state == EpisodeState.ON_HOLD and not reason:
        errors["reason"] = "Say why the episode is put on hold."
    if to_state == EpisodeState.DISCHARGED:
        if not reason:
            errors["reason"] = "A discharge needs a reason."
        if disposition not in Disposition.values:
            errors["disposition"] = f"Choose a disposition: {', '.join(Disposition.values)}."
        elif disposition in TREATMENT_DISPOSITIONS and episode.admitted_on is None:
            errors["disposition"] = (
                "Only an admitted episode can end this way; use administrative or transferred."
            )
        elif disposition in DISPOSITIONS_WITH_DESTINATION and not level_of_care:
            errors["level_of_care"] = "Say which level of care the patient goes to."
        if disposition in Disposition.values:
            # The program's discharge gate (signed summary and aftercare plan).
            from stepwell.discharge.gate import discharge_gate_errors

            errors.update(discharge_gate_errors(episode, disposition))
    if errors:
        raise ApplicationError("The transition could not be made.", field_errors=errors)


def care_team_member_add(*, actor, patient_id: int, user_id: int, team_role: str) -> CareTeamMember:
    """Put an active staff member on the patient's care team."""
    patient = access.access_care_team_patient_by_id(actor, patient_id)
    if team_role not in CareTeamRole.values:
        raise ApplicationError(
            "Unknown care-team role.", field_errors={"team_role": "Unknown role."}
        )
    member_user = User.objects.filter(pk=user_id, kind=UserKind.STAFF, is_active=True).first()
    if member_user is None:
        raise ApplicationError(
            "Only active staff join a care team.", field_errors={"user": "Not active staff."}
        )
    try:
        with transaction.atomic():
            member = CareTeamMember.objects.create(
                patient=patient, user=member_user, team_role=team_role
            )
            audit_record(
                user=actor,
                action=AuditAction.UPDATE,
                patient_id=patient.pk,
                object_type="care_team",
                object_id=member.pk,
                detail={"added_user_id": member_user.pk, "team_role": team_role},
            )
    except IntegrityError as error:
        raise ApplicationError(
            "Already on the care team.", field_errors={"user": "Already on the care team."}
        ) from error
    return member


def care_team_member_remove(*, actor, patient_id: int, member_id: int) -> None:
    patient = access.access_care_team_patient_by_id(actor, patient_id)
    with transaction.atomic():
        member = CareTeamMember.objects.filter(patient=patient, pk=member_id).first()
        if member is None:
            raise ApplicationError("Not on the care team.")
        removed_user_id = member.user_id
        member.delete()
        audit_record(
            user=actor,
            action=AuditAction.UPDATE,
            patient_id=patient.pk,
            object_type="care_team",
            object_id=member_id,
            detail={"removed_user_id": removed_user_id},
        )
