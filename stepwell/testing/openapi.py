"""The API's OpenAPI document for tests.

The tests that walk every operation (the access matrix, the extremes, the refusals, the
conformance test) read it at collection and, in the extremes file, twice per operation.
The API builds it once per process and hands each caller a copy (stepwell.api), so a
test that changes its copy changes it for nobody else.
"""

from __future__ import annotations


def openapi_document() -> dict:
    """The document, a copy of the process's own."""
    from stepwell.api import api

    return api.get_openapi_schema()


def api_operations() -> list[tuple[str, str, dict]]:
    """Every operation as (method, path, operation object), in the document's order."""
    schema = openapi_document()
    return [
        (method.upper(), path, operation)
        for path, methods in schema["paths"].items()
        for method, operation in methods.items()
    ]
