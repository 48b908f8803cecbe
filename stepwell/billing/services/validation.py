"""full_clean() as an ApplicationError naming each field."""

from __future__ import annotations

from django.core.exceptions import ValidationError

from stepwell.core.errors import ApplicationError


def validated(row, message: str, *, exclude: list[str] | None = None) -> None:
    try:
        row.full_clean(exclude=exclude)
    except ValidationError as error:
        raise ApplicationError(
            message, field_errors={k: " ".join(v) for k, v in error.message_dict.items()}
        ) from error
