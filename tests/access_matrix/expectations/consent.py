"""Consents, disclosures, emergency access and amendment requests.

Rules: stepwell/privacy/access/consent.py, README "Consent, disclosures and messages".
- Consents and the accounting of disclosures: clinicians, prescribers, nurses, intake
  coordinators and directors acting for the patient read them; the patient reads their own.
- Recording and revoking a consent: intake coordinators, clinicians and directors acting
  for the patient; the patient revokes and signs their own on the portal.
- Disclosing: clinicians and directors acting for the patient.
- Amendment requests: made by the patient; decided by clinicians and directors acting
  for the patient.
- Emergency access: the page is for staff holding a clinical or director role; a grant is
  reviewed by the directors of the patient's program.
"""

from __future__ import annotations

from stepwell.testing.matrix_records import MATRIX_RECIPIENT

from ..facts import (
    CLINICIAN,
    DIRECTOR,
    INTAKE,
    NURSE,
    PRESCRIBER,
    Chart,
    InProgram,
    Own,
    Person,
    portal_users,
)
from ..harness import Entry, On

READERS = Chart() | Own()
KEEPERS = Chart((INTAKE, CLINICIAN, DIRECTOR))
DISCLOSERS = Chart((CLINICIAN, DIRECTOR))
# medical emergency: clinicians, prescribers, nurses and directors acting for the patient
EMERGENCY = Chart((CLINICIAN, PRESCRIBER, NURSE, DIRECTOR))
PATIENTS = ("A", "B")
ON_PATIENT = On({"patient_id": "patient"}, keys=PATIENTS)
ON_CONSENT = On({"consent_id": "consent"}, keys=PATIENTS)
ON_WAITING = On({"consent_id": "consent_waiting"}, keys=PATIENTS)
BREAK_GLASS_STAFF = Person(
    frozenset(
        {
            "clinician",
            "clinician_other",
            "team_clinician",
            "prescriber",
            "nurse",
            "director",
            "director_elsewhere",
        }
    )
)
DIRECTORS = Person(frozenset({"director", "director_elsewhere"}))


def _real(key: str) -> str:
    """The missing-record cell sends a valid body about a record that does exist."""
    return "A" if key == "missing" else key


def _consent_body(world, key):
    key = _real(key)
    return {
        "kind": "hipaa_roi",
        "program_ids": [world.clinic.programs[key].pk],
        "signature_method": "portal",
        "recipient_kind": "named",
        "recipients": "Jordan (sister)",
        "purpose": "family",
        "sections": ["attendance"],
        "expiry_event": "The end of treatment",
    }


def _disclosure_body(world, key):
    key = _real(key)
    return {
        "basis": "consent",
        "consent_id": world.id_of("consent", key),
        "recipient": MATRIX_RECIPIENT,
        "purpose": "treatment",
        "sections": ["diagnoses"],
        "document_format": "pdf",
    }


def _sign(world, key):
    return {"signer_name": world.clinic.patients[_real(key)].legal_name, "agree": "on"}


PAGES = [
    Entry("GET", "consent/patients/{patient_id}/", READERS, on=ON_PATIENT),
    Entry(
        "POST",
        "consent/patients/{patient_id}/consents/new/",
        KEEPERS,
        on=ON_PATIENT,
        data=_consent_body,
        ok=302,
        location="/consent/patients/",
    ),
    Entry(
        "GET",
        "consent/patients/{patient_id}/disclosures/new/",
        DISCLOSERS,
        on=ON_PATIENT,
    ),
    Entry(
        "POST",
        "consent/patients/{patient_id}/disclosures/new/",
        DISCLOSERS,
        on=ON_PATIENT,
        data=_disclosure_body,
        ok=302,
        location="/consent/disclosures/",
    ),
    Entry(
        "GET",
        "consent/patients/{patient_id}/emergency/new/",
        EMERGENCY,
        on=ON_PATIENT,
    ),
    Entry(
        "POST",
        "consent/patients/{patient_id}/emergency/new/",
        EMERGENCY,
        on=ON_PATIENT,
        data={
            "emergency": "Collapsed at work; the ED asks for current diagnoses.",
            "recipient": "Dr. Lee",
            "recipient_affiliation": "County General ED",
            "sections": ["diagnoses"],
            "document_format": "pdf",
        },
        ok=302,
        location="/consent/disclosures/",
    ),
    Entry(
        "POST",
        "consent/disclosures/{disclosure_id}/review/",
        InProgram((DIRECTOR,)),
        on=On({"disclosure_id": "emergency_disclosure"}, keys=PATIENTS),
        data={"note": "Bona fide emergency."},
        ok=302,
        location="/consent/disclosures/",
    ),
    Entry("GET", "consent/consents/{consent_id}/", READERS, on=ON_CONSENT),
    Entry(
        "GET",
        "consent/consents/{consent_id}/pdf/",
        READERS,
        on=ON_CONSENT,
        shows=False,
        note="the PDF of what was signed; the patient's name is inside the PDF",
    ),
    Entry(
        "POST",
        "consent/consents/{consent_id}/revoke/",
        KEEPERS | Own(),
        on=ON_CONSENT,
        data={"note": "by phone"},
        ok=302,
        location="/consent/",
    ),
    Entry("GET", "consent/consents/{consent_id}/sign/", READERS, on=ON_WAITING),
    Entry(
        "POST",
        "consent/consents/{consent_id}/sign/",
        Own(),
        on=ON_WAITING,
        data=_sign,
        ok=302,
        location="/consent/mine/",
    ),
    Entry(
        "GET",
        "consent/disclosures/{disclosure_id}/",
        READERS,
        on=On({"disclosure_id": "disclosure"}, keys=PATIENTS),
    ),
    Entry(
        "POST",
        "consent/amendments/{amendment_id}/decide/",
        DISCLOSERS,
        on=On({"amendment_id": "amendment"}, keys=PATIENTS),
        data={"accept": "no", "reason": "The diagnosis was confirmed."},
        ok=302,
        location="/consent/patients/",
    ),
    Entry("GET", "consent/break-glass/", BREAK_GLASS_STAFF),
    Entry("GET", "consent/break-glass/review/", DIRECTORS, shows=False),
    Entry(
        "POST",
        "consent/break-glass/{grant_id}/review/",
        InProgram((DIRECTOR,)),
        on=On({"grant_id": "grant"}, keys=PATIENTS),
        data={"note": "Justified."},
        ok=302,
        location="/consent/break-glass/review/",
    ),
    Entry("GET", "consent/mine/", portal_users(), shows=False),
    Entry("GET", "consent/mine/record/", portal_users(), shows=False),
    Entry(
        "POST",
        "consent/mine/",
        portal_users(),
        data={"section": "plan", "request": "My goal should say 'walk daily'."},
        ok=302,
        location="/consent/mine/",
    ),
]

API = "/api/v1"
OPERATIONS = [
    Entry(
        "GET",
        f"{API}/patients/{{patient_id}}/consents",
        READERS,
        api=True,
        on=ON_PATIENT,
        shows=False,
        note="the patient's consents; each names its own id, not the patient's",
    ),
    Entry(
        "POST",
        f"{API}/patients/{{patient_id}}/consents",
        KEEPERS,
        api=True,
        on=ON_PATIENT,
        data=lambda world, key: _consent_body(world, key) | {"recipients": ["Jordan (sister)"]},
        ok=201,
    ),
    Entry(
        "POST",
        f"{API}/consents/{{consent_id}}/revoke",
        KEEPERS | Own(),
        api=True,
        on=ON_CONSENT,
        data={"note": "by phone"},
    ),
    Entry(
        "GET",
        f"{API}/patients/{{patient_id}}/disclosures",
        READERS,
        api=True,
        on=ON_PATIENT,
        shows=False,
        note="the patient's disclosures; each names its own id, not the patient's",
    ),
    Entry(
        "POST",
        f"{API}/patients/{{patient_id}}/disclosures",
        DISCLOSERS,
        api=True,
        on=ON_PATIENT,
        data=_disclosure_body,
        ok=201,
    ),
    Entry("GET", f"{API}/patients/{{patient_id}}/record", Own(), api=True, on=ON_PATIENT),
]
