"""The consent hook of claims for substance-use records (42 CFR Part 2).

A claim discloses a Part 2 patient's treatment to the payer, which needs the patient's
written consent to disclosure for payment (docs/clinical-sources.md §5). Consents are
being built in their own app (`stepwell.consent`). Until it is merged, this one function
is the hook every billable day and every claim goes through: it returns None ("nothing
missing") today, and the day and claim code treat a returned sentence as a problem that
blocks billing, with the fix to record the consent.
"""

from __future__ import annotations


def claim_consent_missing(patient, program) -> str | None:
    """Why the patient's claims for this program may not be sent yet for want of consent,
    or None. Wire to stepwell.consent at merge: for a Part 2 program, return a sentence
    when no active consent covers disclosure to the patient's payer for payment."""
    return None
