"""A referral received as a FHIR Bundle becomes a referral on the board.

It goes through the same service as the referral form (intake's referral_create), so
the patient is registered, or flagged as a possible duplicate (same legal name and date
of birth) exactly as the form does: the sender resends with `confirm_not_duplicate`, or
names the registered patient by record number (Patient.identifier with the system
urn:stepwell:mrn) to attach the referral to that record. Everything happens in one
transaction: a refused bundle writes nothing.

Coverage is kept as the referral's insurance text and, for a new patient, the patient's
insurance fields; payer and coverage rows belong to billing, which has no service for
them yet.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction

from stepwell.core.errors import AccessDenied, ApplicationError
from stepwell.intake.models import Referral, ReferralSource
from stepwell.intake.services import referral_create
from stepwell.measures.instruments import instrument_registry
from stepwell.patients.models import Patient
from stepwell.patients.services import PossibleDuplicate
from stepwell.privacy.access.interop import (
    REFERRAL_IMPORT_OBJECT,
    access_fhir_referral_import_program_by_id,
    fhir_referral_patient_by_record_number,
)
from stepwell.privacy.audit import AuditAction, audit_record

from .outcomes import FhirInputError, Issue
from .referral_bundle import ReferralBundle, parse_bundle, read_referral

DEFAULT_SOURCE = ReferralSource.HOSPITAL_STEP_DOWN


@dataclass(frozen=True)
class ImportedReferral:
    referral: Referral
    matched_existing_patient: bool


def _known_totals() -> dict[str, str]:
    """LOINC total code -> 'PHQ-9 total' for the shipped instruments with a verified code."""
    result = {}
    for instrument in instrument_registry().values():
        code = instrument.loinc_total
        if code is not None and code.verified:
            result[code.code] = f"{instrument.abbreviation} total"
    return result


def _matched_patient(parsed: ReferralBundle, *, actor) -> Patient | None:
    """The registered patient the sender named by record number, if the user may see them
    and the name and date of birth agree; a number with other details is refused, not
    guessed at. An unknown number and one the user may not see get the same answer, so
    the answer never says whether someone is a patient elsewhere (the attempt on a hidden
    record is audited)."""
    if not parsed.mrn:
        return None
    where = parsed.path_of("patient") + ".identifier"
    patient = fhir_referral_patient_by_record_number(actor, parsed.mrn)
    if patient is None:
        raise FhirInputError([Issue(where, "No patient you may see has this record number.")])
    same = patient.legal_last_name.casefold() == str(
        parsed.patient_data.get("legal_last_name", "")
    ).casefold() and patient.date_of_birth == parsed.patient_data.get("date_of_birth")
    if not same:
        raise FhirInputError(
            [
                Issue(
                    where,
                    "This record number belongs to a patient with another name or date of birth.",
                )
            ]
        )
    return patient


def _as_issues(error: ApplicationError, parsed: ReferralBundle) -> list[Issue]:
    """The service's field errors, each at the element it came from."""
    if not error.field_errors:
        return [Issue("Bundle", error.message)]
    issues = []
    for name, message in error.field_errors.items():
        said = message.strip().rstrip(".").casefold() in error.message.casefold()
        text = error.message if said else f"{error.message} {message}".strip()
        issues.append(Issue(parsed.path_of(name), text))
    return issues


def referral_import(
    *,
    actor,
    program_id: int,
    bundle_data: object,
    source: str = DEFAULT_SOURCE,
    confirm_not_duplicate: bool = False,
) -> ImportedReferral:
    """Create a board referral from a FHIR Bundle, or raise FhirInputError naming the
    elements at fault (AccessDenied, audited, when the user may not take referrals)."""
    program = access_fhir_referral_import_program_by_id(actor, program_id)
    if source not in ReferralSource.values:
        raise FhirInputError(
            [Issue("", f"source: choose one of {', '.join(ReferralSource.values)}.")],
            status=400,
        )
    parsed = read_referral(parse_bundle(bundle_data), known_totals=_known_totals())
    patient = _matched_patient(parsed, actor=actor)
    try:
        with transaction.atomic():
            referral = referral_create(
                actor=actor,
                program_id=program.pk,
                source=source,
                reason=parsed.reason,
                urgency=parsed.urgency,
                source_detail=parsed.source_detail,
                insurance=parsed.insurance,
                received_on=parsed.received_on,
                patient_id=patient.pk if patient else None,
                patient_data=None if patient else parsed.patient_data,
                confirm_not_duplicate=confirm_not_duplicate,
            )
            audit_record(
                user=actor,
                action=AuditAction.CREATE,
                patient_id=referral.patient_id,
                object_type=REFERRAL_IMPORT_OBJECT,
                object_id=referral.pk,
                detail={"resources": parsed.counts, "matched_by_record_number": bool(patient)},
            )
    except PossibleDuplicate as error:
        raise FhirInputError(
            [Issue(parsed.path_of("patient"), error.message, code="duplicate")], status=409
        ) from error
    except ApplicationError as error:
        if isinstance(error, AccessDenied):
            raise  # a refusal is no FHIR issue: the API's handler answers it (audited 403)
        raise FhirInputError(_as_issues(error, parsed)) from error
    return ImportedReferral(referral=referral, matched_existing_patient=patient is not None)
