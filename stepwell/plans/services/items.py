"""Saving an item of a draft plan: its fields checked, its place at the end of its list."""

from __future__ import annotations

from django.core.exceptions import ValidationError

from stepwell.core.errors import ApplicationError


def item_save_checked(instance, message: str, exclude=()) -> None:
    """full_clean() then save(); a field's error becomes the ApplicationError's field error."""
    try:
        instance.full_clean(exclude=list(exclude))
    except ValidationError as error:
        raise ApplicationError(
            message,
            field_errors={f: " ".join(m) for f, m in error.message_dict.items()},
        ) from error
    instance.save()


def next_position(queryset) -> int:
    last = queryset.order_by("-position").values_list("position", flat=True).first()
    return 0 if last is None else last + 1
