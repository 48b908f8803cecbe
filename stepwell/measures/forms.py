"""Forms built from an instrument definition; the scoring engine decides what is valid."""

from __future__ import annotations

from django import forms

from stepwell.measures.instruments import Instrument


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
