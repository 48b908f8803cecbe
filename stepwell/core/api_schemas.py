"""The one error body of the API, and the error answers every operation declares."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class Out(BaseModel):
    """The body of an API answer, or a part of one: read by pydantic itself from the dict
    an operation builds or a record's attributes. (Ninja's Schema reads each field through
    its Django-aware getter, which turns a related manager into a list and calls a method:
    a page of 50 audit events took 0.70 ms to check that way and 0.09 ms this way.) So an
    operation answers with values, and lists as lists."""

    model_config = ConfigDict(from_attributes=True)


class ErrorOut(Out):
    """`detail` says what went wrong; `errors` maps a field to its message."""

    detail: str
    errors: dict[str, str] = {}


# The API's lists come a page at a time: `limit` rows (PAGE_SIZE unless asked, at most
# MAX_PAGE_SIZE) after `offset` (at most MAX_OFFSET: a larger number would not fit the
# database's integer and fail there); a value out of range is a 422 naming the parameter.
PAGE_SIZE = 50
MAX_PAGE_SIZE = 500
MAX_OFFSET = 10**9

# What any operation may answer besides success: a rule refused (400), no valid
# credentials (401), a refusal or a record one may not see (403, the same answer as an
# unknown record), nothing there (404), and malformed input (422).
STANDARD_ERRORS: dict[int, type[ErrorOut]] = {
    400: ErrorOut,
    401: ErrorOut,
    403: ErrorOut,
    404: ErrorOut,
    422: ErrorOut,
}


def responses(success: dict | None = None, *, extra: tuple[int, ...] = ()) -> dict:
    """`response=` for an operation: its success answers plus every standard error
    (and extra ones such as 409 or 429), all with the one error body."""
    declared = dict(STANDARD_ERRORS)
    declared.update(dict.fromkeys(extra, ErrorOut))
    declared.update(success or {})
    return declared
