"""FHIR bundles that leave with a disclosure or go to the patient, and the Part 2 notice
they carry.

A bundle holding Part 2 records carries, besides the `42CFRPart2` and `R` labels on each
Part 2 resource and on the bundle (interop): the refrain obligation `NORDSCLCD` (no
redisclosure without the patient's consent) on the bundle, and the 42 CFR 2.32 notice
itself as a DocumentReference (plain text, labelled Part 2), so that a reader of the
bundle finds the words of the notice, not only codes (docs/clinical-sources.md §9.4).
"""

from __future__ import annotations

import base64
import json
import uuid
from datetime import date, datetime

from django.utils import timezone

from stepwell.interop import codes
from stepwell.interop.builders.base import ResourceSet, meta, validated
from stepwell.interop.builders.care import patient_reference
from stepwell.interop.export import bundle_of, has_part2_label
from stepwell.interop.record import RecordCollector
from stepwell.privacy.access.interop import ExportScope

from .notices import EMERGENCY_NOTICE, PART2_NOTICE
from .terms import Section

NO_REDISCLOSURE = {
    "system": codes.ACT_CODE,
    "code": "NORDSCLCD",
    "display": "no redisclosure without consent directive",
}
NOTICE_TITLE = "Notice of prohibition on redisclosure (42 CFR 2.32)"
# Resource types each section brings; Patient, Practitioner and Organization always go.
SECTION_TYPES = {
    Section.EPISODES: {"EpisodeOfCare"},
    Section.DIAGNOSES: {"Condition"},
    Section.PLAN: {"CarePlan", "Goal"},
    Section.MEASURES: {"QuestionnaireResponse", "Observation"},
    Section.ATTENDANCE: {"Encounter", "Appointment"},
    Section.NOTES: {"DocumentReference"},
}
ALWAYS = {"Patient", "Practitioner", "Organization"}
FHIR_SECTIONS = frozenset(SECTION_TYPES)


def notice_resource(patient, *, emergency: bool = False, now: datetime | None = None) -> dict:
    text = (EMERGENCY_NOTICE if emergency else "") + PART2_NOTICE
    return {
        "resourceType": "DocumentReference",
        "id": f"part2-notice-{uuid.uuid4().hex[:12]}",
        "meta": meta("DocumentReference", part2=True),
        "status": "current",
        "type": {"text": NOTICE_TITLE},
        "category": [
            {
                "coding": [
                    {
                        "system": codes.DOCUMENT_CATEGORY,
                        "code": "clinical-note",
                        "display": "Clinical Note",
                    }
                ]
            }
        ],
        "subject": patient_reference(patient),
        "date": (now or timezone.now()).isoformat(),
        "description": NOTICE_TITLE,
        "content": [
            {
                "attachment": {
                    "contentType": "text/plain; charset=utf-8",
                    "language": "en-US",
                    "data": base64.b64encode(text.encode()).decode("ascii"),
                    "title": NOTICE_TITLE,
                }
            }
        ],
    }


def with_part2_notice(bundle: dict, patient, *, emergency: bool = False) -> dict:
    """The bundle with the notice as its second entry and the no-redisclosure obligation."""
    notice = validated(notice_resource(patient, emergency=emergency))
    entries = list(bundle.get("entry", []))
    entries.insert(min(1, len(entries)), {"resource": notice})
    security = list(bundle.get("meta", {}).get("security", []))
    for label in (*codes.PART2_SECURITY, NO_REDISCLOSURE):
        if not any(s.get("code") == label["code"] for s in security):
            security.append(dict(label))
    result = dict(bundle)
    result["entry"] = entries
    result["meta"] = {**bundle.get("meta", {}), "security": security}
    return validated(result)


def bundle_has_notice(bundle: dict) -> bool:
    return any(
        entry["resource"].get("description") == NOTICE_TITLE for entry in bundle.get("entry", [])
    )


def _resource_day(resource: dict) -> date | None:
    """The day a dated resource is about, for the date range of a disclosure."""
    kind = resource["resourceType"]
    value = None
    if kind == "Observation":
        value = resource.get("effectiveDateTime")
    elif kind == "QuestionnaireResponse":
        value = resource.get("authored")
    elif kind == "Encounter":
        value = (resource.get("period") or {}).get("start")
    elif kind == "Appointment":
        value = resource.get("start")
    elif kind == "DocumentReference":
        value = resource.get("date")
    if not value:
        return None
    return date.fromisoformat(str(value)[:10])


def record_bundle(
    patient,
    *,
    episodes,
    sections,
    date_from: date | None = None,
    date_to: date | None = None,
    whole_record: bool = False,
    emergency: bool = False,
) -> dict:
    """The chosen sections of the record over the dates as a Bundle; with the Part 2 notice
    when it holds Part 2 records."""
    scope = ExportScope(episodes=tuple(episodes), whole_record=whole_record)
    collected = RecordCollector(patient, scope).collect()
    wanted = set(ALWAYS)
    for section in sections:
        wanted |= SECTION_TYPES.get(Section(section), set())
    kept = ResourceSet()
    kept_refs = set()
    provenances = []
    for resource in collected:
        kind = resource["resourceType"]
        if kind == "Provenance":
            provenances.append(resource)
            continue
        if kind not in wanted:
            continue
        day = _resource_day(resource)
        if day is not None and date_from is not None and day < date_from:
            continue
        if day is not None and date_to is not None and day > date_to:
            continue
        kept.add(resource)
        kept_refs.add(f"{kind}/{resource['id']}")
    for provenance in provenances:
        if any(t.get("reference") in kept_refs for t in provenance.get("target", [])):
            provenance = dict(provenance)
            provenance["target"] = [
                t for t in provenance["target"] if t.get("reference") in kept_refs
            ]
            kept.add(validated(provenance))
    bundle = bundle_of(kept)
    if any(has_part2_label(r) for r in kept):
        bundle = with_part2_notice(bundle, patient, emergency=emergency)
    return bundle


def bundle_text(bundle: dict) -> str:
    return json.dumps(bundle, separators=(",", ":"))
