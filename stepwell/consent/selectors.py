"""Reads of consents, disclosures, emergency access and amendments. Each starts from the
acting user (privacy.access.consent) and audits the read of a patient's record."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.paginator import Page
from django.db.models import F, Q, QuerySet
from django.utils import timezone

from stepwell.core.errors import ApplicationError
from stepwell.core.paging import PAGE_SIZE, page_of, window
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
    """What the chart's consent section shows: each of its four lists a page at a time."""

    patient: object
    consents: Page
    disclosures: Page
    amendments: Page
    grants: Page
    part2_reasons: list[str]
    programs: list
    may_keep_consents: bool
    may_disclose: bool
    may_decide_amendments: bool
    may_disclose_in_emergency: bool = False


@dataclass(frozen=True)
class PrivacyPages:
    """The page asked for of each list of the consent page (any text from the query
    string: page_of makes a page that exists of it)."""

    consents: str | int | None = None
    disclosures: str | int | None = None
    amendments: str | int | None = None
    grants: str | int | None = None


def _consents_of(patient) -> QuerySet[Consent]:
    return (
        Consent.objects.filter(patient=patient)
        .prefetch_related("disclosing_programs")
        .order_by("-created_at", "-pk")
    )


def _disclosures_of(patient) -> QuerySet[Disclosure]:
    return (
        Disclosure.objects.filter(patient=patient)
        .select_related("consent", "made_by")
        .order_by("-made_at", "-pk")
    )


def _amendments_of(patient) -> QuerySet[AmendmentRequest]:
    return (
        AmendmentRequest.objects.filter(patient=patient)
        .select_related("decided_by")
        .order_by("-requested_at", "-pk")
    )


def _grants_of(patient) -> QuerySet[BreakGlassGrant]:
    return (
        BreakGlassGrant.objects.filter(patient=patient)
        .select_related("user")
        .order_by("-opened_at", "-pk")
    )


def _audit_privacy_read(actor, patient, **shown: int) -> None:
    """The read of a patient's consents or accounting, with how many of each were shown."""
    audit_record(
        user=actor,
        action=AuditAction.VIEW,
        patient_id=patient.pk,
        object_type="consents",
        object_id=patient.pk,
        detail=shown,
    )


def patient_privacy(*, actor, patient_id, pages: PrivacyPages | None = None) -> PatientPrivacy:
    """A patient's consents, accounting of disclosures, amendment requests and emergency
    accesses, for staff acting for the patient (the chart) or the patient (the portal);
    each list newest first, 50 a page."""
    patient = access.access_privacy_patient_by_id(actor, patient_id)
    pages = pages or PrivacyPages()
    consents = page_of(_consents_of(patient), pages.consents)
    disclosures = page_of(_disclosures_of(patient), pages.disclosures)
    _audit_privacy_read(actor, patient, consents=len(consents), disclosures=len(disclosures))
    staff = not access.is_patient_user(actor)
    return PatientPrivacy(
        patient=patient,
        consents=consents,
        disclosures=disclosures,
        amendments=page_of(_amendments_of(patient), pages.amendments),
        grants=page_of(_grants_of(patient), pages.grants),
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


def consents_listed(*, actor, patient_id, limit: int = PAGE_SIZE, offset: int = 0) -> list[Consent]:
    """`limit` of the patient's consents after `offset`, newest first (the API's list);
    the same readers as the consent page."""
    patient = access.access_privacy_patient_by_id(actor, patient_id)
    rows = list(window(_consents_of(patient), limit=limit, offset=offset))
    _audit_privacy_read(actor, patient, consents=len(rows), via="api")
    return rows


def disclosures_listed(
    *, actor, patient_id, limit: int = PAGE_SIZE, offset: int = 0
) -> list[Disclosure]:
    """`limit` of the patient's accounting of disclosures after `offset`, newest first
    (the API's list); the same readers as the consent page."""
    patient = access.access_privacy_patient_by_id(actor, patient_id)
    rows = list(window(_disclosures_of(patient), limit=limit, offset=offset))
    _audit_privacy_read(actor, patient, disclosures=len(rows), via="api")
    return rows


def own_privacy(*, actor, pages: PrivacyPages | None = None) -> PatientPrivacy:
    """The patient's own consents, accounting of disclosures and amendment requests."""
    patient = access.access_own_record(actor, object_type="consents")
    return patient_privacy(actor=actor, patient_id=patient.pk, pages=pages)


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


def break_glass_reviews(*, actor, page_number=None) -> Page:
    """Emergency accesses to the patients of the programs the director directs, 50 a page:
    unreviewed first (on every database: PostgreSQL sorts nulls last unless told), then
    newest. One audit event names the patients on the page."""
    grants = page_of(
        access.access_break_glass_review(actor)
        .select_related("reviewed_by")
        .order_by(F("reviewed_at").asc(nulls_first=True), "-opened_at", "-pk"),
        page_number,
    )
    audit_record(
        user=actor,
        action=AuditAction.LIST,
        object_type="break_glass_review",
        detail={"patients": sorted({g.patient_id for g in grants})},
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
