"""Disclosures: part of a record released to someone outside the program.

- With the patient's consent: refused, naming what is missing, unless the consent covers
  the recipient, the purpose, the sections, the dates and the programs
  (stepwell.consent.coverage); Part 2 records need a Part 2 consent.
- Without consent for treatment, payment or operations, as HIPAA permits: never for Part 2
  records.
- In a medical emergency (42 CFR 2.51): without consent; the clinician states the
  emergency and who received what; a director reviews it; the patient is told.
Every document that leaves carries the Part 2 label and the 42 CFR 2.32 notice when it
holds Part 2 records, and a copy of it is kept with the disclosure, which is the
accounting the patient can read (docs/clinical-sources.md §9.3-§9.6). A refusal is written
to the audit trail as denied, with what was missing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from django.db import transaction
from django.utils import timezone

from stepwell.core.errors import ApplicationError
from stepwell.privacy.access import consent as access
from stepwell.privacy.audit import AuditOutcome, audit_record

from ..coverage import ConsentTerms, DisclosureAsk, coverage_gaps
from ..documents import record_html, sha256
from ..fhir import FHIR_SECTIONS, bundle_text, record_bundle
from ..models import Consent, Disclosure
from ..record_content import episodes_in_range, record_content, record_part2_reasons
from ..terms import (
    BASIS_LABELS,
    PURPOSE_LABELS,
    SECTION_LABELS,
    TPO_PURPOSES,
    TPO_RECIPIENTS,
    Basis,
    ConsentKind,
    Purpose,
    RecipientKind,
    Section,
)

FORMATS = ("pdf", "fhir")
DISCLOSE = "disclose"


@dataclass(frozen=True)
class DisclosureInput:
    recipient: str
    purpose: str
    sections: tuple[str, ...]
    date_from: date | None
    date_to: date | None
    document_format: str
    purpose_detail: str = ""
    recipient_affiliation: str = ""


def consent_terms(consent: Consent) -> ConsentTerms:
    return ConsentTerms(
        kind=ConsentKind(consent.kind),
        signed=consent.signed_at is not None,
        revoked_on=timezone.localdate(consent.ended_at) if consent.ended_at else None,
        expires_on=consent.expires_on,
        recipient_kind=RecipientKind(consent.recipient_kind or RecipientKind.NAMED),
        recipients=tuple(consent.recipient_list),
        purpose=Purpose(consent.purpose or Purpose.TREATMENT),
        sections=frozenset(Section(s) for s in consent.sections),
        date_from=consent.date_from,
        date_to=consent.date_to,
        disclosing_program_ids=frozenset(p.pk for p in consent.disclosing_programs.all()),
    )


def consent_scope_text(consent: Consent) -> str:
    """A clear explanation of the scope of the consent (42 CFR 2.32(b))."""
    recipients = (
        TPO_RECIPIENTS
        if consent.recipient_kind == RecipientKind.TPO
        else "; ".join(consent.recipient_list)
    )
    sections = ", ".join(SECTION_LABELS[Section(s)] for s in consent.sections)
    expiry = consent.expires_on.isoformat() if consent.expires_on else consent.expiry_event
    signed = timezone.localdate(consent.signed_at).isoformat() if consent.signed_at else "unsigned"
    return (
        f"{consent.get_kind_display()} signed {signed} by {consent.signer_name}: "
        f"to {recipients}; for {consent.get_purpose_display() or 'treatment, payment and operations'}; "
        f"covering {sections}; until {expiry or 'revoked'}."
    )


def _clean(patient, data: DisclosureInput, today: date) -> tuple[DisclosureInput, dict]:
    errors: dict[str, str] = {}
    recipient = " ".join((data.recipient or "").split())[:300]
    if not recipient:
        errors["recipient"] = "Name who receives the records."
    if data.purpose not in {p.value for p in Purpose}:
        errors["purpose"] = "Choose the purpose of the disclosure."
    elif data.purpose == Purpose.OTHER and not (data.purpose_detail or "").strip():
        errors["purpose_detail"] = "Describe the purpose."
    sections = tuple(s.value for s in Section if s in set(data.sections or ()))
    if not sections or len(set(data.sections or ())) != len(sections):
        errors["sections"] = "Choose which parts of the record to disclose."
    if data.document_format not in FORMATS:
        errors["document_format"] = "Choose a PDF or a FHIR bundle."
    elif data.document_format == "fhir" and set(sections) - FHIR_SECTIONS:
        errors["sections"] = (
            "A FHIR bundle holds episodes, diagnoses, plan, scores, attendance and notes only."
        )
    first = patient.episodes.order_by("referred_on").values_list("referred_on", flat=True).first()
    date_from = data.date_from or first or today
    date_to = data.date_to or today
    if date_to > today:
        errors["date_to"] = "The records cannot go past today."
    if date_from > date_to:
        errors["date_from"] = "The start comes after the end."
    cleaned = DisclosureInput(
        recipient=recipient,
        purpose=data.purpose,
        sections=sections,
        date_from=date_from,
        date_to=date_to,
        document_format=data.document_format,
        purpose_detail=(data.purpose_detail or "").strip()[:300],
        recipient_affiliation=" ".join((data.recipient_affiliation or "").split())[:300],
    )
    return cleaned, errors


def _refused(actor, patient, *, basis, data: DisclosureInput, gaps: dict, through: str):
    """A disclosure refused for want of consent: audited as denied, naming what is missing."""
    audit_record(
        user=actor,
        action=DISCLOSE,
        patient_id=patient.pk,
        object_type="disclosure",
        object_id="new",
        outcome=AuditOutcome.DENIED,
        detail={"basis": basis, "recipient": data.recipient, "missing": gaps, "through": through},
    )
    return ApplicationError("Not disclosed: " + " ".join(gaps.values()), field_errors=gaps)


def _part2_programs(patient, data: DisclosureInput) -> tuple[tuple[int, str], ...]:
    episodes = episodes_in_range(patient, data.date_from, data.date_to)
    return tuple(
        sorted({(e.program_id, e.program.name) for e in episodes if e.program.part2_program})
    )


def _document(patient, content, data, *, title, header, emergency=False) -> str:
    if data.document_format == "fhir":
        episodes = episodes_in_range(patient, data.date_from, data.date_to)
        bundle = record_bundle(
            patient,
            episodes=episodes,
            sections=data.sections,
            date_from=data.date_from,
            date_to=data.date_to,
            emergency=emergency,
        )
        return bundle_text(bundle)
    return record_html(content, title=title, disclosure=header, emergency=emergency)


def _programs_text(patient, data) -> str:
    names = sorted(
        {e.program.name for e in episodes_in_range(patient, data.date_from, data.date_to)}
    )
    return ", ".join(names) or "Stepwell"


def disclosure_make(
    *,
    actor,
    patient_id: int,
    basis: str,
    data: DisclosureInput,
    consent_id: int | None = None,
    through: str = "chart",
    now: datetime | None = None,
) -> Disclosure:
    """Disclose part of the record under a consent (or as HIPAA permits, never Part 2)."""
    patient = access.access_privacy_patient_by_id(
        actor, patient_id, roles=access.DISCLOSERS, action=DISCLOSE, object_type="disclosure"
    )
    now = now or timezone.now()
    today = timezone.localdate(now)
    data, errors = _clean(patient, data, today)
    consent = None
    if basis == Basis.CONSENT:
        consent = Consent.objects.filter(pk=consent_id or 0, patient=patient).first()
        if consent is None:
            errors["consent"] = "Choose one of this patient's consents."
    elif basis != Basis.HIPAA_PERMITTED:
        errors["basis"] = "Choose the consent the disclosure relies on."
    if errors:
        raise ApplicationError(
            "The disclosure is missing something: see the fields.", field_errors=errors
        )
    content = record_content(
        patient, sections=data.sections, date_from=data.date_from, date_to=data.date_to, now=now
    )
    if basis == Basis.HIPAA_PERMITTED:
        gaps = {}
        if content.part2:
            gaps["basis"] = (
                "These are 42 CFR Part 2 records ("
                + "; ".join(content.part2_reasons)
                + "): they need the patient's written Part 2 consent."
            )
        elif data.purpose not in TPO_PURPOSES:
            gaps["purpose"] = (
                "Without the patient's authorization only treatment, payment or operations."
            )
    else:
        ask = DisclosureAsk(
            recipient=data.recipient,
            purpose=Purpose(data.purpose),
            sections=frozenset(Section(s) for s in data.sections),
            date_from=data.date_from,
            date_to=data.date_to,
            part2=content.part2,
            part2_programs=_part2_programs(patient, data),
        )
        gaps = coverage_gaps(consent_terms(consent), ask, today=today)
    if gaps:
        raise _refused(actor, patient, basis=basis, data=data, gaps=gaps, through=through)
    header = {
        "recipient": data.recipient,
        "recipient_affiliation": data.recipient_affiliation,
        "purpose_label": PURPOSE_LABELS[Purpose(data.purpose)],
        "purpose_detail": data.purpose_detail,
        "made_by": actor,
        "programs": _programs_text(patient, data),
        "basis_label": BASIS_LABELS[Basis(basis)],
        "consent_scope": consent_scope_text(consent) if consent else "",
    }
    document = _document(patient, content, data, title="Records disclosed", header=header)
    with transaction.atomic():
        if consent is not None:  # revoked meanwhile? the row lock settles it
            locked = Consent.objects.select_for_update().get(pk=consent.pk)
            if locked.ended_at is not None:
                raise ApplicationError(
                    "The consent was revoked a moment ago.", field_errors={"consent": "Revoked."}
                )
        disclosure = _save(
            patient,
            actor,
            basis=basis,
            consent=consent,
            data=data,
            part2=content.part2,
            part2_reasons=content.part2_reasons,
            document=document,
            through=through,
            now=now,
        )
    return disclosure


def _save(
    patient,
    actor,
    *,
    basis,
    consent,
    data,
    part2: bool,
    part2_reasons,
    document,
    through,
    now,
    emergency: str = "",
) -> Disclosure:
    disclosure = Disclosure.objects.create(
        patient=patient,
        basis=basis,
        consent=consent,
        recipient=data.recipient,
        recipient_affiliation=data.recipient_affiliation,
        purpose=data.purpose,
        purpose_detail=data.purpose_detail,
        sections=list(data.sections),
        date_from=data.date_from,
        date_to=data.date_to,
        document_format=data.document_format,
        through=through,
        part2=part2,
        part2_reasons=list(part2_reasons),
        document=document,
        document_sha256=sha256(document),
        made_by=actor,
        made_at=now,
        emergency=emergency,
    )
    audit_record(
        user=actor,
        action=DISCLOSE,
        patient_id=patient.pk,
        object_type="disclosure",
        object_id=disclosure.pk,
        detail={
            "basis": basis,
            "consent": consent.pk if consent else None,
            "recipient": data.recipient,
            "sections": list(data.sections),
            "from": data.date_from.isoformat(),
            "to": data.date_to.isoformat(),
            "format": data.document_format,
            "part2": part2,
            "through": through,
        },
    )
    return disclosure


def emergency_disclosure_make(
    *, actor, patient_id: int, emergency: str, data: DisclosureInput, now: datetime | None = None
) -> Disclosure:
    """A disclosure to medical personnel in a bona fide medical emergency (42 CFR 2.51),
    without consent. Recorded at once with the emergency, the recipient and what was
    disclosed; a director reviews it; the patient gets a notice through the outbox."""
    from stepwell.messaging.services import record_notice_queue

    patient = access.access_emergency_patient_by_id(actor, patient_id)
    now = now or timezone.now()
    data, errors = _clean(patient, data, timezone.localdate(now))
    emergency = (emergency or "").strip()
    if not emergency:
        errors["emergency"] = "Describe the medical emergency."
    if not data.recipient_affiliation:
        errors["recipient_affiliation"] = "Name the recipient's hospital, practice or service."
    if data.purpose and data.purpose != Purpose.TREATMENT:
        errors["purpose"] = "An emergency disclosure is for treatment."
    if errors:
        raise ApplicationError(
            "The emergency disclosure is missing something: see the fields.", field_errors=errors
        )
    content = record_content(
        patient, sections=data.sections, date_from=data.date_from, date_to=data.date_to, now=now
    )
    header = {
        "recipient": data.recipient,
        "recipient_affiliation": data.recipient_affiliation,
        "purpose_label": "Medical emergency",
        "purpose_detail": emergency[:300],
        "made_by": actor,
        "programs": _programs_text(patient, data),
        "basis_label": BASIS_LABELS[Basis.MEDICAL_EMERGENCY],
        "consent_scope": "",
    }
    document = _document(
        patient,
        content,
        data,
        title="Records disclosed in a medical emergency",
        header=header,
        emergency=True,
    )
    with transaction.atomic():
        disclosure = _save(
            patient,
            actor,
            basis=Basis.MEDICAL_EMERGENCY,
            consent=None,
            data=data,
            part2=content.part2,
            part2_reasons=content.part2_reasons,
            document=document,
            through="chart",
            now=now,
            emergency=emergency,
        )
        if (
            record_notice_queue(patient=patient, actor=actor, related=f"disclosure:{disclosure.pk}")
            is not None
        ):
            disclosure.patient_notified_at = now
            disclosure.save(update_fields=["patient_notified_at"])
    return disclosure


def emergency_disclosure_review(*, actor, disclosure_id: int, note: str) -> Disclosure:
    """A director reviews an emergency disclosure, with a note."""
    disclosure = access.access_emergency_review_by_id(actor, disclosure_id)
    note = (note or "").strip()
    if not note:
        raise ApplicationError(
            "Write what the review found.", field_errors={"note": "Write what the review found."}
        )
    with transaction.atomic():
        disclosure = Disclosure.objects.select_for_update().get(pk=disclosure.pk)
        if disclosure.reviewed_at is not None:
            raise ApplicationError(
                "This disclosure was already reviewed.", field_errors={"note": "Already reviewed."}
            )
        disclosure.reviewed_by = actor
        disclosure.reviewed_at = timezone.now()
        disclosure.review_note = note
        disclosure.save(update_fields=["reviewed_by", "reviewed_at", "review_note"])
        audit_record(
            user=actor,
            action="review",
            patient_id=disclosure.patient_id,
            object_type="disclosure",
            object_id=disclosure.pk,
        )
    return disclosure


FHIR_EXPORT_SECTIONS = tuple(s.value for s in Section if s in FHIR_SECTIONS)


def fhir_export_disclose(
    *, actor, patient, scope, bundle: dict, consent_id: int | None, recipient: str = ""
) -> dict:
    """$everything of a record holding Part 2 records always carries the 42 CFR 2.32 notice
    and the labels. Without `consent_id` it is the program's own use of its records (staff
    of the care team exporting to the program's systems, 42 CFR 2.12(c)(3)): no disclosure.
    With `consent_id` it is a disclosure to the recipient: only when that Part 2 consent
    covers the export (the whole FHIR record of the episodes); then it is in the
    accounting, and a consent that does not cover it refuses it, naming what is missing."""
    from ..fhir import with_part2_notice

    if consent_id is None:
        return with_part2_notice(bundle, patient)
    today = timezone.localdate()
    episodes = list(scope.episodes)
    date_from = min((e.referred_on for e in episodes), default=today)
    date_to = today
    consent = None
    if consent_id is not None:
        consent = Consent.objects.filter(pk=consent_id, patient=patient).first()
    named = consent.recipient_list if consent else []
    recipient = " ".join((recipient or "").split()) or (
        named[0] if len(named) == 1 else (TPO_RECIPIENTS if consent and not named else "")
    )
    data = DisclosureInput(
        recipient=recipient,
        purpose=(consent.purpose if consent else "") or Purpose.TREATMENT,
        sections=FHIR_EXPORT_SECTIONS,
        date_from=date_from,
        date_to=date_to,
        document_format="fhir",
    )
    if consent is None:
        gaps = {"consent": "This is not one of the patient's consents."}
    else:
        part2_programs = tuple(
            sorted({(e.program_id, e.program.name) for e in episodes if e.program.part2_program})
        )
        ask = DisclosureAsk(
            recipient=recipient,
            purpose=Purpose(data.purpose),
            sections=frozenset(Section(s) for s in data.sections),
            date_from=date_from,
            date_to=date_to,
            part2=True,
            part2_programs=part2_programs,
        )
        gaps = coverage_gaps(consent_terms(consent), ask, today=today)
    if gaps:
        raise _refused(actor, patient, basis=Basis.CONSENT, data=data, gaps=gaps, through="fhir")
    bundle = with_part2_notice(bundle, patient)
    with transaction.atomic():
        _save(
            patient,
            actor,
            basis=Basis.CONSENT,
            consent=consent,
            data=data,
            part2=True,
            part2_reasons=record_part2_reasons(patient),
            document=bundle_text(bundle),
            through="fhir",
            now=timezone.now(),
        )
    return bundle
