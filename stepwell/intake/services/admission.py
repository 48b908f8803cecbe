"""Admission: accept the confirmed placement and admit the patient to the program."""

from __future__ import annotations

from datetime import date

from django.db import transaction

from stepwell.clinic.models import LevelOfCare
from stepwell.core.errors import ApplicationError
from stepwell.patients import services as patient_services
from stepwell.patients.models import CareTeamRole, Episode, EpisodeState
from stepwell.privacy.audit import AuditAction, audit_record

from .. import access
from ..models import PlacementDecision, ReferralSource, ReferralState
from ._common import deny
from .referrals import referral_move

# Where a referral source says the patient comes from, when the placement input does not.
_SOURCE_LEVEL = {ReferralSource.HOSPITAL_STEP_DOWN: LevelOfCare.INPATIENT}


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
    care_team: list[tuple[object, str]],
    effective_date: date | None = None,
    admitted_from: str | None = None,
    client_address: str = "",
) -> Episode:
    """Admit on a confirmed placement: episode -> admitted, care team assigned.

    The first week is scheduled later by the scheduler.
    """
    decision = (
        PlacementDecision.objects.select_related(
            "episode", "episode__patient", "episode__program", "assessment"
        )
        .filter(pk=placement_decision_id)
        .first()
    )
    if decision is None or not access.access_admission(actor, decision.episode):
        raise deny(
            actor=actor,
            action=AuditAction.TRANSITION,
            object_type="admission",
            object_id=placement_decision_id,
            patient_id=decision.episode.patient_id if decision else None,
            client_address=client_address,
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
    if errors:
        raise ApplicationError("The patient could not be admitted.", field_errors=errors)
    effective = effective_date or patient_services.program_today(episode.program)
    reason = f"Admitted on placement decision {decision.pk}"
    with transaction.atomic():
        referral = getattr(episode, "referral", None)
        if referral is not None and referral.state == ReferralState.ASSESSED:
            referral_move(
                actor=actor,
                referral=referral,
                to_state=ReferralState.ADMITTED,
                effective_date=effective,
                reason=reason,
                level_of_care=source,
                client_address=client_address,
            )
        else:
            patient_services.episode_transition(
                actor=actor,
                episode_id=episode.pk,
                to_state=EpisodeState.ADMITTED,
                effective_date=effective,
                reason=reason,
                level_of_care=source,
                client_address=client_address,
            )
        for user, team_role in care_team:
            if user.pk in already:
                continue
            patient_services.care_team_member_add(
                actor=actor,
                patient=patient,
                user=user,
                team_role=team_role,
                client_address=client_address,
            )
            already.add(user.pk)
        audit_record(
            user=actor,
            action="admit",
            patient_id=patient.pk,
            object_type="admission",
            object_id=episode.pk,
            client_address=client_address,
            detail={"placement_decision_id": decision.pk, "admitted_from": source},
        )
    episode.refresh_from_db()
    return episode
