"""A rule's refusal on a form page: each field error next to its field; the rule's message
at the top whenever an error cannot go next to a field, with that error named under it."""

from __future__ import annotations

from django import forms

from stepwell.core.errors import ApplicationError
from stepwell.core.forms import form_add_service_errors, form_call


class _Form(forms.Form):
    name = forms.CharField(required=False)


def _refused(error: ApplicationError) -> _Form:
    form = _Form({"name": "x"})
    assert form.is_valid()

    def service():
        raise error

    assert form_call(form, service) is None
    assert form.service_error is error
    return form


def test_a_field_error_goes_next_to_its_field():
    form = _refused(ApplicationError("Give the token a name.", field_errors={"name": "Required."}))
    assert form.non_field_errors() == []
    assert form.errors["name"] == ["Required."]


def test_a_field_the_form_does_not_have_is_named_under_the_message():
    form = _refused(
        ApplicationError(
            "This plan version is signed and cannot be changed; start a revision.",
            field_errors={"signed_plan": "Signed versions are immutable."},
        )
    )
    assert form.non_field_errors() == [
        "This plan version is signed and cannot be changed; start a revision.",
        "signed plan: Signed versions are immutable.",
    ]


def test_a_message_alone_is_the_top_error():
    form = _Form({"name": "x"})
    form.is_valid()
    form_add_service_errors(form, ApplicationError("No such window."))
    assert form.non_field_errors() == ["No such window."]
    assert "name" not in form.errors
