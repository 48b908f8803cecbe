"""Showing a use case's refusal on the form that asked for it."""

from __future__ import annotations

from django import forms

from .errors import ApplicationError


def form_add_service_errors(form: forms.Form, error: ApplicationError) -> None:
    """Put each field error next to its field; the rest, or the message, at the top."""
    placed = False
    for field, message in error.field_errors.items():
        if field in form.fields:
            form.add_error(field, message)
        else:
            form.add_error(None, f"{field.replace('_', ' ')}: {message}")
        placed = True
    if not placed:
        form.add_error(None, error.message)
