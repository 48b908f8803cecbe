"""Intake assessment use cases: draft, edit, previous treatment, sign, addenda.

Diagnoses are in diagnoses.py.

A signed assessment is never edited; corrections are addenda (DESIGN.md, "Rules that hold
everywhere").
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from stepwell.clinic.models import LevelOfCare
from stepwell.core.errors import ApplicationError
from stepwell.patients.models import Episode, EpisodeState
from stepwell.patients.services import program_today
from stepwell.privacy.audit import AuditAction, audit_record

from .. import access
from ..models import (
    AssessmentAddendum,
    AssessmentStatus,
    IntakeAssessment,
    PreviousTreatment,
    ReferralState,
    RiskLevel,
    TreatmentOutcome,
)
from ._common import clean_or_raise, deny
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


def _audit(actor, action, assessment, client_address, object_type="intake_assessment", **detail):
    audit_record(
        user=actor,
        action=action,
        patient_id=assessment.patient_id,
        object_type=object_type,
        object_id=assessment.pk,
        client_address=client_address,
        detail=detail or None,
    )


def _load(*, actor, assessment_id: int, check, action: str, client_address: str):
    assessment = (
        IntakeAssessment.objects.select_related("patient", "episode")
        .filter(pk=assessment_id)
        .first()
    )
    if assessment is None or not check(actor, assessment.patient):
        raise deny(
            actor=actor,
            action=action,
            object_type="intake_assessment",
            object_id=assessment_id,
            patient_id=assessment.patient_id if assessment else None,
            client_address=client_address,
        )
    return assessment


def _lock_draft(assessment_id: int) -> IntakeAssessment:
    assessment = IntakeAssessment.objects.select_for_update().get(pk=assessment_id)
    if assessment.status != AssessmentStatus.DRAFT:
        raise ApplicationError(
            "This assessment is signed and cannot be edited; add an addendum instead.",
            field_errors={"status": "Signed."},
        )
    return assessment


def assessment_start(*, actor, episode_id: int, client_address: str = "") -> IntakeAssessment:
    """Open the episode's draft assessment, or return the draft already open."""
    episode = Episode.objects.select_related("patient").filter(pk=episode_id).first()
    if episode is None or not access.access_assessment_write(actor, episode.patient):
        raise deny(
            actor=actor,
            action=AuditAction.CREATE,
            object_type="intake_assessment",
            patient_id=episode.patient_id if episode else None,
            client_address=client_address,
        )
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
        _audit(actor, AuditAction.CREATE, assessment, client_address)
    return assessment


def assessment_update(
    *, actor, assessment_id: int, data: dict, client_address: str = ""
) -> IntakeAssessment:
    """Save draft fields; unknown fields and a signed assessment are refused."""
    _load(
        actor=actor,
        assessment_id=assessment_id,
        check=access.access_assessment_write,
        action=AuditAction.UPDATE,
        client_address=client_address,
    )
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
        _audit(actor, AuditAction.UPDATE, assessment, client_address, fields=sorted(data))
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
    client_address: str = "",
) -> PreviousTreatment:
    _load(
        actor=actor,
        assessment_id=assessment_id,
        check=access.access_assessment_write,
        action=AuditAction.UPDATE,
        client_address=client_address,
    )
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
        _audit(
            actor,
            AuditAction.UPDATE,
            assessment,
            client_address,
            added_previous_treatment=treatment.pk,
        )
    return treatment


def previous_treatment_remove(
    *, actor, assessment_id: int, treatment_id: int, client_address: str = ""
) -> None:
    _load(
        actor=actor,
        assessment_id=assessment_id,
        check=access.access_assessment_write,
        action=AuditAction.UPDATE,
        client_address=client_address,
    )
    with transaction.atomic():
        assessment = _lock_draft(assessment_id)
        deleted, _ = assessment.previous_treatments.filter(pk=treatment_id).delete()
        if not deleted:
            raise ApplicationError("Not on this assessment.")
        _audit(
            actor,
            AuditAction.UPDATE,
            assessment,
            client_address,
            removed_previous_treatment=treatment_id,
        )


def assessment_sign(*, actor, assessment_id: int, client_address: str = "") -> IntakeAssessment:
    """Sign the draft. It can no longer be edited; its referral (and episode) become assessed."""
    _load(
        actor=actor,
        assessment_id=assessment_id,
        check=access.access_assessment_sign,
        action=AuditAction.UPDATE,
        client_address=client_address,
    )
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
        _audit(actor, "sign", assessment, client_address)
        _mark_assessed(actor, assessment, client_address)
    return assessment


def _mark_assessed(actor, assessment: IntakeAssessment, client_address: str) -> None:
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
                client_address=client_address,
            )
        if referral.state == ReferralState.SCREENING_BOOKED:
            referral_move(
                actor=actor,
                referral=referral,
                to_state=ReferralState.ASSESSED,
                effective_date=today,
                reason="Intake assessment signed",
                client_address=client_address,
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
            client_address=client_address,
        )


def assessment_addendum_add(
    *, actor, assessment_id: int, text: str, client_address: str = ""
) -> AssessmentAddendum:
    assessment = _load(
        actor=actor,
        assessment_id=assessment_id,
        check=access.access_assessment_sign,
        action=AuditAction.CREATE,
        client_address=client_address,
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
        _audit(actor, AuditAction.CREATE, assessment, client_address, addendum_id=addendum.pk)
    return addendum
