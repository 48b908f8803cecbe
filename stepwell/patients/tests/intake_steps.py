"""What intake leaves behind, made directly, for tests of the episode's own moves."""

from __future__ import annotations

from django.utils import timezone

from stepwell.intake.models import IntakeAssessment, PlacementDecision
from stepwell.patients.models import CareTeamMember, CareTeamRole


def signed_assessment(episode, clinician) -> IntakeAssessment:
    return IntakeAssessment.objects.create(
        episode=episode,
        patient=episode.patient,
        status="signed",
        presenting_problems="Low mood (synthetic)",
        created_by=clinician,
        signed_by=clinician,
        signed_at=timezone.now(),
    )


def placement_decided(assessment, clinician) -> PlacementDecision:
    """The assessment's episode placed at its program's level of care."""
    level = assessment.episode.program.level_of_care
    return PlacementDecision.objects.create(
        assessment=assessment,
        episode=assessment.episode,
        engine_input={},
        engine_output={},
        rule_set="test",
        recommended_level=level,
        decided_level=level,
        decided_by=clinician,
    )


def intake_done(episode, clinician, *, with_team: bool = True) -> None:
    """A signed assessment, a placement decision and (by default) a primary clinician."""
    placement_decided(signed_assessment(episode, clinician), clinician)
    if with_team:
        CareTeamMember.objects.create(
            patient=episode.patient, user=clinician, team_role=CareTeamRole.PRIMARY_CLINICIAN
        )
