"""The API's OpenAPI document for tests, built once per process.

django-ninja builds the document anew on every call (0.3 to 0.5 s); the tests that walk
every operation (the access matrix, the extremes, the refusals, the conformance test)
asked for it at collection and, in the extremes file, twice per operation.
"""

from __future__ import annotations

import copy
import functools


@functools.cache
def _built() -> dict:
    from stepwell.api import api

    return api.get_openapi_schema()


def openapi_document() -> dict:
    """The document: a copy, so that a test that changes it changes it for nobody else."""
    return copy.deepcopy(_built())


def api_operations() -> list[tuple[str, str, dict]]:
    """Every operation as (method, path, operation object), in the document's order."""
    schema = openapi_document()
    return [
        (method.upper(), path, operation)
        for path, methods in schema["paths"].items()
        for method, operation in methods.items()
    ]
