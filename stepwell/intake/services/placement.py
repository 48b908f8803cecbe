"""The level-of-care decision: the engine recommends, the clinician confirms or overrides.

The engine is stepwell.placement (rules.py); this module applies the program's own
setting (prescriber-monitored outpatient withdrawal care) and track to the clinician's
input, and stores what the engine was given and what it said next to what the clinician
decided (docs/clinical-sources.md §1.4: the engine suggests, a clinician decides).
"""

from __future__ import annotations

from django.db import transaction

from stepwell.clinic.models import Program, Track
from stepwell.core.errors import ApplicationError
from stepwell.placement.inputs import PlacementInputError, placement_input_from_dict
from stepwell.placement.levels import LevelOfCare as EngineLevel
from stepwell.placement.rules import (
    RULE_SET_VERSION,
    PlacementDecisionError,
    Recommendation,
    UnknownRuleSet,
    placement_confirm,
    placement_override,
    placement_recommend,
    recommendation_to_dict,
    rule_set_for,
)
from stepwell.privacy.access.intake import (
    IntakeNeed,
    access_assessment_by_id,
    access_placement_preview,
)
from stepwell.privacy.audit import AuditAction, audit_record
from stepwell.privacy.refusals import refuse

from ..models import PlacementDecision

INCOMPLETE = "The placement input is not complete."
# Programs whose patients are treated for substance use: withdrawal and relapse risk apply.
_SUBSTANCE_USE_TRACKS = (Track.SUBSTANCE_USE, Track.DUAL_DIAGNOSIS)
_NOT_APPLICABLE_ONLY_FOR_MENTAL_HEALTH = {
    "d1_withdrawal": "withdrawal risk",
    "d5_relapse": "relapse risk",
}


def _program_errors(engine_input: dict, program: Program) -> dict[str, str]:
    """What the input says that the program's setting or track contradicts."""
    errors = {}
    offered = program.offers_outpatient_withdrawal_care
    given = engine_input.get("offers_outpatient_withdrawal_care", offered)
    if given is not offered:
        errors["offers_outpatient_withdrawal_care"] = (
            f"is the program's setting ({str(offered).lower()}); change it in the program's "
            "settings"
        )
    dimensions = engine_input.get("dimensions")
    if program.track in _SUBSTANCE_USE_TRACKS and isinstance(dimensions, dict):
        for key, label in _NOT_APPLICABLE_ONLY_FOR_MENTAL_HEALTH.items():
            if key in dimensions and dimensions[key] is None:
                errors[key] = (
                    f"rate {label}: {program.get_track_display().lower()} programs treat "
                    "substance use, so it applies"
                )
    return errors


def _with_program(engine_input: object, program: Program | None) -> tuple[object, dict]:
    if program is None or not isinstance(engine_input, dict):
        return engine_input, {}
    errors = _program_errors(engine_input, program)
    completed = {
        **engine_input,
        "offers_outpatient_withdrawal_care": program.offers_outpatient_withdrawal_care,
    }
    return completed, errors


def _recommend(engine_input: object, program: Program | None) -> tuple[Recommendation, dict]:
    """Run the current rule set; every bad field, the engine's and the program's, at once."""
    completed, errors = _with_program(engine_input, program)
    try:
        placement_input = placement_input_from_dict(completed)
    except PlacementInputError as error:
        fields = {key.removeprefix("dimensions."): message for key, message in error.errors.items()}
        raise ApplicationError(INCOMPLETE, field_errors={**fields, **errors}) from error
    if errors:
        raise ApplicationError(INCOMPLETE, field_errors=errors)
    return placement_recommend(placement_input), completed


def placement_preview(
    *, actor, engine_input: dict, program: Program | None = None
) -> Recommendation:
    """Run the engine without saving anything; with a program, under its setting and track.

    No record is read or written: any active staff member may run it.
    """
    if not access_placement_preview(actor):
        raise refuse(actor=actor, object_type="placement_preview")
    recommendation, _ = _recommend(engine_input, program)
    return recommendation


def placement_recheck(decision: PlacementDecision) -> Recommendation | None:
    """What the current rule set says about a decision made under an older one.

    None when the decision already used the current rule set, or names one Stepwell no
    longer knows. The decision itself is never changed.
    """
    if decision.rule_set == RULE_SET_VERSION:
        return None
    try:
        rule_set_for(decision.rule_set)
        placement_input = placement_input_from_dict(decision.engine_input)
    except (UnknownRuleSet, PlacementInputError):
        return None
    return placement_recommend(placement_input)


def placement_decide(
    *,
    actor,
    assessment_id: int,
    engine_input: dict,
    decided_level: str = "",
    override_reason: str = "",
) -> PlacementDecision:
    """Keep the engine's recommendation and the clinician's level; an override needs a reason."""
    assessment = access_assessment_by_id(
        actor,
        assessment_id,
        need=IntakeNeed.SIGN,
        action=AuditAction.CREATE,
        object_type="placement_decision",
    )
    if not assessment.is_signed:
        raise ApplicationError(
            "Sign the intake assessment before deciding the level of care.",
            field_errors={"assessment": "The assessment is a draft."},
        )
    recommendation, stored_input = _recommend(engine_input, assessment.episode.program)
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
            engine_input=stored_input,
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
            detail={
                "recommended": saved.recommended_level,
                "decided": saved.decided_level,
                "overridden": saved.overridden,
            },
        )
    return saved
