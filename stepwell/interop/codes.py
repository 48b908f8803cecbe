"""Code systems, profiles and security labels the FHIR exchange relies on. No Django.

Every code here is listed with its source and how sure we are in
docs/clinical-sources.md §6. A code we could not verify is never sent with a system:
the receiver then sees only the text and cannot mistake a guess for a standard code.
"""

from __future__ import annotations

# Terminologies (docs/clinical-sources.md §6).
LOINC = "http://loinc.org"
ICD10CM = "http://hl7.org/fhir/sid/icd-10-cm"
RXNORM = "http://www.nlm.nih.gov/research/umls/rxnorm"
UCUM = "http://unitsofmeasure.org"
ACT_CODE = "http://terminology.hl7.org/CodeSystem/v3-ActCode"
CONFIDENTIALITY = "http://terminology.hl7.org/CodeSystem/v3-Confidentiality"
PARTICIPATION_TYPE = "http://terminology.hl7.org/CodeSystem/v3-ParticipationType"
ROLE_CODE_V2 = "http://terminology.hl7.org/CodeSystem/v2-0131"
IDENTIFIER_TYPE = "http://terminology.hl7.org/CodeSystem/v2-0203"
OBSERVATION_CATEGORY = "http://terminology.hl7.org/CodeSystem/observation-category"
CONDITION_CATEGORY = "http://terminology.hl7.org/CodeSystem/condition-category"
CONDITION_CLINICAL = "http://terminology.hl7.org/CodeSystem/condition-clinical"
CONDITION_VERIFICATION = "http://terminology.hl7.org/CodeSystem/condition-ver-status"
PROVENANCE_PARTICIPANT = "http://terminology.hl7.org/CodeSystem/provenance-participant-type"
CAREPLAN_CATEGORY = "http://hl7.org/fhir/us/core/CodeSystem/careplan-category"
DOCUMENT_CATEGORY = "http://hl7.org/fhir/us/core/CodeSystem/us-core-documentreference-category"
ISSUE_TYPE = "http://hl7.org/fhir/issue-type"

# Stepwell's own identifiers and definitions. URNs: they name, they do not resolve.
MRN_SYSTEM = "urn:stepwell:mrn"
STAFF_SYSTEM = "urn:stepwell:staff"
PROGRAM_SYSTEM = "urn:stepwell:program"
ORGANIZATION_SYSTEM = "urn:stepwell:organization"
QUESTIONNAIRE_BASE = "urn:stepwell:questionnaire:"
LEVEL_OF_CARE_EXTENSION = "urn:stepwell:fhir:StructureDefinition:level-of-care-change"

# US Core profiles (US Core 7.0.0; every one below exists under this canonical).
US_CORE = "http://hl7.org/fhir/us/core/StructureDefinition/"
PROFILES = {
    "Patient": US_CORE + "us-core-patient",
    "Practitioner": US_CORE + "us-core-practitioner",
    "Organization": US_CORE + "us-core-organization",
    "Encounter": US_CORE + "us-core-encounter",
    "Condition": US_CORE + "us-core-condition-problems-health-concerns",
    "Observation": US_CORE + "us-core-observation-screening-assessment",
    "QuestionnaireResponse": US_CORE + "us-core-questionnaireresponse",
    "CarePlan": US_CORE + "us-core-careplan",
    "Goal": US_CORE + "us-core-goal",
    "Provenance": US_CORE + "us-core-provenance",
    "DocumentReference": US_CORE + "us-core-documentreference",
    "AllergyIntolerance": US_CORE + "us-core-allergyintolerance",
    # EpisodeOfCare and Appointment have no US Core profile: plain R4.
}
BIRTH_SEX_EXTENSION = US_CORE + "us-core-birthsex"
GENDER_IDENTITY_EXTENSION = US_CORE + "us-core-genderIdentity"

# 42 CFR Part 2 labels (docs/clinical-sources.md §5 and §6).
PART2_SECURITY = (
    {"system": ACT_CODE, "code": "42CFRPart2", "display": "42 CFR Part2"},
    {"system": CONFIDENTIALITY, "code": "R", "display": "restricted"},
)

# LOINC "Progress note", a member of US Core's clinical note types (§6).
PROGRESS_NOTE = {"system": LOINC, "code": "11506-3", "display": "Progress note"}

# Our sex assigned at birth -> FHIR administrative gender and US Core birth sex.
ADMINISTRATIVE_GENDER = {
    "female": "female",
    "male": "male",
    "intersex": "other",
    "unknown": "unknown",
    "declined": "unknown",
}
BIRTH_SEX = {"female": "F", "male": "M", "unknown": "UNK"}
BIRTH_SEX_FROM_FHIR = {"F": "female", "M": "male", "UNK": "unknown"}
