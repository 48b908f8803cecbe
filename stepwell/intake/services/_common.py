"""Helpers shared by the intake services: refuse-and-audit, and model errors as field errors."""

from __future__ import annotations

from django.core.exceptions import ValidationError

from stepwell.core.errors import AccessDenied, ApplicationError
from stepwell.privacy.audit import AuditOutcome, audit_record


def deny(
    *,
    actor,
    action: str,
    object_type: str,
    object_id: object = "",
    patient_id: int | None = None,
    client_address: str = "",
    message: str = "You do not have access to this record.",
) -> AccessDenied:
    """Audit a refused attempt (outside any transaction that will roll back) and return the error."""
    audit_record(
        user=actor,
        action=action,
        patient_id=patient_id,
        object_type=object_type,
        object_id=object_id,
        outcome=AuditOutcome.DENIED,
        client_address=client_address,
    )
    return AccessDenied(message)


def as_application_error(error: ValidationError, message: str) -> ApplicationError:
    field_errors = {field: " ".join(messages) for field, messages in error.message_dict.items()}
    return ApplicationError(message, field_errors=field_errors)


def clean_or_raise(instance, message: str, *, exclude: list[str] | None = None) -> None:
    try:
        instance.full_clean(exclude=exclude)
    except ValidationError as error:
        raise as_application_error(error, message) from error
