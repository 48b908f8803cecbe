"""Consents: recorded by staff (signed on paper, or prepared for the portal), signed by the
patient on the portal, revoked by the patient or on their word.

Every element 42 CFR 2.31(a) asks of a Part 2 consent is a field here, and a consent
missing one is refused with that field named (docs/clinical-sources.md §9.2). The text the
patient signs is kept exactly (`signed_html`, with its SHA-256), and its PDF is printed
from it.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time

from django.db import transaction
from django.utils import timezone

from stepwell.clinic.time import program_today
from stepwell.core.errors import ApplicationError
from stepwell.privacy.access import consent as access
from stepwell.privacy.audit import AuditAction, audit_record
from stepwell.privacy.refusals import refuse

from ..coverage import normalized_name
from ..documents import consent_html, sha256
from ..models import Consent, ConsentStatus, EndReason, SignatureMethod
from ..terms import ConsentKind, Purpose, RecipientKind, Section

SCAN_MAX_BYTES = 5 * 1024 * 1024
SCAN_TYPES = ("application/pdf", "image/png", "image/jpeg")


def _today(patient) -> date:
    episode = patient.episodes.select_related("program").order_by("-referred_on").first()
    return program_today(episode.program) if episode else timezone.localdate()


def _clean_terms(
    patient,
    *,
    kind,
    program_ids,
    recipient_kind,
    recipients,
    purpose,
    purpose_detail,
    sections,
    information_description,
    date_from,
    date_to,
    expires_on,
    expiry_event,
    today,
) -> tuple[dict, dict[str, str]]:
    errors: dict[str, str] = {}
    if kind not in ConsentKind.__members__.values():
        errors["kind"] = "Choose a consent to treatment, a Part 2 consent or a release."
        return {}, errors
    kind = ConsentKind(kind)
    patient_programs = {e.program_id: e.program for e in patient.episodes.select_related("program")}
    chosen = [
        patient_programs[pk] for pk in dict.fromkeys(program_ids or []) if pk in patient_programs
    ]
    if not program_ids:
        errors["programs"] = "Name the program (or programs) the consent is for."
    elif len(chosen) != len(set(program_ids)):
        errors["programs"] = "Name only programs the patient has an episode in."
    terms = {"kind": kind, "programs": chosen}
    if kind == ConsentKind.TREATMENT:
        return terms | {
            "recipient_kind": "",
            "recipients": "",
            "purpose": "",
            "purpose_detail": "",
            "sections": [],
            "information_description": "",
            "date_from": None,
            "date_to": None,
            "expires_on": None,
            "expiry_event": "",
        }, errors
    names = [line.strip() for line in (recipients or "").splitlines() if line.strip()]
    if recipient_kind not in (RecipientKind.NAMED, RecipientKind.TPO):
        errors["recipient_kind"] = "Say whether the consent names its recipients."
    elif recipient_kind == RecipientKind.TPO and kind != ConsentKind.PART2:
        errors["recipient_kind"] = (
            "A single consent for treatment, payment and operations is a Part 2 consent."
        )
    elif recipient_kind == RecipientKind.NAMED and not names:
        errors["recipients"] = "Name who may receive the records, one a line."
    if recipient_kind == RecipientKind.TPO:
        purpose = Purpose.TREATMENT
    elif purpose not in Purpose.__members__.values():
        errors["purpose"] = "Choose the purpose of the disclosure."
    elif purpose == Purpose.OTHER and not (purpose_detail or "").strip():
        errors["purpose_detail"] = "Describe the purpose."
    chosen_sections = [s for s in Section if s in set(sections or [])]
    if not chosen_sections or len(set(sections or [])) != len(chosen_sections):
        errors["sections"] = "Choose which parts of the record the consent covers."
    description = (information_description or "").strip()
    if kind == ConsentKind.PART2 and not description:
        errors["information_description"] = (
            "Describe the substance use information that may be disclosed, specifically."
        )
    if date_from and date_to and date_from > date_to:
        errors["date_to"] = "The end of the period comes before its start."
    event = (expiry_event or "").strip()
    if expires_on is None and not event:
        errors["expires_on"] = "Give an expiry date, or the event or condition that ends it."
    elif expires_on is not None and expires_on < today:
        errors["expires_on"] = f"The expiry date {expires_on.isoformat()} is in the past."
    return terms | {
        "recipient_kind": recipient_kind,
        "recipients": "" if recipient_kind == RecipientKind.TPO else "\n".join(names),
        "purpose": purpose,
        "purpose_detail": (purpose_detail or "").strip()[:300],
        "sections": [s.value for s in chosen_sections],
        "information_description": description,
        "date_from": date_from,
        "date_to": date_to,
        "expires_on": expires_on,
        "expiry_event": event[:300],
    }, errors


def _text(consent: Consent, programs, *, signer_name: str, signed_on: date, method: str) -> str:
    return consent_html(
        patient=consent.patient,
        kind=consent.kind,
        programs=[p.name for p in programs],
        recipient_kind=consent.recipient_kind,
        recipients=consent.recipient_list,
        purpose=consent.purpose,
        purpose_detail=consent.purpose_detail,
        sections=consent.sections,
        information_description=consent.information_description,
        date_from=consent.date_from,
        date_to=consent.date_to,
        expires_on=consent.expires_on,
        expiry_event=consent.expiry_event,
        signer_name=signer_name,
        signed_on=signed_on.isoformat(),
        method=method,
    )


def consent_record(
    *,
    actor,
    patient_id: int,
    kind: str,
    program_ids: list[int],
    signature_method: str,
    recipient_kind: str = "",
    recipients: str = "",
    purpose: str = "",
    purpose_detail: str = "",
    sections: list[str] | None = None,
    information_description: str = "",
    date_from: date | None = None,
    date_to: date | None = None,
    expires_on: date | None = None,
    expiry_event: str = "",
    signer_name: str = "",
    signed_on: date | None = None,
    scan: bytes | None = None,
    scan_name: str = "",
    scan_content_type: str = "",
) -> Consent:
    """Record a consent: signed on paper (with the scan), or waiting for the patient's
    signature on the portal."""
    patient = access.access_privacy_patient_by_id(
        actor,
        patient_id,
        roles=access.CONSENT_KEEPERS,
        action=AuditAction.CREATE,
        object_type="consent",
    )
    today = _today(patient)
    terms, errors = _clean_terms(
        patient,
        kind=kind,
        program_ids=program_ids,
        recipient_kind=recipient_kind,
        recipients=recipients,
        purpose=purpose,
        purpose_detail=purpose_detail,
        sections=sections,
        information_description=information_description,
        date_from=date_from,
        date_to=date_to,
        expires_on=expires_on,
        expiry_event=expiry_event,
        today=today,
    )
    paper = signature_method == SignatureMethod.PAPER
    if signature_method not in SignatureMethod.values:
        errors["signature_method"] = "Choose how the patient signs: on the portal or on paper."
    if paper:
        if not (signer_name or "").strip():
            errors["signer_name"] = "Type the name the patient signed with."
        if signed_on is None:
            errors["signed_on"] = "Give the date the patient signed."
        elif signed_on > today:
            errors["signed_on"] = "The signature date is in the future."
        if not scan:
            errors["scan"] = "Attach the scan of the signed paper (PDF, PNG or JPEG)."
        elif len(scan) > SCAN_MAX_BYTES:
            errors["scan"] = "The scan is larger than 5 MB."
        elif scan_content_type not in SCAN_TYPES:
            errors["scan"] = "The scan must be a PDF, PNG or JPEG file."
    if errors:
        raise ApplicationError(
            "The consent is missing something: see the fields.", field_errors=errors
        )
    programs = terms.pop("programs")
    with transaction.atomic():
        consent = Consent(
            patient=patient, signature_method=signature_method, created_by=actor, **terms
        )
        if paper:
            consent.status = ConsentStatus.SIGNED
            consent.signer_name = signer_name.strip()[:200]
            consent.signed_at = (
                timezone.now()
                if signed_on == today
                else datetime.combine(signed_on, time(12, 0), tzinfo=UTC)
            )
            consent.witnessed_by = actor
            consent.scan = scan
            consent.scan_name = (scan_name or "scan")[:200]
            consent.scan_content_type = scan_content_type
            consent.signed_html = _text(
                consent,
                programs,
                signer_name=consent.signer_name,
                signed_on=signed_on,
                method="signed on paper; the scan is kept",
            )
            consent.signed_html_sha256 = sha256(consent.signed_html)
        consent.full_clean(exclude=["scan", "disclosing_programs"])
        consent.save()
        consent.disclosing_programs.set(programs)
        audit_record(
            user=actor,
            action=AuditAction.CREATE,
            patient_id=patient.pk,
            object_type="consent",
            object_id=consent.pk,
            detail={
                "kind": consent.kind,
                "status": consent.status,
                "programs": [p.pk for p in programs],
            },
        )
    return consent


def consent_preview_html(consent: Consent, *, signer_name: str = "") -> str:
    """The text the patient is about to sign (the portal shows it before signing)."""
    return _text(
        consent,
        list(consent.disclosing_programs.all()),
        signer_name=signer_name or consent.patient.legal_name,
        signed_on=_today(consent.patient),
        method="signed on the patient portal",
    )


def consent_sign(*, actor, consent_id: int, signer_name: str, agree: bool) -> Consent:
    """The patient signs a consent prepared for them, on the portal, by typing their name."""
    consent = access.access_consent_sign_by_id(actor, consent_id)
    patient = consent.patient
    errors = {}
    if not agree:
        errors["agree"] = "Tick the box to say you have read and agree to this consent."
    if normalized_name(signer_name) != normalized_name(patient.legal_name):
        errors["signer_name"] = f"Type your full legal name: {patient.legal_name}."
    today = _today(patient)
    if consent.expires_on is not None and consent.expires_on < today:
        errors["agree"] = "This consent has expired; ask the program for a new one."
    if errors:
        raise ApplicationError("The consent was not signed.", field_errors=errors)
    with transaction.atomic():
        consent = Consent.objects.select_for_update().get(pk=consent.pk)
        if consent.status != ConsentStatus.AWAITING_SIGNATURE:
            raise ApplicationError(
                "This consent is already signed.", field_errors={"agree": "Already signed."}
            )
        consent.signer_name = patient.legal_name
        consent.signed_at = timezone.now()
        consent.status = ConsentStatus.SIGNED
        consent.signed_html = _text(
            consent,
            list(consent.disclosing_programs.all()),
            signer_name=patient.legal_name,
            signed_on=today,
            method="signed on the patient portal",
        )
        consent.signed_html_sha256 = sha256(consent.signed_html)
        consent.save()
        audit_record(
            user=actor,
            action="sign",
            patient_id=patient.pk,
            object_type="consent",
            object_id=consent.pk,
            detail={"kind": consent.kind},
        )
    return consent


def consent_revoke(
    *, actor, consent_id: int, reason: str = EndReason.REVOKED, note: str = ""
) -> Consent:
    """End a signed consent: revoked by the patient (on the portal, or on their word to
    staff), or because its expiry event happened. Disclosures stop at once."""
    consent = access.access_consent_revoke_by_id(actor, consent_id)
    if reason not in EndReason.values:
        raise ApplicationError(
            "Say why the consent ends.",
            field_errors={"reason": "Revoked, or the expiry event happened."},
        )
    if consent.patient.user_id == getattr(actor, "pk", None) and reason != EndReason.REVOKED:
        raise refuse(
            actor=actor,
            action="revoke",
            object_type="consent",
            object_id=consent.pk,
            patient_id=consent.patient_id,
        )
    with transaction.atomic():
        consent = Consent.objects.select_for_update().get(pk=consent.pk)
        if consent.status != ConsentStatus.SIGNED:
            raise ApplicationError(
                "Only a signed consent can be revoked.",
                field_errors={"reason": f"This consent is {consent.get_status_display().lower()}."},
            )
        consent.status = ConsentStatus.REVOKED
        consent.ended_at = timezone.now()
        consent.ended_reason = reason
        consent.ended_by = actor
        consent.end_note = (note or "").strip()[:300]
        consent.save()
        audit_record(
            user=actor,
            action="revoke",
            patient_id=consent.patient_id,
            object_type="consent",
            object_id=consent.pk,
            detail={"kind": consent.kind, "reason": reason},
        )
    return consent
