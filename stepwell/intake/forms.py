"""Forms for the intake pages. Shape checks only; the rules live in the services."""

from __future__ import annotations

from django import forms

from stepwell.clinic.models import LevelOfCare, Program
from stepwell.core.forms import ModelChoiceField, RecordIdChoiceField
from stepwell.patients.models import CareTeamRole, SexAssignedAtBirth
from stepwell.placement.inputs import (
    Dimension,
    FunctionalImpairment,
    MentalHealthSeverity,
    PreviousLowerLevel,
    PreviousOutcome,
    StepDownFrom,
    SuicideRisk,
)
from stepwell.placement.levels import LevelOfCare as EngineLevel

from .models import (
    ContactMethod,
    ContactOutcome,
    IntakeAssessment,
    ReferralSource,
    ReferralState,
    TreatmentOutcome,
    Urgency,
    Weekday,
)
from .services import ASSESSMENT_FIELDS


class DateInput(forms.DateInput):
    input_type = "date"


class TimeInput(forms.TimeInput):
    input_type = "time"


def _choices(enum) -> list[tuple[str, str]]:
    return [(member.value, member.value.replace("_", " ")) for member in enum]


class ReferralForm(forms.Form):
    program = RecordIdChoiceField(queryset=Program.objects.none())
    legal_first_name = forms.CharField(max_length=100)
    legal_last_name = forms.CharField(max_length=100)
    date_of_birth = forms.DateField(widget=DateInput)
    sex_assigned_at_birth = forms.ChoiceField(choices=SexAssignedAtBirth.choices)
    phone = forms.CharField(max_length=32, required=False)
    email = forms.EmailField(required=False)
    source = forms.ChoiceField(choices=ReferralSource.choices)
    source_detail = forms.CharField(max_length=200, required=False, label="Referred by")
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), label="Reason for referral")
    urgency = forms.ChoiceField(choices=Urgency.choices)
    insurance = forms.CharField(max_length=300, required=False, label="Insurance")
    received_on = forms.DateField(widget=DateInput, required=False, help_text="Defaults to today.")
    confirm_not_duplicate = forms.BooleanField(
        required=False, label="I checked: this is a different person from the matching record"
    )

    PATIENT_FIELDS = (
        "legal_first_name",
        "legal_last_name",
        "date_of_birth",
        "sex_assigned_at_birth",
        "phone",
        "email",
    )

    def __init__(self, *args, programs=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["program"].queryset = (
            programs if programs is not None else Program.objects.none()
        )


class ActionForm(forms.Form):
    """A button's form: no fields; a rule's refusal is kept on it (core.forms.form_call)."""


class ContactForm(forms.Form):
    method = forms.ChoiceField(choices=ContactMethod.choices)
    outcome = forms.ChoiceField(choices=ContactOutcome.choices)
    note = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))


class ReferralMoveForm(forms.Form):
    to_state = forms.ChoiceField(choices=ReferralState.choices, label="Move to")
    effective_date = forms.DateField(
        widget=DateInput, required=False, help_text="Defaults to today."
    )
    screening_at = forms.DateTimeField(
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
        label="Screening appointment",
    )
    reason = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))
    referred_to = forms.CharField(required=False, max_length=200)
    level_of_care = forms.ChoiceField(
        required=False, choices=[("", "—"), *LevelOfCare.choices], label="Referred to level of care"
    )

    def __init__(self, *args, allowed=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_state"].choices = [(s, ReferralState(s).label) for s in allowed]


class AssessmentForm(forms.ModelForm):
    class Meta:
        model = IntakeAssessment
        fields = ASSESSMENT_FIELDS
        widgets = {
            name: forms.Textarea(attrs={"rows": 3})
            for name in ASSESSMENT_FIELDS
            if name not in ("risk_level", "symptom_severity", "functional_impairment")
        }

    def _post_clean(self):
        # The service validates (assessment_update), one rule set for API and page.
        pass


class DiagnosisForm(forms.Form):
    code = forms.CharField(max_length=10, label="ICD-10-CM code")
    primary = forms.BooleanField(required=False)


class PreviousTreatmentForm(forms.Form):
    level_of_care = forms.ChoiceField(choices=LevelOfCare.choices)
    outcome = forms.ChoiceField(choices=TreatmentOutcome.choices)
    provider = forms.CharField(required=False, max_length=200)
    when = forms.CharField(required=False, max_length=100)


class AvailabilityWindowForm(forms.Form):
    weekday = forms.TypedChoiceField(choices=Weekday.choices, coerce=int, label="Day")
    start = forms.TimeField(widget=TimeInput)
    end = forms.TimeField(widget=TimeInput)


class AddendumForm(forms.Form):
    text = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), label="Addendum")


_BLANK = ("", "— choose —")
_NOT_APPLICABLE = "na"
_YES_NO = [_BLANK, ("yes", "yes"), ("no", "no")]


def _rating(value: str) -> int | None:
    return None if value == _NOT_APPLICABLE else int(value)


class PlacementForm(forms.Form):
    """The engine's input (docs/placement-input.md) and the clinician's decision.

    Nothing starts at a default the clinician did not choose: what the assessment gives is
    filled in (intake.selectors.placement_prefill), the rest starts blank and is required.
    """

    mental_health_severity = forms.ChoiceField(
        choices=[_BLANK, *_choices(MentalHealthSeverity)], label="Mental-health symptoms"
    )
    functional_impairment = forms.ChoiceField(choices=[_BLANK, *_choices(FunctionalImpairment)])
    suicide_risk = forms.ChoiceField(choices=[_BLANK, *_choices(SuicideRisk)])
    medically_stable = forms.TypedChoiceField(
        choices=_YES_NO, coerce=lambda v: v == "yes", empty_value=None
    )
    needs_24h_structure = forms.TypedChoiceField(
        choices=_YES_NO,
        coerce=lambda v: v == "yes",
        empty_value=None,
        label="Needs 24-hour structure",
    )
    available_hours_per_week = forms.FloatField(
        min_value=0, max_value=168, label="Hours a week the patient can attend"
    )
    available_days_per_week = forms.IntegerField(
        min_value=0,
        max_value=7,
        required=False,
        label="Days a week the patient can attend",
        help_text="Leave blank if not known.",
    )
    previous_lower_level = forms.ChoiceField(
        choices=[_BLANK, *_choices(PreviousLowerLevel)], label="Earlier lower-level care"
    )
    previous_lower_level_outcome = forms.ChoiceField(
        choices=[_BLANK, *_choices(PreviousOutcome)], label="How that care went"
    )
    step_down_from = forms.ChoiceField(choices=[_BLANK, *_choices(StepDownFrom)])
    decided_level = forms.ChoiceField(
        required=False,
        choices=[("", "Confirm the recommendation"), *_choices(EngineLevel)],
        label="Decision",
    )
    override_reason = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 2}), label="Reason for override"
    )

    ENGINE_FIELDS = (
        "mental_health_severity",
        "functional_impairment",
        "suicide_risk",
        "medically_stable",
        "needs_24h_structure",
        "available_hours_per_week",
        "available_days_per_week",
        "previous_lower_level",
        "previous_lower_level_outcome",
        "step_down_from",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        ratings = [(str(n), str(n)) for n in range(5)]
        dimension_fields = {}
        for dimension in Dimension:
            not_applicable = (
                [(_NOT_APPLICABLE, "not applicable (mental health only)")]
                if dimension.may_be_not_applicable
                else []
            )
            dimension_fields[dimension.value] = forms.TypedChoiceField(
                choices=[_BLANK, *ratings, *not_applicable],
                coerce=_rating,
                label=f"{dimension.number}. {dimension.asam_name} ({dimension.label})",
            )
        # Dimension ratings first, in their own order.
        self.fields = {**dimension_fields, **self.fields}

    def engine_input(self) -> dict:
        data = self.cleaned_data
        return {
            "dimensions": {dimension.value: data[dimension.value] for dimension in Dimension},
            **{key: data[key] for key in self.ENGINE_FIELDS},
        }

    @staticmethod
    def initial_from(engine_input: dict) -> dict:
        """Form values from a stored engine input."""
        initial = {
            key: engine_input[key] for key in PlacementForm.ENGINE_FIELDS if key in engine_input
        }
        for key, rating in engine_input.get("dimensions", {}).items():
            initial[key] = _NOT_APPLICABLE if rating is None else rating
        for key in ("medically_stable", "needs_24h_structure"):
            if key in engine_input:
                initial[key] = "yes" if engine_input[key] else "no"
        return initial


class AdmissionForm(forms.Form):
    primary_clinician = ModelChoiceField(queryset=None)
    prescriber = ModelChoiceField(queryset=None, required=False)
    effective_date = forms.DateField(
        widget=DateInput, required=False, help_text="Defaults to today."
    )
    admitted_from = forms.ChoiceField(
        required=False, choices=[("", "— not recorded"), *LevelOfCare.choices], label="Comes from"
    )

    def __init__(self, *args, clinicians=None, prescribers=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["primary_clinician"].queryset = clinicians
        self.fields["prescriber"].queryset = prescribers

    def care_team(self) -> list[tuple[int, str]]:
        """(staff user id, care-team role) pairs, as admission_admit takes them."""
        team = [(self.cleaned_data["primary_clinician"].pk, CareTeamRole.PRIMARY_CLINICIAN)]
        if self.cleaned_data.get("prescriber"):
            team.append((self.cleaned_data["prescriber"].pk, CareTeamRole.PRESCRIBER))
        return team
