"""Forms for the plan pages. Shape checks only; the rules live in plans/services."""

from __future__ import annotations

from django import forms

from stepwell.core.forms import ModelChoiceField
from stepwell.intake.forms import DateInput
from stepwell.measures.definitions import SHIPPED_KEYS, get_instrument

from .certification import NINE_HOURS_STATEMENT
from .models import (
    MAX_DURATION_WEEKS,
    MAX_MINUTES_PER_SESSION,
    MAX_SESSIONS_PER_WEEK,
    Comparison,
    GoalDomain,
    MeasureKind,
    Modality,
    ObjectiveStatus,
    ReviewOutcome,
)


class ProblemForm(forms.Form):
    statement = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}))
    assessment_finding = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 2}), label="Assessment finding"
    )
    diagnosis_ids = forms.TypedMultipleChoiceField(
        required=False, coerce=int, label="Diagnoses", widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, diagnoses=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["diagnosis_ids"].choices = [
            (d.pk, f"{d.code} {d.description}") for d in diagnoses
        ]


class GoalForm(forms.Form):
    domain = forms.ChoiceField(choices=GoalDomain.choices)
    domain_label = forms.CharField(required=False, max_length=100, label="Clinic's domain name")
    patient_words = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}), label="In the patient's words"
    )
    clinical_wording = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}))


def instrument_choices() -> list[tuple[str, str]]:
    """The questionnaires a measure can name, by their human names (not internal keys)."""
    choices = [("", "—")]
    for key in SHIPPED_KEYS:
        instrument = get_instrument(key)
        choices.append((key, f"{instrument.abbreviation} — {instrument.name}"))
    return choices


class ObjectiveForm(forms.Form):
    description = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}))
    target_date = forms.DateField(widget=DateInput)
    measure_kind = forms.ChoiceField(
        choices=MeasureKind.choices, initial=MeasureKind.NONE, label="Measure"
    )
    instrument = forms.ChoiceField(
        required=False,
        choices=lambda: instrument_choices(),
        label="Questionnaire",
        help_text="For a questionnaire-total measure.",
    )
    comparison = forms.ChoiceField(required=False, choices=[("", "—"), *Comparison.choices])
    target_value = forms.FloatField(required=False)
    module = forms.CharField(required=False, label="Curriculum module")


def _number(label: str, highest: int, unit: str, help_text: str) -> forms.IntegerField:
    return forms.IntegerField(
        label=label,
        min_value=1,
        max_value=highest,
        help_text=help_text,
        error_messages={
            "required": f"Give the {unit}.",
            "invalid": "Give a whole number.",
            "min_value": f"At least 1 ({unit}).",
            "max_value": f"At most {highest} ({unit}).",
        },
    )


class InterventionForm(forms.Form):
    modality = forms.ChoiceField(choices=Modality.choices, label="Type of service")
    minutes_per_session = _number(
        "Minutes per session",
        MAX_MINUTES_PER_SESSION,
        "minutes per session",
        "How long each session lasts, e.g. 180 for a 3-hour group.",
    )
    sessions_per_week = _number(
        "Sessions a week", MAX_SESSIONS_PER_WEEK, "sessions a week", "From 1 to 7."
    )
    duration_weeks = _number(
        "For how many weeks", MAX_DURATION_WEEKS, "weeks", "How long the service is planned for."
    )
    responsible = ModelChoiceField(queryset=None, label="Responsible staff member")
    description = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, staff=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["responsible"].queryset = staff


class StatusForm(forms.Form):
    status = forms.ChoiceField(choices=ObjectiveStatus.choices)
    note = forms.CharField(required=False, max_length=500)


class ReviewForm(forms.Form):
    outcome = forms.ChoiceField(choices=ReviewOutcome.choices)
    note = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}))


class ReviseForm(forms.Form):
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), label="Why revise")


class PhysicianCertificationForm(forms.Form):
    """The physician attests the 9-hour statement explicitly (docs/clinical-sources.md §2.1)."""

    attests_nine_hours = forms.BooleanField(
        required=True,
        error_messages={"required": "Confirm that the patient needs at least 9 hours a week."},
    )

    def __init__(self, *args, kind: str = "certification", **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["attests_nine_hours"].label = NINE_HOURS_STATEMENT.text_for(kind)


class PatientSignatureForm(forms.Form):
    signer_name = forms.CharField(required=False, max_length=200, label="Patient's name as signed")


class ActionForm(forms.Form):
    """A button with no fields (sign as clinician, remove an item): the service's refusal
    is shown with the form's errors."""


class ProblemEditForm(forms.Form):
    statement = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}))
    assessment_finding = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 2}), label="Assessment finding"
    )


class GoalEditForm(forms.Form):
    patient_words = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}), label="In the patient's words"
    )
    clinical_wording = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}))


class ObjectiveEditForm(forms.Form):
    description = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}))
    target_date = forms.DateField(widget=DateInput)


ITEM_EDIT_FORMS = {
    "problem": ProblemEditForm,
    "goal": GoalEditForm,
    "objective": ObjectiveEditForm,
}
