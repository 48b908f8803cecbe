"""The one refusal path: audit a denial and raise; the edges turn it into a 403.

- A service calls `refuse(...)` (through the access functions) and raises what it
  returns. The denial is written to the audit trail at once, naming the patient only when
  one exists, so a refusal never tells whether the record exists.
- If the refusal was raised inside a transaction, that transaction rolls back as the
  error leaves it, taking the audit row with it. The one handler at each edge
  (core.middleware.RefusalMiddleware for pages, stepwell.api for the API, job runners)
  calls `refusal_settle(error)` after the rollback, which writes the row again.
- An AccessDenied raised without `refuse` is still audited by `refusal_settle`, from what
  the edge knows (the request path).
"""

from __future__ import annotations

from django.db import connection

from stepwell.core.errors import AccessDenied

from .audit import AuditAction, AuditOutcome, audit_record, denials_in_request


def _atomic_depth() -> int:
    return len(connection.atomic_blocks)


def _existing_patient_id(patient_id) -> int | None:
    from stepwell.patients.models import Patient

    if patient_id in (None, ""):
        return None
    try:
        patient_id = int(patient_id)
    except (TypeError, ValueError):
        return None
    if not 0 < patient_id < 2**63:
        return None
    return patient_id if Patient.objects.filter(pk=patient_id).exists() else None


def refuse(
    *,
    actor,
    action: str = AuditAction.VIEW,
    object_type: str,
    object_id: object = "",
    patient_id: int | None = None,
    detail: dict | None = None,
    message: str | None = None,
    patient_stored: bool = False,
) -> AccessDenied:
    """Write the denial to the audit trail and return the error to raise.

    The patient is named only if stored: an id from a request is looked up first, unless
    the caller says it was read from a stored row (``patient_stored``: a record just read
    points to it)."""
    error = AccessDenied(message) if message else AccessDenied()
    error.audit = {
        "user": actor,
        "action": action,
        "patient_id": patient_id if patient_stored else _existing_patient_id(patient_id),
        "object_type": object_type,
        "object_id": object_id,
        "outcome": AuditOutcome.DENIED,
        "detail": detail or {},
    }
    error.audit_depth = _atomic_depth()
    audit_record(**error.audit)
    return error


def refusal_settle(
    error: AccessDenied, *, request_user=None, object_type: str = "", object_id=""
) -> None:
    """Make sure the refusal is in the audit trail once the transactions it was raised in
    have rolled back. Called by the edge handlers only; `request_user` is whoever the edge
    served (possibly nobody logged in), named when the service raised no audited refusal."""
    if error.audit is None:
        if denials_in_request.get():
            return  # the edge that raised it wrote the denial itself
        error.audit = {
            "user": request_user,
            "action": AuditAction.VIEW,
            "patient_id": None,
            "object_type": object_type or "request",
            "object_id": object_id,
            "outcome": AuditOutcome.DENIED,
            "detail": {"raised_without_refuse": True},
        }
        error.audit_depth = _atomic_depth() + 1
    if error.audit_depth > _atomic_depth():
        audit_record(**error.audit)
        error.audit_depth = _atomic_depth()
