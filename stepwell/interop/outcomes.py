"""OperationOutcome: how the FHIR endpoints say what is wrong, element by element."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from .builders.base import validated


@dataclass(frozen=True)
class Issue:
    """One problem: where (a FHIRPath such as Bundle.entry[0].resource.birthDate), what."""

    expression: str
    message: str
    code: str = "invalid"
    severity: str = "error"


class FhirInputError(Exception):
    """The request's FHIR content is refused; nothing was written.

    `status` is 400 when the content is not valid FHIR, 422 when it is valid FHIR that
    does not make a referral, 409 when it may duplicate a registered patient.
    """

    def __init__(self, issues: Iterable[Issue], *, status: int = 422):
        self.issues = tuple(issues)
        self.status = status
        super().__init__("; ".join(f"{i.expression}: {i.message}" for i in self.issues))


def operation_outcome(issues: Iterable[Issue]) -> dict:
    return validated(
        {
            "resourceType": "OperationOutcome",
            "issue": [
                {
                    "severity": issue.severity,
                    "code": issue.code,
                    "diagnostics": issue.message,
                    "expression": [issue.expression] if issue.expression else [],
                }
                for issue in issues
            ],
        }
    )


def fhir_path(root: str, location: Iterable[object]) -> str:
    """('entry', 0, 'resource', 'birthDate') -> Bundle.entry[0].resource.birthDate"""
    path = root
    for part in location:
        if isinstance(part, int):
            path += f"[{part}]"
        elif isinstance(part, str) and part.replace("_", "").isalnum():
            path += f".{part}"
    return path
