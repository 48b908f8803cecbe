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


class ListedChoiceIterator(forms.models.ModelChoiceIterator):
    """A select's records read in one query. Django's iterator reads them through a
    server-side cursor (on PostgreSQL three round trips and a result kept past the
    transaction, for a list of a few dozen), and again for each time the select is
    shown; a select's choices are few, and read once here."""

    def _records(self):
        listed = getattr(self.field, "listed", None)
        # the queryset's own cache: one query however many reads
        return self.queryset if listed is None else listed

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        for obj in self._records():
            yield self.choice(obj)

    def __len__(self):  # from the same read, not a COUNT beside it
        return len(self._records()) + (1 if self.field.empty_label is not None else 0)

    def __bool__(self):
        return self.field.empty_label is not None or bool(self._records())


class ModelChoiceField(forms.ModelChoiceField):
    """A choice of one record among a queryset's (Django's field, its choices read in one
    query: ListedChoiceIterator). Every form of the project uses this one."""

    iterator = ListedChoiceIterator
    listed: list | None = None  # the queryset's records, read already (offer)

    def _set_queryset(self, queryset):
        self.listed = None  # records read for another queryset are not this one's
        super()._set_queryset(queryset)

    queryset = property(forms.ModelChoiceField._get_queryset, _set_queryset)

    def offer(self, queryset, listed: list) -> None:
        """Offer ``queryset``'s records, read already as ``listed`` (by a query kept
        compiled, in the queryset's order): the select shows them without reading them
        again; a choice sent is still checked against ``queryset``."""
        self.queryset = queryset  # (the select's choices read ``listed`` when shown)
        self.listed = list(listed)


class ModelMultipleChoiceField(forms.ModelMultipleChoiceField):
    """A choice of records among a queryset's, its choices read in one query."""

    iterator = ListedChoiceIterator


class RecordIdChoiceField(ModelChoiceField):
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
