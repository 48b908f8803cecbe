"""The errors use cases raise: a rule refused the action, or the user may not do it."""

from __future__ import annotations

from typing import Any


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
    """The acting user may not do this; the record is not revealed.

    Raise it through privacy.refusals.refuse(), which writes the denial to the audit
    trail. `audit` holds what that row said, and `audit_depth` how deep in transactions
    it was written: when the refusal leaves a transaction that rolls back, the one
    handler at the edge writes the row again (privacy.refusals.refusal_settle).
    """

    def __init__(self, message: str = "You do not have access to this record."):
        super().__init__(message)
        self.audit: dict[str, Any] | None = None
        self.audit_depth: int = 0


class AuthenticationFailed(ApplicationError):
    """The credentials are not right (401), the account is locked (429), or the login
    misses a step it needs (403). Answered with its status by the API's handler."""

    def __init__(
        self, message: str, *, field_errors: dict[str, str] | None = None, status: int = 401
    ):
        super().__init__(message, field_errors=field_errors)
        self.status = status
