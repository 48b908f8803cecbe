"""Every API operation that takes an id answers a nonexistent one with a refusal that is
written to the audit trail: the same answer as a record one may not see (no oracle), and
no refusal goes unaudited.

The operations come from the OpenAPI document, so a new endpoint is covered as it lands;
operations that take no id are listed below and checked to stay the only ones.
"""

from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path

import pytest

from stepwell.accounts.tokens import token_create
from stepwell.privacy.models import AuditEvent
from stepwell.testing.openapi import openapi_document

MISSING = 987654321
TAKE_NO_ID = {
    "POST /api/v1/auth/token",
    "GET /api/v1/patients",
    "GET /api/v1/audit",
    "GET /api/v1/measures/instruments",
    "GET /api/v1/measures/alerts",
    "GET /api/v1/intake/referrals",
    "POST /api/v1/intake/placement/recommend",
    "GET /api/v1/intake/diagnosis-codes",
    "GET /api/v1/plans/worklist",
    "GET /api/v1/plans/worklist/physician",
    "GET /api/v1/fhir/$export",
    "POST /api/v1/fhir/referrals",
    "GET /api/v1/reports",
    "GET /api/v1/messages",
}
# Plausible values by field name, so that a request reaches the id it is about.
VALUES = {
    "to_state": "screening",
    "status": "present",
    "kind": "individual",
    "instrument": "phq9",
    "answers": {},
    "method": "phone",
    "outcome": "reached",
    "domain": "mood",
    "modality": "individual_therapy",
    "frequency": "1x weekly",
    "role": "patient",
    "started_at": "2026-12-08T09:00:00Z",
    "ended_at": "2026-12-08T10:00:00Z",
    "starts_at": "2026-12-08T09:00:00Z",
    "target_date": "2027-01-15",
    "care_team": [],
    # A valid placement input, so the request gets past validation to the id it names.
    "engine_input": json.loads(
        (
            Path(__file__).resolve().parent.parent / "examples/placement/iop-candidate.json"
        ).read_text()
    ),
    "minutes": 60,
}
PATH_VALUES = {"week": "2026-W50", "kind": "goal"}


def _resolve(schema: dict, components: dict) -> dict:
    ref = schema.get("$ref")
    return components[ref.split("/")[-1]] if ref else schema


def _types(spec: dict) -> set:
    return {spec.get("type")} | {s.get("type") for s in spec.get("anyOf", [])}


def _value(name: str, spec: dict, program_id: int):
    if name == "program_id":
        return program_id
    kinds = {spec.get("type")} | {s.get("type") for s in spec.get("anyOf", [])}
    if name.endswith("_id") and "integer" in kinds:
        return MISSING
    if name in VALUES:
        return VALUES[name]
    formats = {spec.get("format")} | {s.get("format") for s in spec.get("anyOf", [])}
    if "date" in formats:
        return date(2026, 12, 8).isoformat()
    if "date-time" in formats:
        return "2026-12-08T09:00:00Z"
    if "time" in formats:
        return "09:00:00"
    for kind, value in (
        ("string", "x"),
        ("integer", 1),
        ("number", 1),
        ("boolean", False),
        ("array", []),
        ("object", {}),
    ):
        if kind in kinds:
            return value
    return "x"


def operations():
    schema = openapi_document()
    components = schema["components"]["schemas"]
    found = []
    for path, methods in schema["paths"].items():
        for method, operation in methods.items():
            body = operation.get("requestBody")
            body_schema = (
                _resolve(next(iter(body["content"].values()))["schema"], components) if body else {}
            )
            path_ids = [p["name"] for p in operation.get("parameters", []) if p["in"] == "path"]
            body_ids = [
                name
                for name, spec in body_schema.get("properties", {}).items()
                if name.endswith("_id") and "integer" in _types(spec)
            ]
            found.append((method.upper(), path, path_ids, body_schema, body_ids))
    return found


def _request(method, path, path_ids, body_schema, body_ids, program_id):
    url = path
    for name in path_ids:
        url = url.replace("{" + name + "}", str(PATH_VALUES.get(name, MISSING)))
    if path_ids == [] and body_ids == ["program_id"]:
        program_id = MISSING  # the program is the only id: make it the missing one
    if body_schema.get("type") == "array":
        return url, []
    properties = body_schema.get("properties", {})
    required = set(body_schema.get("required", [])) | set(body_ids)
    body = {n: _value(n, properties[n], program_id) for n in properties if n in required}
    return url, body


OPERATIONS = [op for op in operations() if f"{op[0]} {op[1]}" not in TAKE_NO_ID]


def test_the_operations_without_an_id_are_the_known_ones():
    without = {
        f"{m} {p}" for m, p, path_ids, _, body_ids in operations() if not path_ids + body_ids
    }
    assert without == TAKE_NO_ID


@pytest.mark.parametrize(
    "who",
    ["director_a", "clinician_a", "prescriber_a", "nurse_a", "intake_a", "billing_a", "admin"],
)
@pytest.mark.parametrize(
    ("method", "path", "path_ids", "body_schema", "body_ids"),
    OPERATIONS,
    ids=[f"{op[0]} {op[1]}" for op in OPERATIONS],
)
def test_a_nonexistent_id_is_refused_and_audited(
    client, clinic, who, method, path, path_ids, body_schema, body_ids
):
    user = getattr(clinic, who)
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token_create(user=user, name='probe').plaintext}"}
    url, body = _request(method, path, path_ids, body_schema, body_ids, clinic.program_a.pk)
    before = AuditEvent.objects.order_by("-seq").values_list("seq", flat=True).first() or 0
    response = client.generic(
        method,
        url,
        data=json.dumps(body) if body_schema else "",
        content_type="application/json",
        **headers,
    )
    assert response.status_code in (403, 404), (response.status_code, response.content[:300])
    assert not re.search(rb"Traceback|already registered", response.content)
    denied = AuditEvent.objects.filter(seq__gt=before, outcome="denied", user_id=user.pk)
    assert denied.exists(), f"{method} {url} {body}: refused without an audit event"


def test_no_two_api_schemas_share_a_name():
    """The OpenAPI document names each schema by its class name: two classes with one name
    make one of them describe the other's operations (an alumni attendance body once stood
    for the care attendance body)."""
    import ninja

    from stepwell.api import api

    api.get_openapi_schema()  # imports every router

    def subclasses(cls):
        for sub in cls.__subclasses__():
            yield sub
            yield from subclasses(sub)

    homes: dict[str, set[str]] = {}
    for cls in subclasses(ninja.Schema):
        if cls.__module__.startswith("stepwell."):
            homes.setdefault(cls.__name__, set()).add(cls.__module__)
    assert {name: mods for name, mods in homes.items() if len(mods) > 1} == {}
