"""Diagnoses on a draft intake assessment: ICD-10-CM billable codes only.

Codes come from stepwell.intake.diagnosis_codes (docs/clinical-sources.md §6). The primary
diagnosis is a mental or behavioural disorder (chapter 5, F01-F99); Z and R codes add what
influences care (circumstances, symptoms such as R45.851) and are never primary.
"""

from __future__ import annotations

from django.db import IntegrityError, transaction

from stepwell.core.errors import ApplicationError
from stepwell.privacy.audit import AuditAction

from ..diagnosis_codes import (
    DiagnosisCode,
    billable_codes_under,
    diagnosis_code_lookup,
    normalize_code,
)
from ..models import AssessmentDiagnosis
from .assessments import _audit, _draft_for_update, _lock_draft


def _code_or_refuse(code: str, *, primary: bool) -> DiagnosisCode:
    """The billable code to store, or a field error that says what to choose instead."""
    found = diagnosis_code_lookup(code)
    if found is None:
        raise ApplicationError(
            "Unknown diagnosis code.",
            field_errors={
                "code": (
                    f"{normalize_code(code) or 'This'} is not an ICD-10-CM code Stepwell "
                    "offers: chapter 5 (F01-F99) and the Z and R codes an IOP uses."
                )
            },
        )
    if not found.billable:
        under = ", ".join(item.code for item in billable_codes_under(found))
        raise ApplicationError(
            "Choose a billable code.",
            field_errors={
                "code": (
                    f"{found.code} ({found.description}) is a header, not a billable code; "
                    f"choose a code under it, such as {under}."
                )
            },
        )
    if primary and not found.is_mental_or_behavioural_disorder:
        raise ApplicationError(
            "The primary diagnosis is a mental or behavioural disorder.",
            field_errors={
                "primary": (
                    f"{found.code} is a {found.kind} code; the primary diagnosis is a "
                    "mental or behavioural disorder (F01-F99). Add it as a further diagnosis."
                )
            },
        )
    return found


def assessment_diagnosis_add(
    *, actor, assessment_id: int, code: str, primary: bool = False
) -> AssessmentDiagnosis:
    """Add a billable code. The first chapter-5 code becomes primary unless one already is."""
    _draft_for_update(actor, assessment_id)
    found = _code_or_refuse(code, primary=primary)
    with transaction.atomic():
        assessment = _lock_draft(assessment_id)
        if primary:
            assessment.diagnoses.filter(primary=True).update(primary=False)
        elif found.is_mental_or_behavioural_disorder:
            primary = not assessment.diagnoses.filter(primary=True).exists()
        try:
            with transaction.atomic():
                diagnosis = AssessmentDiagnosis.objects.create(
                    assessment=assessment,
                    code=found.code,
                    description=found.description,
                    code_set=found.code_set,
                    primary=primary,
                )
        except IntegrityError as error:
            raise ApplicationError(
                "Already on the assessment.", field_errors={"code": "Already listed."}
            ) from error
        _audit(actor, AuditAction.UPDATE, assessment, added_diagnosis=found.code)
    return diagnosis


def assessment_diagnosis_remove(*, actor, assessment_id: int, diagnosis_id: int) -> None:
    _draft_for_update(actor, assessment_id)
    with transaction.atomic():
        assessment = _lock_draft(assessment_id)
        diagnosis = assessment.diagnoses.filter(pk=diagnosis_id).first()
        if diagnosis is None:
            raise ApplicationError("Not on this assessment.", field_errors={"code": "Not listed."})
        diagnosis.delete()
        if diagnosis.primary:
            # The next chapter-5 code (F01-F99) becomes primary; Z and R codes never do.
            first = assessment.diagnoses.filter(code__startswith="F").order_by("pk").first()
            if first is not None:
                first.primary = True
                first.save(update_fields=["primary"])
        _audit(actor, AuditAction.UPDATE, assessment, removed_diagnosis=diagnosis.code)
