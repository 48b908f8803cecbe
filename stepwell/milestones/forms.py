"""The milestone pages' forms: typed fields, so bad input is a field error."""

from __future__ import annotations

from django import forms

from .services import TEXT_MAX, TITLE_MAX


class MilestoneRecordForm(forms.Form):
    title = forms.CharField(
        label="Milestone",
        max_length=TITLE_MAX,
        help_text='A short title, e.g. "Used a grounding skill at work".',
    )
    text = forms.CharField(
        label="What happened",
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    achieved_on = forms.DateField(
        label="Date", widget=forms.DateInput(attrs={"type": "date"}), input_formats=["%Y-%m-%d"]
    )


class SharingForm(forms.Form):
    named_in_group = forms.TypedChoiceField(
        label="May milestones be named in group?",
        choices=[("yes", "Yes"), ("no", "No")],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
    )
