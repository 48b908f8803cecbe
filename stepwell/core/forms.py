"""Showing a use case's refusal on the form that asked for it."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError

from .errors import AccessDenied, ApplicationError


def form_add_service_errors(form: forms.Form, error: ApplicationError) -> None:
    """Each field error next to its field. When an error cannot go next to a field (none
    is named, or the form has no such field), the rule's message goes at the top, so the
    page says what was not done and why, followed by those errors under the field's name."""
    unplaced = []
    for field, message in error.field_errors.items():
        if field in form.fields:
            form.add_error(field, message)
        else:
            unplaced.append(f"{field.replace('_', ' ')}: {message}")
    if unplaced or not error.field_errors:
        form.add_error(None, error.message)
    for message in unplaced:
        form.add_error(None, message)


class RecordIdChoiceField(forms.ModelChoiceField):
    """A choice among the records the user may use (the queryset the select offers),
    cleaned to the chosen id. Any other id is passed on: the use case's access check
    refuses it (403, audited) exactly as it refuses the same id through the API, instead of
    the page answering with a form error. Text that is not an id is a field error."""

    def to_python(self, value):
        if value in self.empty_values:
            return None
        try:
            return int(value)
        except (TypeError, ValueError) as error:
            raise ValidationError(
                self.error_messages["invalid_choice"], code="invalid_choice"
            ) from error

    def validate(self, value):
        forms.Field.validate(self, value)


def form_call(form: forms.Form, service, /, **kwargs):
    """Call a service for a form page; a rule's refusal goes onto the form.

    This is the one place that catches ApplicationError for pages, so the user sees the
    message next to the field it names. An AccessDenied is never caught here: it goes on to
    the refusal middleware (audited 403). Returns the service's result, or None when the
    rule refused (the form then holds the errors, and `form.service_error` the error itself,
    for a page that shows more of it, such as the matches of a possible duplicate).
    """
    try:
        return service(**kwargs)
    except AccessDenied:
        raise
    except ApplicationError as error:
        form_add_service_errors(form, error)
        form.service_error = error
        return None


def message_call(request, service, /, **kwargs):
    """Call a service for a button with no form of its own (revoke a token, send a link):
    a rule's refusal becomes the page's error message, as form_call puts it on a form.
    AccessDenied goes on to the refusal middleware. Returns the result, or None."""
    try:
        return service(**kwargs)
    except AccessDenied:
        raise
    except ApplicationError as error:
        messages.error(request, error.message)
        return None
