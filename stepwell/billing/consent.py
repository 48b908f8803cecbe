"""The consent check of claims for substance-use records (42 CFR Part 2).

A claim discloses a Part 2 patient's treatment to the payer: admission dates, diagnosis
codes and the days and services attended. That needs the patient's written Part 2 consent
to disclose to the payer for payment (docs/clinical-sources.md §5 and §9.2): a consent
naming the payer for payment, or the single consent for treatment, payment and health
care operations, which names the program as allowed to disclose, is signed, not revoked
and not expired, and covers those sections and the day of service. Whether a consent
covers a disclosure is decided by the consent app's own rule (`coverage_gaps`), the same
one its disclosure pages use.

Only Part 2 programs (`Program.part2_program`) are asked: HIPAA allows disclosure for
payment without the patient's authorization. A returned sentence is a problem that blocks
the day, with the fix to record the consent.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date

from stepwell.consent.coverage import ConsentTerms, DisclosureAsk, coverage_gaps
from stepwell.consent.models import Consent
from stepwell.consent.services.disclosures import consent_terms
from stepwell.consent.terms import ConsentKind, Purpose, Section

# What an institutional claim tells the payer about the patient's treatment.
CLAIM_SECTIONS = frozenset({Section.EPISODES, Section.DIAGNOSES, Section.ATTENDANCE})


def part2_consents(program, patient_ids) -> dict[int, list[ConsentTerms]]:
    """Each patient's signed Part 2 consents, in two queries; empty outside Part 2."""
    if not program.part2_program:
        return {}
    by_patient: dict[int, list[ConsentTerms]] = defaultdict(list)
    for consent in (
        Consent.objects.filter(
            patient_id__in=list(patient_ids), kind=ConsentKind.PART2, signed_at__isnull=False
        )
        .prefetch_related("disclosing_programs")
        .order_by("pk")
    ):
        by_patient[consent.patient_id].append(consent_terms(consent))
    return by_patient


def claim_consent_missing(
    program, consents: list[ConsentTerms], *, payer_name: str, day: date, today: date
) -> str | None:
    """Why a claim to `payer_name` for this day of this program may not be sent for want of
    consent, or None. Programs outside Part 2 need no consent for a claim."""
    if not program.part2_program:
        return None
    ask = DisclosureAsk(
        recipient=payer_name,
        purpose=Purpose.PAYMENT,
        sections=CLAIM_SECTIONS,
        date_from=day,
        date_to=day,
        part2=True,
        part2_programs=((program.pk, program.name),),
    )
    gaps = [coverage_gaps(terms, ask, today=today) for terms in consents]
    if any(not gap for gap in gaps):
        return None
    if not gaps:
        return (
            f"{program.name} is a 42 CFR Part 2 program and the patient has signed no Part 2 "
            f"consent to disclose to {payer_name} for payment."
        )
    closest = min(gaps, key=len)
    return "No Part 2 consent covers this claim: " + " ".join(closest.values())
