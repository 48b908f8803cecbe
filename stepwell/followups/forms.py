"""The follow-up form (questionnaires built from their definitions, then the short
questions), the staff phone form, and the worklist filter."""

from __future__ import annotations

from django import forms

from .models import FollowUpStatus
from .rules import EMPLOYMENT_LABELS, Employment, ShortAnswers

YES_NO = [("yes", "Yes"), ("no", "No")]
SHORT_FIELDS = (
    "in_treatment",
    "in_treatment_where",
    "readmitted_higher_level",
    "days_of_use_last_30",
    "employment",
)


class FollowUpForm(forms.Form):
    """One radio group per questionnaire item (all optional here: the engine says which
    must be answered, so a safety answer is kept), then the short questions."""

    def __init__(self, *args, instruments, short_required: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        self.instruments = instruments
        self.item_keys = []
        for instrument in instruments:
            for number, item in enumerate(instrument.items, 1):
                self.fields[item.key] = forms.ChoiceField(
                    label=f"{number}. {item.text}",
                    choices=[(str(option.value), option.label) for option in item.options],
                    widget=forms.RadioSelect,
                    required=False,
                )
                self.item_keys.append(item.key)
        required = {"required": "Choose an answer."}
        self.fields["in_treatment"] = forms.ChoiceField(
            label="Are you in treatment now (a therapist, a program, a prescriber)?",
            choices=YES_NO,
            widget=forms.RadioSelect,
            required=short_required,
            error_messages=required,
        )
        self.fields["in_treatment_where"] = forms.CharField(
            label="If yes, where?", max_length=200, required=False
        )
        self.fields["readmitted_higher_level"] = forms.ChoiceField(
            label="Since you left, have you stayed in a hospital, a residential program, or "
            "another day program?",
            choices=YES_NO,
            widget=forms.RadioSelect,
            required=short_required,
            error_messages=required,
        )
        self.fields["days_of_use_last_30"] = forms.IntegerField(
            label="In the last 30 days, on how many days did you drink alcohol or use drugs?",
            min_value=0,
            max_value=30,
            required=short_required,
            error_messages={"required": "Give a number from 0 to 30."},
            widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
        )
        self.fields["employment"] = forms.ChoiceField(
            label="Are you working or in school now?",
            choices=[(value.value, EMPLOYMENT_LABELS[value]) for value in Employment],
            widget=forms.RadioSelect,
            required=short_required,
            error_messages=required,
        )

    def item_fields(self, instrument):
        return [self[item.key] for item in instrument.items]

    def short_fields(self):
        return [self[name] for name in SHORT_FIELDS]

    def answers(self) -> dict[str, str]:
        cleaned = getattr(self, "cleaned_data", {})
        return {key: cleaned[key] for key in self.item_keys if cleaned.get(key) not in ("", None)}

    def short(self) -> ShortAnswers | None:
        cleaned = getattr(self, "cleaned_data", {})
        if any(
            cleaned.get(name) in ("", None) for name in SHORT_FIELDS if name != "in_treatment_where"
        ):
            return None
        return ShortAnswers(
            in_treatment=cleaned["in_treatment"] == "yes",
            in_treatment_where=cleaned.get("in_treatment_where") or "",
            readmitted_higher_level=cleaned["readmitted_higher_level"] == "yes",
            days_of_use_last_30=cleaned["days_of_use_last_30"],
            employment=Employment(cleaned["employment"]),
        )


class PhoneForm(FollowUpForm):
    """A staff phone call: nobody reached, or the answers given."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, short_required=False, **kwargs)
        self.fields["reached"] = forms.ChoiceField(
            label="Did you reach the person?",
            choices=[("yes", "Yes, they answered"), ("no", "No answer")],
            widget=forms.RadioSelect,
            error_messages={"required": "Say whether you reached them."},
        )
        self.fields["note"] = forms.CharField(
            label="Note (optional)", max_length=300, required=False
        )
        self.order_fields(["reached", "note"])

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("reached") == "yes":
            for name in SHORT_FIELDS:
                missing = cleaned.get(name) in ("", None) and name not in self.errors
                if name != "in_treatment_where" and missing:
                    self.add_error(name, "Answer this when the person was reached.")
        return cleaned


class WorklistFilter(forms.Form):
    status = forms.ChoiceField(
        choices=[("", "Every status"), *FollowUpStatus.choices], required=False
    )


class PolicyForm(forms.Form):
    days = forms.CharField(
        label="Days after discharge",
        max_length=100,
        help_text="Whole days, separated by commas, such as 30, 60, 90.",
    )
    instruments = forms.MultipleChoiceField(
        label="Questionnaires",
        choices=[
            ("phq9", "PHQ-9 (depression)"),
            ("gad7", "GAD-7 (anxiety)"),
            ("auditc", "AUDIT-C (alcohol)"),
            ("dast10", "DAST-10 (drugs)"),
            ("pcl5", "PCL-5 (trauma)"),
        ],
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Choose at least one questionnaire."},
    )
    max_attempts = forms.IntegerField(
        label="Attempts before a follow-up is unreachable", min_value=1, max_value=10
    )
    wait_days = forms.IntegerField(label="Days to wait between attempts", min_value=1, max_value=60)
