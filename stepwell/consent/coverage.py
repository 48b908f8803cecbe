"""Does a consent cover a disclosure? A plain function over frozen values; no Django.

The rules (docs/clinical-sources.md §9.2 and §9.3), each giving the field it concerns:
- a consent to treatment never covers a disclosure;
- Part 2 records need a 42 CFR Part 2 consent: a general HIPAA release is not enough;
- the consent is signed, not revoked, and not past its expiry date on the day of the
  disclosure;
- each Part 2 program whose records are included is named as allowed to disclose;
- the recipient is one the consent names (compared without case or extra spaces); a
  single consent for treatment, payment and health care operations (2024 rule) covers any
  recipient, but only for those three purposes;
- a consent naming recipients covers only its own purpose;
- every section included is one the consent describes;
- the dates included lie inside the consent's period, when it gives one.
An empty answer means the consent covers the disclosure.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from .terms import (
    PURPOSE_LABELS,
    SECTION_LABELS,
    TPO_PURPOSES,
    ConsentKind,
    Purpose,
    RecipientKind,
    Section,
)


@dataclass(frozen=True)
class ConsentTerms:
    kind: ConsentKind
    signed: bool
    revoked_on: date | None
    expires_on: date | None
    recipient_kind: RecipientKind
    recipients: tuple[str, ...]
    purpose: Purpose
    sections: frozenset[Section]
    date_from: date | None
    date_to: date | None
    disclosing_program_ids: frozenset[int]


@dataclass(frozen=True)
class DisclosureAsk:
    recipient: str
    purpose: Purpose
    sections: frozenset[Section]
    date_from: date
    date_to: date
    part2: bool
    part2_programs: tuple[tuple[int, str], ...] = ()  # (id, name) of Part 2 programs included


def normalized_name(name: str) -> str:
    return " ".join((name or "").split()).casefold()


def _listing(items) -> str:
    return ", ".join(items)


def coverage_gaps(terms: ConsentTerms, ask: DisclosureAsk, *, today: date) -> dict[str, str]:
    """What the consent is missing for this disclosure, by field; empty when it covers it."""
    if terms.kind == ConsentKind.TREATMENT:
        return {"consent": "A consent to treatment does not allow any disclosure."}
    if ask.part2 and terms.kind != ConsentKind.PART2:
        return {
            "consent": "These are 42 CFR Part 2 records: a general release of information is "
            "not enough. The patient must sign a Part 2 consent."
        }
    if not terms.signed:
        return {"consent": "The patient has not signed this consent yet."}
    if terms.revoked_on is not None:
        return {"consent": f"The patient revoked this consent on {terms.revoked_on.isoformat()}."}
    if terms.expires_on is not None and terms.expires_on < today:
        return {"consent": f"This consent expired on {terms.expires_on.isoformat()}."}
    gaps: dict[str, str] = {}
    unnamed = [name for pk, name in ask.part2_programs if pk not in terms.disclosing_program_ids]
    if unnamed:
        gaps["consent"] = (
            f"The consent does not name {_listing(unnamed)} as allowed to disclose these records."
        )
    if terms.recipient_kind == RecipientKind.TPO:
        if ask.purpose not in TPO_PURPOSES:
            gaps["purpose"] = (
                "A single consent for treatment, payment and health care operations does not "
                f"cover '{PURPOSE_LABELS[ask.purpose]}'."
            )
    else:
        named = {normalized_name(r) for r in terms.recipients if r.strip()}
        if normalized_name(ask.recipient) not in named:
            gaps["recipient"] = (
                f"The consent does not name {ask.recipient.strip() or 'this recipient'} as a "
                f"recipient; it names {_listing(r.strip() for r in terms.recipients) or 'nobody'}."
            )
        if ask.purpose != terms.purpose:
            gaps["purpose"] = (
                f"The consent is for '{PURPOSE_LABELS[terms.purpose]}', not "
                f"'{PURPOSE_LABELS[ask.purpose]}'."
            )
    outside = [s for s in Section if s in ask.sections and s not in terms.sections]
    if outside:
        gaps["sections"] = "The consent does not cover: " + _listing(
            SECTION_LABELS[s] for s in outside
        )
    if terms.date_from is not None and ask.date_from < terms.date_from:
        gaps["date_from"] = (
            f"The consent covers records from {terms.date_from.isoformat()} on, not from "
            f"{ask.date_from.isoformat()}."
        )
    if terms.date_to is not None and ask.date_to > terms.date_to:
        gaps["date_to"] = (
            f"The consent covers records up to {terms.date_to.isoformat()}, not up to "
            f"{ask.date_to.isoformat()}."
        )
    return gaps


def is_active(terms: ConsentTerms, *, today: date) -> bool:
    """Signed, not revoked and not expired: disclosures may rely on it."""
    if not terms.signed or terms.revoked_on is not None:
        return False
    return terms.expires_on is None or terms.expires_on >= today


__all__ = [
    "ConsentTerms",
    "DisclosureAsk",
    "Purpose",
    "coverage_gaps",
    "is_active",
    "normalized_name",
]
