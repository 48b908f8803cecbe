"""Addiction medicine records: a naloxone kit offered or provided (for every patient
with opioid use disorder), and the prescriber's attestation that they checked the state
prescription drug monitoring program (Stepwell has no PDMP connection)
(docs/clinical-sources.md §7)."""

from __future__ import annotations

from datetime import date

from django.db import transaction

from stepwell.privacy.access.meds import MedsNeed, access_patient_meds_by_id
from stepwell.privacy.audit import AuditAction

from ..models import NaloxoneAction, NaloxoneRecord, PdmpCheck
from .common import meds_audit, patient_today, refused

US_STATES = frozenset(
    [
        "AL",
        "AK",
        "AZ",
        "AR",
        "CA",
        "CO",
        "CT",
        "DE",
        "DC",
        "FL",
        "GA",
        "HI",
        "ID",
        "IL",
        "IN",
        "IA",
        "KS",
        "KY",
        "LA",
        "ME",
        "MD",
        "MA",
        "MI",
        "MN",
        "MS",
        "MO",
        "MT",
        "NE",
        "NV",
        "NH",
        "NJ",
        "NM",
        "NY",
        "NC",
        "ND",
        "OH",
        "OK",
        "OR",
        "PA",
        "PR",
        "RI",
        "SC",
        "SD",
        "TN",
        "TX",
        "UT",
        "VT",
        "VA",
        "WA",
        "WV",
        "WI",
        "WY",
        "GU",
        "VI",
    ]
)


def naloxone_record(*, actor, patient_id: int, action: str, on: date | None = None):
    patient = access_patient_meds_by_id(
        actor,
        patient_id,
        need=MedsNeed.WRITE,
        action=AuditAction.CREATE,
        object_type="naloxone",
        object_id="new",
    )
    if action not in NaloxoneAction.values:
        raise refused("action", "Choose offered, provided or already has a kit.")
    on = on or patient_today(patient)
    if on > patient_today(patient):
        raise refused("on", "The date cannot be in the future.")
    with transaction.atomic():
        record = NaloxoneRecord.objects.create(
            patient=patient, action=action, on=on, recorded_by=actor
        )
        meds_audit(
            actor,
            AuditAction.CREATE,
            patient_id=patient.pk,
            object_type="naloxone",
            object_id=record.pk,
            naloxone=action,
        )
    return record


def pdmp_attest(
    *, actor, patient_id: int, checked_on: date | None, state: str, findings: str = ""
) -> PdmpCheck:
    """ "I checked the STATE PDMP for this patient on DATE": a prescriber's attestation."""
    patient = access_patient_meds_by_id(
        actor,
        patient_id,
        need=MedsNeed.PDMP,
        action=AuditAction.CREATE,
        object_type="pdmp_check",
        object_id="new",
    )
    state = (state or "").strip().upper()
    if state not in US_STATES:
        raise refused("state", "Give the state's two-letter code, such as IL.")
    if checked_on is None:
        raise refused("checked_on", "Give the date of the check.")
    if checked_on > patient_today(patient):
        raise refused("checked_on", "The date of the check cannot be in the future.")
    attestation = (
        f"I, {actor}, checked the {state} prescription drug monitoring program for this "
        f"patient on {checked_on.isoformat()}."
    )
    with transaction.atomic():
        check = PdmpCheck.objects.create(
            patient=patient,
            checked_on=checked_on,
            state=state,
            findings=(findings or "").strip()[:300],
            attested_by=actor,
            attestation=attestation[:300],
        )
        meds_audit(
            actor,
            AuditAction.CREATE,
            patient_id=patient.pk,
            object_type="pdmp_check",
            object_id=check.pk,
        )
    return check
