"""Forms built from an instrument definition; the scoring engine decides what is valid."""

from __future__ import annotations

from django import forms

from stepwell.core.converters import record_id_or_none
from stepwell.measures.instruments import Instrument, UnknownInstrumentError

from . import selectors
from .models import AlertStatus


class QuestionnaireForm(forms.Form):
    """One radio group per item. Every item is optional here: the engine says which must
    be answered, so a submission with a blank item still reaches the service, which keeps
    a safety answer even when the rest is incomplete."""

    def __init__(self, *args, instrument: Instrument, **kwargs):
        super().__init__(*args, **kwargs)
        self.instrument = instrument
        for number, item in enumerate(instrument.items, 1):
            self.fields[item.key] = forms.ChoiceField(
                label=f"{number}. {item.text}",
                choices=[(str(option.value), option.label) for option in item.options],
                widget=forms.RadioSelect,
                required=False,
            )

    def answers(self) -> dict[str, str]:
        """The answers that are valid options (call after ``is_valid()``, valid or not)."""
        cleaned = getattr(self, "cleaned_data", {})
        return {key: value for key, value in cleaned.items() if value not in ("", None)}


class AlertAcknowledgeForm(forms.Form):
    note = forms.CharField(
        label="Action taken",
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=2000,
        error_messages={"required": "Describe the action taken."},
    )


class QuestionnaireChoiceForm(forms.Form):
    """Which questionnaire to record or send: an instrument, or a due one (by its number).

    The record page reads it from the address (GET) or the form (POST); the chart's send
    buttons post it."""

    instrument = forms.CharField(max_length=64, required=False)
    administration = forms.CharField(max_length=64, required=False)

    def clean_administration(self) -> int | None:
        """A due questionnaire's number: ASCII digits only (int() also reads '٣')."""
        value = (self.cleaned_data.get("administration") or "").strip()
        if not value:
            return None
        number = record_id_or_none(value)
        if number is None or number < 1:
            raise forms.ValidationError("Not a questionnaire number.")
        return number

    def clean_instrument(self) -> str:
        return (self.cleaned_data.get("instrument") or "").strip().lower()


class RecordChoiceForm(QuestionnaireChoiceForm):
    """The record page needs a known instrument."""

    def clean_instrument(self) -> Instrument:
        key = super().clean_instrument()
        try:
            return selectors.instrument_for(key)
        except UnknownInstrumentError:
            raise forms.ValidationError("Choose an instrument to record.") from None


class AlertFilterForm(forms.Form):
    STATUSES = [*AlertStatus.choices, ("all", "All")]

    status = forms.ChoiceField(choices=STATUSES, required=False)

    def status_filter(self) -> str:
        """The status chosen ("open" unless a valid one was given)."""
        if self.is_valid() and self.cleaned_data["status"]:
            return self.cleaned_data["status"]
        return AlertStatus.OPEN
