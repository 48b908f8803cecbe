"""The use cases of consent and disclosure; each checks access first (privacy.access.consent),
runs in one transaction and writes the audit trail."""

from .amendments import amendment_decide, amendment_request
from .break_glass import break_glass_open, break_glass_review
from .consents import consent_preview_html, consent_record, consent_revoke, consent_sign
from .disclosures import (
    DisclosureInput,
    disclosure_make,
    emergency_disclosure_make,
    emergency_disclosure_review,
    fhir_export_disclose,
)
from .own_record import own_record_fhir, own_record_html

__all__ = [
    "DisclosureInput",
    "amendment_decide",
    "amendment_request",
    "break_glass_open",
    "break_glass_review",
    "consent_preview_html",
    "consent_record",
    "consent_revoke",
    "consent_sign",
    "disclosure_make",
    "emergency_disclosure_make",
    "emergency_disclosure_review",
    "fhir_export_disclose",
    "own_record_fhir",
    "own_record_html",
]
