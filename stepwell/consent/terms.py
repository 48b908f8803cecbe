"""The vocabulary of consents and disclosures, and which records are Part 2 records.

No Django here: the coverage rules (coverage.py) and the tests use these without a
database. Models take their choices from the labels below.

Which parts of a record are 42 CFR Part 2 records (docs/clinical-sources.md §9.1):
- everything of an episode in a program marked as a Part 2 program (Program.part2_program);
- in any other program, what is about substance use: a diagnosis in ICD-10-CM F10-F16,
  F18 or F19 (substance-related disorders; F17, nicotine, is left out because Part 2's
  definition of a substance use disorder excludes tobacco), and the answers and scores of
  the substance-use questionnaires (AUDIT, AUDIT-C, DAST-10).
The second rule is deliberately wider than the regulation, which attaches to programs:
labelling a mental-health record that mentions substance use costs a consent form, and
missing one breaks the law.
"""

from __future__ import annotations

from enum import StrEnum


class ConsentKind(StrEnum):
    TREATMENT = "treatment"
    PART2 = "part2"
    HIPAA_ROI = "hipaa_roi"


CONSENT_KIND_LABELS = {
    ConsentKind.TREATMENT: "Consent to treatment",
    ConsentKind.PART2: "42 CFR Part 2 consent to disclose",
    ConsentKind.HIPAA_ROI: "Release of information (HIPAA authorization)",
}


class RecipientKind(StrEnum):
    NAMED = "named"
    TPO = "tpo"


RECIPIENT_KIND_LABELS = {
    RecipientKind.NAMED: "Named people or organizations",
    RecipientKind.TPO: "All future treatment, payment and health care operations (single consent)",
}
TPO_RECIPIENTS = (
    "My treating providers, health plans, third-party payers, and people helping to operate "
    "this program"
)


class Purpose(StrEnum):
    TREATMENT = "treatment"
    PAYMENT = "payment"
    OPERATIONS = "health_care_operations"
    PATIENT_REQUEST = "patient_request"
    FAMILY = "family"
    EMPLOYMENT = "employment"
    LEGAL = "legal"
    OTHER = "other"


PURPOSE_LABELS = {
    Purpose.TREATMENT: "Treatment",
    Purpose.PAYMENT: "Payment",
    Purpose.OPERATIONS: "Health care operations",
    Purpose.PATIENT_REQUEST: "At the patient's request",
    Purpose.FAMILY: "Involving family in care",
    Purpose.EMPLOYMENT: "Employment or return to work",
    Purpose.LEGAL: "Court or legal proceedings",
    Purpose.OTHER: "Other (described)",
}
TPO_PURPOSES = frozenset({Purpose.TREATMENT, Purpose.PAYMENT, Purpose.OPERATIONS})


class Section(StrEnum):
    """The parts of a record a consent covers and a disclosure includes. The patient's
    identity (name, date of birth, record number) goes with every disclosure."""

    EPISODES = "episodes"
    DIAGNOSES = "diagnoses"
    PLAN = "plan"
    MEASURES = "measures"
    ATTENDANCE = "attendance"
    NOTES = "notes"
    CONSENTS = "consents"
    DISCLOSURES = "disclosures"
    AMENDMENTS = "amendments"


SECTION_LABELS = {
    Section.EPISODES: "Admissions, discharges and levels of care",
    Section.DIAGNOSES: "Diagnoses",
    Section.PLAN: "Treatment plan",
    Section.MEASURES: "Questionnaire scores",
    Section.ATTENDANCE: "Attendance",
    Section.NOTES: "Progress notes (never psychotherapy notes)",
    Section.CONSENTS: "Consents",
    Section.DISCLOSURES: "Disclosures made (accounting)",
    Section.AMENDMENTS: "Amendment requests",
}
ALL_SECTIONS = tuple(Section)
# What the patient downloads of their own record: every section.
OWN_RECORD_SECTIONS = ALL_SECTIONS


class Basis(StrEnum):
    """What a disclosure relies on."""

    CONSENT = "consent"
    MEDICAL_EMERGENCY = "medical_emergency"
    HIPAA_PERMITTED = "hipaa_permitted"


BASIS_LABELS = {
    Basis.CONSENT: "The patient's written consent",
    Basis.MEDICAL_EMERGENCY: "Medical emergency (42 CFR 2.51), without consent",
    Basis.HIPAA_PERMITTED: "Treatment, payment or operations without authorization (HIPAA; "
    "never for Part 2 records)",
}

# Substance-related disorders in ICD-10-CM: F10 alcohol, F11 opioids, F12 cannabis, F13
# sedatives, F14 cocaine, F15 other stimulants, F16 hallucinogens, F18 inhalants, F19 other
# psychoactive substances. F17 (nicotine) is not a Part 2 substance use disorder.
SUBSTANCE_USE_CODE_PREFIXES = ("F10", "F11", "F12", "F13", "F14", "F15", "F16", "F18", "F19")
SUBSTANCE_USE_INSTRUMENTS = frozenset({"audit", "auditc", "dast10"})


def is_substance_use_code(code: str) -> bool:
    """An ICD-10-CM code of a substance-related disorder (not nicotine)."""
    normalized = (code or "").strip().upper()
    return normalized.startswith(SUBSTANCE_USE_CODE_PREFIXES)


def is_substance_use_instrument(instrument_key: str) -> bool:
    return (instrument_key or "").strip().lower() in SUBSTANCE_USE_INSTRUMENTS
