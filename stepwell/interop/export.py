"""A patient's record as one FHIR Bundle ($everything): checked, gathered, audited.

Every export writes one audit event for the patient with the resource counts; every
refusal writes a denied event and answers like a missing record (docs/clinical-sources.md
§5: reads and disclosures of the record are logged).
"""

from __future__ import annotations

import uuid
from datetime import datetime

from django.utils import timezone

from stepwell.privacy.access.interop import BUNDLE_OBJECT, access_fhir_export_by_id
from stepwell.privacy.audit import AuditAction, audit_record

from . import codes
from .builders.base import ResourceSet, validated
from .record import RecordCollector


def has_part2_label(resource: dict) -> bool:
    return any(
        label.get("code") == "42CFRPart2" and label.get("system") == codes.ACT_CODE
        for label in resource.get("meta", {}).get("security", [])
    )


def bundle_of(resources: ResourceSet, *, base_url: str = "", now: datetime | None = None) -> dict:
    """A collection Bundle; labelled Part 2 as a whole when any entry is."""
    moment = now or timezone.now()
    entries = []
    for resource in resources:
        entry = {"resource": resource}
        if base_url:
            entry["fullUrl"] = f"{base_url}{resource['resourceType']}/{resource['id']}"
        entries.append(entry)
    part2 = any(has_part2_label(r) for r in resources)
    bundle = {
        "resourceType": "Bundle",
        "id": str(uuid.uuid4()),
        "meta": {
            "lastUpdated": moment.isoformat(),
            "security": [dict(label) for label in codes.PART2_SECURITY] if part2 else [],
        },
        "type": "collection",
        "timestamp": moment.isoformat(),
        "entry": entries,
    }
    return validated(bundle)


def patient_everything(
    *,
    actor,
    patient_id: int,
    episode_id: int | None = None,
    base_url: str = "",
    consent_id: int | None = None,
    recipient: str = "",
) -> dict:
    """The patient's record (or one episode of it) as a Bundle, if the actor may export it.

    A record holding 42 CFR Part 2 records always carries the 42 CFR 2.32 notice. Given
    `consent_id` (and the `recipient` it names) the export is a disclosure: refused, naming
    what is missing, unless that consent covers it; then it is in the patient's accounting
    of disclosures (stepwell.consent)."""
    patient, scope = access_fhir_export_by_id(actor, patient_id, episode_id=episode_id)
    collector = RecordCollector(patient, scope)
    resources = collector.collect()
    bundle = bundle_of(resources, base_url=base_url)
    if any(has_part2_label(r) for r in resources):
        from stepwell.consent.services import fhir_export_disclose

        bundle = fhir_export_disclose(
            actor=actor,
            patient=patient,
            scope=scope,
            bundle=bundle,
            consent_id=consent_id,
            recipient=recipient,
        )
    audit_record(
        user=actor,
        action=AuditAction.EXPORT,
        patient_id=patient.pk,
        object_type=BUNDLE_OBJECT,
        object_id=bundle["id"],
        detail={
            "format": "FHIR R4 Bundle",
            "episodes": [e.pk for e in scope.episodes],
            "whole_record": scope.whole_record,
            "part2": any(has_part2_label(r) for r in resources),
            "counts": resources.counts(),
            "skipped": collector.skipped,
        },
    )
    return bundle
