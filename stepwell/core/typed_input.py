"""Pydantic's validation errors as `(field path, problem)` pairs in our words. No Django.

The engines read their JSON files (a schedule week, an instrument definition, a placement
input) through pydantic v2 models at the boundary and build their own frozen dataclasses
from the result. This module turns pydantic's error locations into the field paths users
see, `patients[3].availability[0].start`, and its error types into short plain messages.
A validator that wants its own wording raises `problem(message)`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from pydantic import ValidationError
from pydantic_core import ErrorDetails, PydanticCustomError

# pydantic error type -> our message; `{name}` is filled from the error's context.
MESSAGES: Mapping[str, str] = {
    "missing": "is required",
    "extra_forbidden": "unknown field",
    "int_type": "must be a whole number",
    "int_parsing": "must be a whole number",
    "int_from_float": "must be a whole number",
    "float_type": "must be a number",
    "float_parsing": "must be a number",
    "bool_type": "must be true or false",
    "bool_parsing": "must be true or false",
    "string_type": "must be a string",
    "string_too_short": "must not be empty",
    "list_type": "must be a list",
    "tuple_type": "must be a list",
    "dict_type": "must be an object",
    "model_type": "must be an object",
    "model_attributes_type": "must be an object",
    "greater_than_equal": "must be at least {ge}",
    "greater_than": "must be more than {gt}",
    "less_than_equal": "must be at most {le}",
    "less_than": "must be less than {lt}",
    "too_short": "must list at least {min_length}",
    "too_long": "must list at most {max_length}",
    "none_required": "must be null",
}
_PROBLEM = "problem"


def problem(message: str) -> PydanticCustomError:
    """An error a validator raises when our wording says it better than pydantic's."""
    return PydanticCustomError(_PROBLEM, "{message}", {"message": message})


def field_path(location: Sequence[int | str], prefix: str = "") -> str:
    """`("patients", 3, "availability")` -> `patients[3].availability`; `$` for the root."""
    path = prefix
    for part in location:
        if part == "[key]":  # pydantic marks a bad dictionary key; the key names the field
            continue
        if isinstance(part, int):
            path += f"[{part}]"
        else:
            path += f".{part}" if path else str(part)
    return path or "$"


def message(error: ErrorDetails, messages: Mapping[str, str] = MESSAGES) -> str:
    """The plain message of one pydantic error."""
    if error["type"] == _PROBLEM:
        return error["msg"]
    template = messages.get(error["type"]) or MESSAGES.get(error["type"])
    if template is None:
        return error["msg"]
    return template.format(**error.get("ctx", {}))


def field_errors(
    error: ValidationError, prefix: str = "", messages: Mapping[str, str] = MESSAGES
) -> list[tuple[str, str]]:
    """Every error of a failed validation as `(field path, message)`, in pydantic's order."""
    return [
        (field_path(each["loc"], prefix), message(each, messages))
        for each in error.errors(include_url=False)
    ]
