"""The one error type that use cases raise when a rule refuses an action."""

from __future__ import annotations


class ApplicationError(Exception):
    """A rule of the clinic refused the action; nothing was changed.

    `field_errors` maps a field name to its message so forms and the API can show the
    error next to the field it concerns.
    """

    def __init__(self, message: str, *, field_errors: dict[str, str] | None = None):
        super().__init__(message)
        self.message = message
        self.field_errors = field_errors or {}


class AccessDenied(ApplicationError):
    """The acting user may not do this; the record is not revealed."""

    def __init__(self, message: str = "You do not have access to this record."):
        super().__init__(message)
