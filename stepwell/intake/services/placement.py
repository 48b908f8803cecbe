"""The level-of-care decision: the engine recommends, the clinician confirms or overrides.

The engine is stepwell.placement (rules.py); this module only stores what it was given and
what it said next to what the clinician decided (clinical-facts.md §1.1, "never auto-place").
"""

from __future__ import annotations

from django.db import transaction

from stepwell.core.errors import ApplicationError
from stepwell.placement.inputs import PlacementInputError, placement_input_from_dict
from stepwell.placement.levels import LevelOfCare as EngineLevel
from stepwell.placement.rules import (
    PlacementDecisionError,
    Recommendation,
    placement_confirm,
    placement_override,
    placement_recommend,
    recommendation_to_dict,
)
from stepwell.privacy.audit import AuditAction, audit_record

from .. import access
from ..models import IntakeAssessment, PlacementDecision
from ._common import deny


def _engine_errors(error: PlacementInputError | PlacementDecisionError) -> ApplicationError:
    fields = {key.removeprefix("dimensions."): message for key, message in error.errors.items()}
    return ApplicationError("The placement input is not complete.", field_errors=fields)


def placement_preview(*, engine_input: dict) -> Recommendation:
    """Run the engine without saving anything."""
    try:
        return placement_recommend(placement_input_from_dict(engine_input))
    except PlacementInputError as error:
        raise _engine_errors(error) from error


def placement_decide(
    *,
    actor,
    assessment_id: int,
    engine_input: dict,
    decided_level: str = "",
    override_reason: str = "",
    client_address: str = "",
) -> PlacementDecision:
    """Keep the engine's recommendation and the clinician's level; an override needs a reason."""
    assessment = (
        IntakeAssessment.objects.select_related("patient", "episode")
        .filter(pk=assessment_id)
        .first()
    )
    if assessment is None or not access.access_assessment_sign(actor, assessment.patient):
        raise deny(
            actor=actor,
            action=AuditAction.CREATE,
            object_type="placement_decision",
            patient_id=assessment.patient_id if assessment else None,
            client_address=client_address,
        )
    if not assessment.is_signed:
        raise ApplicationError(
            "Sign the intake assessment before deciding the level of care.",
            field_errors={"assessment": "The assessment is a draft."},
        )
    recommendation = placement_preview(engine_input=engine_input)
    level = (decided_level or "").strip() or recommendation.level.value
    if level not in {member.value for member in EngineLevel}:
        raise ApplicationError(
            "Unknown level of care.",
            field_errors={
                "decided_level": "Choose one of: " + ", ".join(lv.value for lv in EngineLevel) + "."
            },
        )
    try:
        if level == recommendation.level.value:
            decision = placement_confirm(recommendation)
        else:
            decision = placement_override(
                recommendation, level=EngineLevel(level), reason=override_reason or ""
            )
    except PlacementDecisionError as error:
        fields = {
            ("override_reason" if key == "reason" else "decided_level"): message
            for key, message in error.errors.items()
        }
        raise ApplicationError(
            "The decision could not be recorded.", field_errors=fields
        ) from error
    with transaction.atomic():
        saved = PlacementDecision.objects.create(
            assessment=assessment,
            episode=assessment.episode,
            engine_input=engine_input,
            engine_output=recommendation_to_dict(recommendation),
            rule_set=recommendation.rule_set,
            recommended_level=recommendation.level.value,
            decided_level=decision.level.value,
            overridden=decision.overridden,
            override_reason=decision.reason or "",
            decided_by=actor,
        )
        audit_record(
            user=actor,
            action=AuditAction.CREATE,
            patient_id=assessment.patient_id,
            object_type="placement_decision",
            object_id=saved.pk,
            client_address=client_address,
            detail={
                "recommended": saved.recommended_level,
                "decided": saved.decided_level,
                "overridden": saved.overridden,
            },
        )
    return saved
