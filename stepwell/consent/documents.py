"""The documents: a consent's text, a record (disclosed or the patient's own copy), and
their PDFs, printed by WeasyPrint from the same HTML the pages show.

WeasyPrint is imported only when a PDF is made, so a machine without its system
libraries (pango) runs everything else; there, `pdf_from_html` raises PdfUnavailable
naming what is missing, and the pages answer 503 with that sentence.
"""

from __future__ import annotations

import hashlib

from django.template.loader import render_to_string

from .notices import (
    CONDITION_STATEMENT,
    EMERGENCY_NOTICE,
    HIPAA_REDISCLOSURE_STATEMENT,
    PART2_LABEL,
    PART2_NOTICE,
    REDISCLOSURE_STATEMENT,
    REVOCATION_STATEMENT,
    TREATMENT_STATEMENT,
)
from .record_content import RecordContent
from .terms import (
    CONSENT_KIND_LABELS,
    PURPOSE_LABELS,
    SECTION_LABELS,
    TPO_RECIPIENTS,
    ConsentKind,
    Purpose,
    RecipientKind,
    Section,
)


class PdfUnavailable(RuntimeError):
    """WeasyPrint or a system library it needs (pango) is missing on this machine."""


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def record_html(
    content: RecordContent, *, title: str, disclosure: dict | None = None, emergency: bool = False
) -> str:
    """The body of a record document; `disclosure` describes who received it and why."""
    return render_to_string(
        "consent/documents/record_body.html",
        {
            "content": content,
            "title": title,
            "disclosure": disclosure,
            "notice": PART2_NOTICE,
            "label": PART2_LABEL,
            "emergency": emergency,
            "emergency_notice": EMERGENCY_NOTICE,
        },
    )


def expiry_text(expires_on, expiry_event: str) -> str:
    parts = []
    if expires_on:
        parts.append(expires_on.isoformat())
    if expiry_event:
        parts.append(expiry_event)
    return ", or when this happens: ".join(parts) or "no expiry"


def consent_html(
    *,
    patient,
    kind: str,
    programs: list[str],
    recipient_kind: str,
    recipients: list[str],
    purpose: str,
    purpose_detail: str,
    sections: list[str],
    information_description: str,
    date_from,
    date_to,
    expires_on,
    expiry_event: str,
    signer_name: str,
    signed_on: str,
    method: str = "",
) -> str:
    """The text of a consent exactly as the patient signs it (and as it is kept)."""
    kind = ConsentKind(kind)
    tpo = recipient_kind == RecipientKind.TPO
    period = ""
    if date_from or date_to:
        period = "records from " + (date_from.isoformat() if date_from else "the start") + " to "
        period += date_to.isoformat() if date_to else "the present"
    purpose_text = PURPOSE_LABELS[Purpose(purpose)] if purpose else ""
    if tpo:
        purpose_text = "Treatment, payment and health care operations"
    if purpose_detail:
        purpose_text += f": {purpose_detail}"
    return render_to_string(
        "consent/documents/consent_body.html",
        {
            "kind_label": CONSENT_KIND_LABELS[kind],
            "is_treatment": kind == ConsentKind.TREATMENT,
            "is_part2": kind == ConsentKind.PART2,
            "patient": patient,
            "programs": ", ".join(programs),
            "recipients": TPO_RECIPIENTS if tpo else "; ".join(recipients),
            "purpose": purpose_text,
            "sections": ", ".join(SECTION_LABELS[Section(s)] for s in sections),
            "period": period,
            "information_description": information_description,
            "expiry": expiry_text(expires_on, expiry_event),
            "treatment_statement": TREATMENT_STATEMENT,
            "revocation_statement": REVOCATION_STATEMENT,
            "redisclosure_statement": REDISCLOSURE_STATEMENT,
            "hipaa_statement": HIPAA_REDISCLOSURE_STATEMENT if tpo else "",
            "condition_statement": CONDITION_STATEMENT,
            "signer_name": signer_name,
            "signed_on": signed_on,
            "method": method,
        },
    )


def print_html(body: str, *, title: str, footer: str = "Stepwell") -> str:
    return render_to_string(
        "consent/documents/print.html", {"body": body, "title": title, "footer": footer}
    )


def pdf_from_html(body: str, *, title: str, footer: str = "Stepwell") -> bytes:
    """A PDF of the body, printed as the page shows it."""
    try:
        from weasyprint import HTML
    except (ImportError, OSError) as error:  # pango or cairo missing: OSError from cffi
        raise PdfUnavailable(
            "PDFs cannot be made on this server: WeasyPrint or a system library it needs "
            f"(pango) is missing ({error})."
        ) from error
    return HTML(string=print_html(body, title=title, footer=footer)).write_pdf()


class SignedTextChanged(RuntimeError):
    """The kept text of a consent no longer matches the fingerprint taken at signing."""


def consent_print_body(consent) -> str:
    """What a signed consent's page and PDF show: exactly the text that was signed, then
    (Part 2 consents) the §2.32 notice, then the text's SHA-256 fingerprint taken at
    signing. The signed text is checked against that fingerprint first; a changed text
    raises SignedTextChanged rather than printing something that was not signed."""
    if consent.signed_html_sha256 and sha256(consent.signed_html) != consent.signed_html_sha256:
        raise SignedTextChanged(
            "The kept text of this consent does not match the fingerprint taken when it "
            "was signed, so it is not shown or printed. Tell the privacy officer."
        )
    return render_to_string(
        "consent/documents/consent_print.html",
        {
            "signed_html": consent.signed_html,
            "is_part2": consent.kind == ConsentKind.PART2,
            "notice": PART2_NOTICE,
            "sha256": consent.signed_html_sha256,
        },
    )


def consent_pdf(consent) -> bytes:
    """The PDF of what was signed, printed from the signed text each time: the same text
    gives the same bytes (WeasyPrint writes no date or random identifier)."""
    return pdf_from_html(
        consent_print_body(consent),
        title=f"{consent.get_kind_display()} {consent.pk}",
        footer=f"Stepwell consent {consent.pk}",
    )
