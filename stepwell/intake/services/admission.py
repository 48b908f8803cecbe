"""Admission: accept the confirmed placement and admit the patient to the program."""

from __future__ import annotations

from datetime import date

from django.db import transaction

from stepwell.accounts.models import User, UserKind
from stepwell.clinic.models import LevelOfCare
from stepwell.clinic.time import program_today
from stepwell.core.errors import ApplicationError
from stepwell.patients import services as patient_services
from stepwell.patients.models import CareTeamRole, Episode, EpisodeState
from stepwell.privacy.access.intake import IntakeNeed, access_placement_decision_by_id
from stepwell.privacy.audit import AuditAction, audit_record

from ..models import PlacementDecision, ReferralSource, ReferralState
from .referrals import referral_move

# Where a referral source says the patient comes from, when the placement input does not.
_SOURCE_LEVEL = {ReferralSource.HOSPITAL_STEP_DOWN: LevelOfCare.INPATIENT}


def _not_active_staff(user_ids: list[int]) -> list[int]:
    staff = set(
        User.objects.filter(pk__in=user_ids, kind=UserKind.STAFF, is_active=True).values_list(
            "pk", flat=True
        )
    )
    return [user_id for user_id in user_ids if user_id not in staff]


def admitted_from_for(decision: PlacementDecision) -> str:
    """The level of care the patient comes from: a step-down, else earlier outpatient care."""
    engine_input = decision.engine_input or {}
    step_down = engine_input.get("step_down_from", "none")
    if step_down in LevelOfCare.values:
        return step_down
    referral = getattr(decision.episode, "referral", None)
    if referral is not None and referral.source in _SOURCE_LEVEL:
        return _SOURCE_LEVEL[referral.source]
    previous = engine_input.get("previous_lower_level", "none")
    return previous if previous in LevelOfCare.values else ""


def admission_admit(
    *,
    actor,
    placement_decision_id: int,
    care_team: list[tuple[int, str]],
    effective_date: date | None = None,
    admitted_from: str | None = None,
) -> Episode:
    """Admit on a confirmed placement: episode -> admitted, care team assigned.

    `care_team` is a list of (staff user id, care-team role). The first week is scheduled
    later by the scheduler.
    """
    decision = access_placement_decision_by_id(
        actor, placement_decision_id, need=IntakeNeed.ADMIT, action=AuditAction.TRANSITION
    )
    episode = decision.episode
    patient = episode.patient
    latest = episode.placement_decisions.order_by("-decided_at", "-pk").first()
    errors: dict[str, str] = {}
    if latest is None or latest.pk != decision.pk:
        errors["placement_decision"] = "A newer placement decision exists; admit on that one."
    if not decision.assessment.is_signed:
        errors["placement_decision"] = "The intake assessment is not signed."
    if decision.decided_level != episode.program.level_of_care:
        errors["placement_decision"] = (
            f"The decided level is {decision.decided_level.replace('_', ' ')}; "
            f"{episode.program} provides {episode.program.get_level_of_care_display()}. "
            "Refer the patient elsewhere instead."
        )
    if episode.state != EpisodeState.ASSESSED:
        errors["episode"] = (
            f"The episode is {episode.get_state_display().lower()}; only an assessed episode "
            "can be admitted."
        )
    source = admitted_from_for(decision) if admitted_from is None else admitted_from
    if source and source not in LevelOfCare.values:
        errors["admitted_from"] = "Choose one of: " + ", ".join(LevelOfCare.values) + "."
    already = set(patient.care_team.values_list("user_id", flat=True))
    roles = {role for _, role in care_team} | set(
        patient.care_team.values_list("team_role", flat=True)
    )
    if CareTeamRole.PRIMARY_CLINICIAN not in roles:
        errors["care_team"] = "Assign a primary clinician."
    unknown = _not_active_staff([user_id for user_id, _ in care_team])
    if unknown:
        errors["care_team"] = f"Not active staff: users {unknown}."
    if errors:
        raise ApplicationError("The patient could not be admitted.", field_errors=errors)
    effective = effective_date or program_today(episode.program)
    reason = f"Admitted on placement decision {decision.pk}"
    with transaction.atomic():
        # The team first: the episode's move to admitted requires its primary clinician.
        for user_id, team_role in care_team:
            if user_id in already:
                continue
            patient_services.care_team_member_add(
                actor=actor, patient_id=patient.pk, user_id=user_id, team_role=team_role
            )
            already.add(user_id)
        referral = getattr(episode, "referral", None)
        if referral is not None and referral.state == ReferralState.ASSESSED:
            referral_move(
                actor=actor,
                referral=referral,
                to_state=ReferralState.ADMITTED,
                effective_date=effective,
                reason=reason,
                level_of_care=source,
            )
        else:
            patient_services.episode_transition(
                actor=actor,
                episode_id=episode.pk,
                to_state=EpisodeState.ADMITTED,
                effective_date=effective,
                reason=reason,
                level_of_care=source,
            )
        audit_record(
            user=actor,
            action="admit",
            patient_id=patient.pk,
            object_type="admission",
            object_id=episode.pk,
            detail={"placement_decision_id": decision.pk, "admitted_from": source},
        )
    episode.refresh_from_db()
    return episode
