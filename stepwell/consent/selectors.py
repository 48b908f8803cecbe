"""Reads of consents, disclosures, emergency access and amendments. Each starts from the
acting user (privacy.access.consent) and audits the read of a patient's record."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q
from django.utils import timezone

from stepwell.core.errors import ApplicationError
from stepwell.intake.models import AssessmentDiagnosis, AssessmentStatus
from stepwell.measures.models import Administration, AdministrationStatus
from stepwell.patients.models import Episode, Patient
from stepwell.privacy.access import consent as access
from stepwell.privacy.audit import AuditAction, audit_record

from .models import AmendmentRequest, AmendmentStatus, BreakGlassGrant, Consent, Disclosure
from .record_content import record_part2_reasons
from .terms import SUBSTANCE_USE_CODE_PREFIXES, SUBSTANCE_USE_INSTRUMENTS


def part2_patient_ids() -> set[int]:
    """Patients whose record holds 42 CFR Part 2 records (consent.terms): an episode in a
    Part 2 program, a signed substance-use diagnosis, or a substance-use questionnaire."""
    ids = set(
        Episode.objects.filter(program__part2_program=True).values_list("patient_id", flat=True)
    )
    codes = Q()
    for prefix in SUBSTANCE_USE_CODE_PREFIXES:
        codes |= Q(code__istartswith=prefix)
    ids |= set(
        AssessmentDiagnosis.objects.filter(codes, assessment__status=AssessmentStatus.SIGNED)
        .values_list("assessment__episode__patient_id", flat=True)
        .distinct()
    )
    ids |= set(
        Administration.objects.filter(
            instrument_key__in=SUBSTANCE_USE_INSTRUMENTS, status=AdministrationStatus.COMPLETED
        )
        .values_list("patient_id", flat=True)
        .distinct()
    )
    return ids


@dataclass(frozen=True)
class PatientPrivacy:
    """What the chart's consent section shows."""

    patient: object
    consents: list
    disclosures: list
    amendments: list
    grants: list
    part2_reasons: list[str]
    programs: list
    may_keep_consents: bool
    may_disclose: bool
    may_decide_amendments: bool
    may_disclose_in_emergency: bool = False


def patient_privacy(*, actor, patient_id) -> PatientPrivacy:
    """A patient's consents, accounting of disclosures, amendment requests and emergency
    accesses, for staff acting for the patient (the chart) or the patient (the portal)."""
    patient = access.access_privacy_patient_by_id(actor, patient_id)
    consents = list(Consent.objects.filter(patient=patient).prefetch_related("disclosing_programs"))
    disclosures = list(
        Disclosure.objects.filter(patient=patient).select_related("consent", "made_by")
    )
    amendments = list(AmendmentRequest.objects.filter(patient=patient).select_related("decided_by"))
    grants = list(BreakGlassGrant.objects.filter(patient=patient).select_related("user"))
    audit_record(
        user=actor,
        action=AuditAction.VIEW,
        patient_id=patient.pk,
        object_type="consents",
        object_id=patient.pk,
        detail={"consents": len(consents), "disclosures": len(disclosures)},
    )
    staff = not access.is_patient_user(actor)
    return PatientPrivacy(
        patient=patient,
        consents=consents,
        disclosures=disclosures,
        amendments=amendments,
        grants=grants,
        part2_reasons=record_part2_reasons(patient),
        programs=sorted(
            {e.program for e in patient.episodes.select_related("program")}, key=lambda p: p.pk
        ),
        may_keep_consents=staff and access.acts_for(actor, patient, access.CONSENT_KEEPERS),
        may_disclose=staff and access.acts_for(actor, patient, access.DISCLOSERS),
        may_decide_amendments=staff and access.acts_for(actor, patient, access.AMENDMENT_DECIDERS),
        may_disclose_in_emergency=staff
        and access.acts_for(actor, patient, access.EMERGENCY_DISCLOSERS),
    )


def own_privacy(*, actor) -> PatientPrivacy:
    """The patient's own consents, accounting of disclosures and amendment requests."""
    patient = access.access_own_record(actor, object_type="consents")
    return patient_privacy(actor=actor, patient_id=patient.pk)


def disclosure_form(*, actor, patient_id) -> tuple[Patient, list[Consent]]:
    """The patient and the consents a disclosure may rely on (signed, not revoked), for the
    disclosure form."""
    patient = access.access_privacy_patient_by_id(
        actor, patient_id, roles=access.DISCLOSERS, action="disclose", object_type="disclosure"
    )
    consents = Consent.objects.filter(patient=patient, status="signed").exclude(kind="treatment")
    return patient, list(consents)


def disclosure_document(*, actor, disclosure_id) -> Disclosure:
    """One disclosure with the document that left, for whoever reads the accounting."""
    disclosure = access.access_disclosure_by_id(actor, disclosure_id)
    audit_record(
        user=actor,
        action=AuditAction.VIEW,
        patient_id=disclosure.patient_id,
        object_type="disclosure",
        object_id=disclosure.pk,
    )
    return disclosure


def consent_document(*, actor, consent_id) -> Consent:
    """One consent with the text that was signed (or will be)."""
    consent = access.access_consent_by_id(actor, consent_id)
    audit_record(
        user=actor,
        action=AuditAction.VIEW,
        patient_id=consent.patient_id,
        object_type="consent",
        object_id=consent.pk,
    )
    return consent


def consent_pdf(*, actor, consent_id) -> tuple[Consent, bytes]:
    """The PDF of what the patient signed (staff who read the patient's consents, or the
    patient for their own), printed from the kept text after checking its fingerprint.
    Audited as an export; a consent not signed yet has nothing to print."""
    from .documents import SignedTextChanged, consent_pdf

    consent = access.access_consent_by_id(actor, consent_id, action=AuditAction.EXPORT)
    if not consent.signed_html:
        raise ApplicationError(
            "This consent is not signed yet, so there is no signed copy to download.",
            field_errors={"consent": "Not signed yet."},
        )
    try:
        pdf = consent_pdf(consent)
    except SignedTextChanged as error:
        raise ApplicationError(str(error), field_errors={"consent": str(error)}) from error
    audit_record(
        user=actor,
        action=AuditAction.EXPORT,
        patient_id=consent.patient_id,
        object_type="consent_pdf",
        object_id=consent.pk,
        detail={"format": "pdf", "sha256": consent.signed_html_sha256},
    )
    return consent, pdf


def break_glass_reviews(*, actor) -> list[BreakGlassGrant]:
    """Emergency accesses to the patients of the programs the director directs, unreviewed
    first; each patient named is audited."""
    grants = list(access.access_break_glass_review(actor).order_by("reviewed_at", "-opened_at"))
    for patient_id in sorted({g.patient_id for g in grants}):
        audit_record(
            user=actor,
            action=AuditAction.VIEW,
            patient_id=patient_id,
            object_type="break_glass_review",
            object_id=patient_id,
        )
    return grants


def pending_amendment_count(patient) -> int:
    return AmendmentRequest.objects.filter(patient=patient, status=AmendmentStatus.PENDING).count()


def active_grant(*, actor, patient) -> BreakGlassGrant | None:
    """The user's own unexpired emergency access to this patient (the chart's banner)."""
    return (
        BreakGlassGrant.objects.filter(
            user_id=actor.pk, patient=patient, expires_at__gt=timezone.now()
        )
        .order_by("-expires_at")
        .first()
    )


def break_glass_form(*, actor) -> None:
    """The emergency-access page, for staff who could use it."""
    access.access_break_glass_form(actor)


def emergency_form(*, actor, patient_id) -> Patient:
    """The patient of the emergency disclosure page, for those who may make one."""
    return access.access_emergency_patient_by_id(actor, patient_id)
