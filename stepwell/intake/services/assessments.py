"""Intake assessment use cases: draft, edit, previous treatment, sign, addenda.

Diagnoses are in diagnoses.py.

A signed assessment is never edited; corrections are addenda (DESIGN.md, "Rules that hold
everywhere").
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from stepwell.clinic.models import LevelOfCare
from stepwell.clinic.time import program_today
from stepwell.core.errors import ApplicationError
from stepwell.patients.models import EpisodeState
from stepwell.privacy.access.intake import (
    IntakeNeed,
    access_assessment_by_id,
    access_episode_for_assessment_by_id,
)
from stepwell.privacy.audit import AuditAction, audit_record

from ..models import (
    AssessmentAddendum,
    AssessmentStatus,
    IntakeAssessment,
    PreviousTreatment,
    ReferralState,
    RiskLevel,
    TreatmentOutcome,
)
from .model_errors import clean_or_raise
from .referrals import referral_move

ASSESSMENT_FIELDS = (
    "presenting_problems",
    "substance_use_history",
    "psychiatric_history",
    "medical_history",
    "living_situation",
    "supports",
    "obligations",
    "risk_level",
    "risk_screening",
    "symptom_severity",
    "functional_impairment",
    "strengths",
    "patient_goals",
)
# What a signed assessment must contain.
REQUIRED_TO_SIGN = ("presenting_problems", "risk_level", "patient_goals")


def _audit(actor, action, assessment, object_type="intake_assessment", **detail):
    audit_record(
        user=actor,
        action=action,
        patient_id=assessment.patient_id,
        object_type=object_type,
        object_id=assessment.pk,
        detail=detail or None,
    )


def _draft_for_update(actor, assessment_id: int) -> IntakeAssessment:
    """The gate of the draft's use cases: an intake coordinator or clinician of its program
    (or a clinician on the care team), else an audited refusal."""
    return access_assessment_by_id(
        actor, assessment_id, need=IntakeNeed.DRAFT, action=AuditAction.UPDATE
    )


def _lock_draft(assessment_id: int) -> IntakeAssessment:
    assessment = IntakeAssessment.objects.select_for_update().get(pk=assessment_id)
    if assessment.status != AssessmentStatus.DRAFT:
        raise ApplicationError(
            "This assessment is signed and cannot be edited; add an addendum instead.",
            field_errors={"status": "Signed."},
        )
    return assessment


def assessment_start(*, actor, episode_id: int) -> IntakeAssessment:
    """Open the episode's draft assessment, or return the draft already open."""
    episode = access_episode_for_assessment_by_id(actor, episode_id)
    if episode.state == EpisodeState.DISCHARGED:
        raise ApplicationError(
            "The episode is closed.", field_errors={"episode": "The episode is discharged."}
        )
    with transaction.atomic():
        existing = episode.assessments.filter(status=AssessmentStatus.DRAFT).first()
        if existing is not None:
            return existing
        assessment = IntakeAssessment.objects.create(
            episode=episode, patient=episode.patient, created_by=actor
        )
        _audit(actor, AuditAction.CREATE, assessment)
    return assessment


def assessment_update(*, actor, assessment_id: int, data: dict) -> IntakeAssessment:
    """Save draft fields; unknown fields and a signed assessment are refused."""
    _draft_for_update(actor, assessment_id)
    unknown = set(data) - set(ASSESSMENT_FIELDS)
    if unknown:
        raise ApplicationError(
            "Unknown fields.", field_errors={f: "Unknown field." for f in sorted(unknown)}
        )
    with transaction.atomic():
        assessment = _lock_draft(assessment_id)
        for field, value in data.items():
            setattr(assessment, field, value.strip() if isinstance(value, str) else value)
        if assessment.risk_level and assessment.risk_level not in RiskLevel.values:
            raise ApplicationError(
                "The assessment could not be saved.",
                field_errors={"risk_level": "Choose one of: " + ", ".join(RiskLevel.values) + "."},
            )
        clean_or_raise(
            assessment,
            "The assessment could not be saved.",
            exclude=["episode", "patient", "created_by", "signed_by"],
        )
        assessment.save()
        _audit(actor, AuditAction.UPDATE, assessment, fields=sorted(data))
    return assessment


def previous_treatment_add(
    *,
    actor,
    assessment_id: int,
    level_of_care: str,
    outcome: str,
    provider: str = "",
    when: str = "",
    notes: str = "",
) -> PreviousTreatment:
    _draft_for_update(actor, assessment_id)
    errors = {}
    if level_of_care not in LevelOfCare.values:
        errors["level_of_care"] = "Choose one of: " + ", ".join(LevelOfCare.values) + "."
    if outcome not in TreatmentOutcome.values:
        errors["outcome"] = "Choose one of: " + ", ".join(TreatmentOutcome.values) + "."
    if errors:
        raise ApplicationError("The previous treatment could not be added.", field_errors=errors)
    with transaction.atomic():
        assessment = _lock_draft(assessment_id)
        treatment = PreviousTreatment(
            assessment=assessment,
            level_of_care=level_of_care,
            outcome=outcome,
            provider=provider.strip(),
            when=when.strip(),
            notes=notes.strip(),
        )
        clean_or_raise(treatment, "The previous treatment could not be added.")
        treatment.save()
        _audit(actor, AuditAction.UPDATE, assessment, added_previous_treatment=treatment.pk)
    return treatment


def previous_treatment_remove(*, actor, assessment_id: int, treatment_id: int) -> None:
    _draft_for_update(actor, assessment_id)
    with transaction.atomic():
        assessment = _lock_draft(assessment_id)
        deleted, _ = assessment.previous_treatments.filter(pk=treatment_id).delete()
        if not deleted:
            raise ApplicationError("Not on this assessment.")
        _audit(actor, AuditAction.UPDATE, assessment, removed_previous_treatment=treatment_id)


def assessment_sign(*, actor, assessment_id: int) -> IntakeAssessment:
    """Sign the draft. It can no longer be edited; its referral (and episode) become assessed."""
    access_assessment_by_id(actor, assessment_id, need=IntakeNeed.SIGN, action=AuditAction.UPDATE)
    with transaction.atomic():
        assessment = _lock_draft(assessment_id)
        errors = {
            field: "Required before signing."
            for field in REQUIRED_TO_SIGN
            if not getattr(assessment, field)
        }
        if not assessment.diagnoses.exists():
            errors["diagnoses"] = "Add at least one diagnosis before signing."
        elif not assessment.diagnoses.filter(primary=True).exists():
            errors["diagnoses"] = (
                "Add a mental or behavioural diagnosis (F01-F99) as the primary diagnosis "
                "before signing."
            )
        if errors:
            raise ApplicationError("The assessment is not complete.", field_errors=errors)
        assessment.status = AssessmentStatus.SIGNED
        assessment.signed_by = actor
        assessment.signed_at = timezone.now()
        assessment.save()
        _audit(actor, "sign", assessment)
        _mark_assessed(actor, assessment)
    return assessment


def _mark_assessed(actor, assessment: IntakeAssessment) -> None:
    """Walk the referral (or the bare episode) forward to assessed."""
    episode = assessment.episode
    today = program_today(episode.program)
    referral = getattr(episode, "referral", None)
    if referral is not None:
        if referral.state in (ReferralState.NEW, ReferralState.CONTACTED):
            referral_move(
                actor=actor,
                referral=referral,
                to_state=ReferralState.SCREENING_BOOKED,
                effective_date=today,
                reason="Assessment completed",
            )
        if referral.state == ReferralState.SCREENING_BOOKED:
            referral_move(
                actor=actor,
                referral=referral,
                to_state=ReferralState.ASSESSED,
                effective_date=today,
                reason="Intake assessment signed",
            )
        return
    from stepwell.patients.services import episode_transition

    path = {EpisodeState.REFERRED: (EpisodeState.SCREENING, EpisodeState.ASSESSED)}
    path[EpisodeState.SCREENING] = (EpisodeState.ASSESSED,)
    for state in path.get(episode.state, ()):
        episode_transition(
            actor=actor,
            episode_id=episode.pk,
            to_state=state,
            effective_date=today,
            reason="Intake assessment signed",
        )


def assessment_addendum_add(*, actor, assessment_id: int, text: str) -> AssessmentAddendum:
    assessment = access_assessment_by_id(
        actor, assessment_id, need=IntakeNeed.SIGN, action=AuditAction.CREATE
    )
    if not assessment.is_signed:
        raise ApplicationError(
            "Edit the draft directly; addenda are for signed assessments.",
            field_errors={"text": "The assessment is still a draft."},
        )
    if not (text or "").strip():
        raise ApplicationError(
            "The addendum is empty.", field_errors={"text": "Write the addendum."}
        )
    with transaction.atomic():
        addendum = AssessmentAddendum.objects.create(
            assessment=assessment, text=text.strip(), author=actor
        )
        _audit(actor, AuditAction.CREATE, assessment, addendum_id=addendum.pk)
    return addendum
