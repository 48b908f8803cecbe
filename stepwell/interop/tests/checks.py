"""Checks every export test uses: validation, round trip, references, US Core minimums."""

from __future__ import annotations

import json

from fhir.resources.R4B import get_fhir_model_class
from fhir.resources.R4B.bundle import Bundle

from stepwell.interop import codes

# What each US Core profile requires (cardinality 1.. in US Core 7), checked as paths.
US_CORE_REQUIRED = {
    "Patient": ["identifier", "name", "gender"],
    "Practitioner": ["identifier", "name"],
    "Organization": ["active", "name"],
    "Encounter": ["status", "class", "type", "subject"],
    "Condition": ["category", "code", "subject", "clinicalStatus"],
    "Observation": ["status", "category", "code", "subject", "effectiveDateTime"],
    "QuestionnaireResponse": ["questionnaire", "status", "subject", "authored"],
    "CarePlan": ["text", "status", "intent", "category", "subject"],
    "Goal": ["lifecycleStatus", "description", "subject", "target"],
    "Provenance": ["target", "recorded", "agent"],
    "DocumentReference": ["status", "type", "category", "subject", "content", "date"],
}


def resources_of(bundle: dict) -> list[dict]:
    return [entry["resource"] for entry in bundle["entry"]]


def of_type(bundle: dict, resource_type: str) -> list[dict]:
    return [r for r in resources_of(bundle) if r["resourceType"] == resource_type]


def by_id(bundle: dict, resource_type: str, resource_id: str) -> dict:
    (found,) = [r for r in of_type(bundle, resource_type) if r["id"] == resource_id]
    return found


def assert_valid_resource(resource: dict) -> None:
    """Parses with its R4B model, serializes back to exactly the same JSON, and carries
    its US Core profile and the elements the profile requires."""
    model = get_fhir_model_class(resource["resourceType"]).model_validate(resource)
    assert json.loads(model.model_dump_json()) == resource
    profile = codes.PROFILES.get(resource["resourceType"])
    if profile:
        assert resource["meta"]["profile"] == [profile]
    for element in US_CORE_REQUIRED.get(resource["resourceType"], []):
        assert resource.get(element) not in (None, "", [], {}), (resource["id"], element)


def assert_valid_bundle(bundle: dict) -> None:
    parsed = Bundle.model_validate(bundle)
    assert json.loads(parsed.model_dump_json()) == bundle
    assert bundle["type"] == "collection"
    for resource in resources_of(bundle):
        assert_valid_resource(resource)
    assert_references_resolve(resources_of(bundle))


def references_in(value) -> list[str]:
    found = []
    if isinstance(value, dict):
        if isinstance(value.get("reference"), str):
            found.append(value["reference"])
        for item in value.values():
            found += references_in(item)
    elif isinstance(value, list):
        for item in value:
            found += references_in(item)
    return found


def assert_references_resolve(resources: list[dict]) -> None:
    present = {f"{r['resourceType']}/{r['id']}" for r in resources}
    for resource in resources:
        for target in references_in(resource):
            assert target in present, (resource["resourceType"], resource["id"], target)


def is_part2(resource: dict) -> bool:
    labels = {(s["system"], s["code"]) for s in resource.get("meta", {}).get("security", [])}
    # a bundle also carries the no-redisclosure obligation (consent.fhir.NO_REDISCLOSURE)
    return {(codes.ACT_CODE, "42CFRPart2"), (codes.CONFIDENTIALITY, "R")} <= labels
