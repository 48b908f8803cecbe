"""The consent check of claims for substance-use records (42 CFR Part 2).

A claim discloses a Part 2 patient's treatment to the payer, which needs the patient's
written consent to disclosure for payment (docs/clinical-sources.md §5). Every billable
day and so every claim goes through `claim_consent_missing`: a returned sentence is a
problem that blocks the day, with the fix to record the consent.

Only Part 2 programs (`Program.part2_program`) are asked. The consents themselves are
built in their own app (`stepwell.consent`, another branch: its `Consent` model, with
`consent_terms()` and `coverage_gaps()` deciding whether a consent covers a disclosure).
That app is not merged here, so `part2_payment_consent_gap` below is the one place to
wire it: TODO(consent-merge). Until then it finds no gap, and Part 2 claims are NOT
blocked for want of consent (README, "What billing does not do yet").
"""

from __future__ import annotations


def part2_payment_consent_gap(patient, program) -> str | None:
    """TODO(consent-merge): with stepwell.consent merged, return a sentence when no
    signed, unrevoked, unexpired Part 2 consent of the patient names `program` as a
    disclosing program and covers disclosure for payment to the patient's payer (the
    consent app's `coverage_gaps(consent_terms(c), DisclosureAsk(recipient=payer,
    purpose=PAYMENT, part2=True, ...))` empty for one of them); None when one does."""
    return None


def claim_consent_missing(patient, program) -> str | None:
    """Why the patient's claims for this program may not be sent for want of consent, or
    None. Programs outside Part 2 need no consent for a claim (HIPAA allows disclosure
    for payment)."""
    if not program.part2_program:
        return None
    return part2_payment_consent_gap(patient, program)
