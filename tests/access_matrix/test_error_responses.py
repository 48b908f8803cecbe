"""Every API operation declares the errors it can answer, with the one error body
(stepwell.core.api_schemas.ErrorOut): 400 (a rule refused), 401 (no valid credentials),
403 (refused, or a record one may not see), 404 (nothing there) and 422 (malformed input).
The FHIR operations answer a malformed or unknown resource with a FHIR OperationOutcome,
as FHIR clients expect (declared as a JSON object); their refusals are the one body too.
"""

from __future__ import annotations

from stepwell.core.api_schemas import STANDARD_ERRORS, ErrorOut
from stepwell.testing.openapi import api_operations


def _declared() -> list[tuple[str, dict[int, object]]]:
    """(operation, status -> response model) for every operation of the API."""
    from stepwell.api import api

    api.get_openapi_schema()  # builds the routers' operations
    found = []
    for prefix, router in api._routers:
        for path, view in router.path_operations.items():
            for operation in view.operations:
                for method in operation.methods:
                    label = f"{method} /api/v1{(prefix.rstrip('/') + '/' + path.lstrip('/')).rstrip('/')}"
                    declared = {
                        status: _body(model) for status, model in operation.response_models.items()
                    }
                    found.append((label, declared))
    return found


def _body(model):
    """The schema an answer declares: ninja wraps each in a model with one `response` field."""
    if model is None:
        return None
    field = model.model_fields.get("response")
    return field.annotation if field is not None else model


def test_the_walk_sees_every_operation():
    assert len(_declared()) == len(api_operations())


FHIR = "/api/v1/fhir/"
OPERATION_OUTCOME = dict
FHIR_OUTCOME_STATUSES = {400, 404, 422}


def _fits(label: str, status: int, body) -> bool:
    if body is ErrorOut:
        return True
    fhir = label.split(" ", 1)[1].startswith(FHIR)
    return fhir and status in FHIR_OUTCOME_STATUSES and body is OPERATION_OUTCOME


def test_every_operation_declares_the_standard_errors_with_the_one_body():
    wrong = []
    for label, declared in _declared():
        for status in STANDARD_ERRORS:
            if not _fits(label, status, declared.get(status)):
                wrong.append(
                    f"{label}: {status} {getattr(declared.get(status), '__module__', 'missing')}"
                )
    assert wrong == [], "\n".join(wrong)
