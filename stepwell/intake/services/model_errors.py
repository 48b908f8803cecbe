"""A model's validation errors as the field errors of an ApplicationError."""

from __future__ import annotations

from django.core.exceptions import ValidationError

from stepwell.core.errors import ApplicationError


def as_application_error(error: ValidationError, message: str) -> ApplicationError:
    field_errors = {field: " ".join(messages) for field, messages in error.message_dict.items()}
    return ApplicationError(message, field_errors=field_errors)


def clean_or_raise(instance, message: str, *, exclude: list[str] | None = None) -> None:
    try:
        instance.full_clean(exclude=exclude)
    except ValidationError as error:
        raise as_application_error(error, message) from error
