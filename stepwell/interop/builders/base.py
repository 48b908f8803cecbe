"""The pieces every FHIR builder uses: references, meta (profile and Part 2 labels),
codings that never guess a system, narrative, and validation through fhir.resources.

Builders return plain dicts; `validated()` parses each one with the R4B model of its type
and returns the model's own serialization, so what leaves Stepwell is exactly what
fhir.resources reads back.
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

from fhir.resources.R4B import get_fhir_model_class

from stepwell.interop import codes


class ResourceInvalid(ValueError):
    """A builder produced a resource its FHIR model refuses (a bug, not bad input)."""


def reference(resource_type: str, resource_id: object, display: str = "") -> dict:
    result = {"reference": f"{resource_type}/{resource_id}"}
    if display:
        result["display"] = display
    return result


def meta(resource_type: str, *, part2: bool) -> dict:
    """The US Core profile where one exists, and the Part 2 labels on Part 2 records."""
    result: dict = {}
    profile = codes.PROFILES.get(resource_type)
    if profile:
        result["profile"] = [profile]
    if part2:
        result["security"] = [dict(label) for label in codes.PART2_SECURITY]
    return result


def coding(system: str, code: str, display: str = "", *, verified: bool = True) -> dict:
    """A coding; an unverified code is sent without its system (docs/clinical-sources.md §6)."""
    result = {"system": system, "code": code} if verified else {"code": code}
    if display:
        result["display"] = display
    return result


def loinc(code, *, display: str = "") -> dict | None:
    """A LoincCode from an instrument definition as a coding, or None."""
    if code is None:
        return None
    return coding(codes.LOINC, code.code, code.display or display, verified=code.verified)


def concept(text: str = "", *codings: dict | None) -> dict:
    result: dict = {}
    present = [c for c in codings if c]
    if present:
        result["coding"] = present
    if text:
        result["text"] = text
    return result


def instant(moment: datetime | None) -> str | None:
    if moment is None:
        return None
    return moment.astimezone(UTC).isoformat()


def day(value: date | None) -> str | None:
    return value.isoformat() if value else None


def narrative(*paragraphs: str) -> dict:
    body = "".join(f"<p>{html.escape(p)}</p>" for p in paragraphs if p)
    return {"status": "generated", "div": f'<div xmlns="http://www.w3.org/1999/xhtml">{body}</div>'}


def prune(value):
    """Drop None, empty strings, lists and dicts: FHIR elements are absent, never empty."""
    if isinstance(value, dict):
        cleaned = {k: prune(v) for k, v in value.items()}
        return {k: v for k, v in cleaned.items() if v not in (None, "", [], {})}
    if isinstance(value, list):
        cleaned = [prune(v) for v in value]
        return [v for v in cleaned if v not in (None, "", [], {})]
    return value


def validated(resource: dict) -> dict:
    """Parse with the R4B model of the resource's type; return its serialization."""
    resource = prune(resource)
    model_class = get_fhir_model_class(resource["resourceType"])
    try:
        model = model_class.model_validate(resource)
    except ValueError as error:
        raise ResourceInvalid(
            f"{resource['resourceType']}/{resource.get('id')}: {error}"
        ) from error
    return model.model_dump(mode="json")


@dataclass
class ResourceSet:
    """Resources collected for one export, each once, in the order first added."""

    resources: dict[tuple[str, str], dict] = field(default_factory=dict)

    def add(self, resource: dict) -> dict:
        key = (resource["resourceType"], str(resource["id"]))
        if key not in self.resources:
            self.resources[key] = validated(resource)
        return self.resources[key]

    def has(self, resource_type: str, resource_id: object) -> bool:
        return (resource_type, str(resource_id)) in self.resources

    def __iter__(self):
        return iter(self.resources.values())

    def __len__(self) -> int:
        return len(self.resources)

    def counts(self) -> dict[str, int]:
        result: dict[str, int] = {}
        for resource_type, _ in self.resources:
            result[resource_type] = result.get(resource_type, 0) + 1
        return dict(sorted(result.items()))

    def by_type(self) -> dict[str, list[dict]]:
        result: dict[str, list[dict]] = {}
        for (resource_type, _), resource in self.resources.items():
            result.setdefault(resource_type, []).append(resource)
        return dict(sorted(result.items()))
