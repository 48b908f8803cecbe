from __future__ import annotations

from django import forms

from stepwell.clinic.models import LevelOfCare, Program
from stepwell.core.forms import ModelChoiceField, RecordIdChoiceField

from .details import DETAIL_FIELDS
from .duplicates import PossibleDuplicate
from .models import CareTeamRole, Disposition, EpisodeState, FamilyContact, Patient
from .services import PATIENT_FIELDS

# The referral board's sources (intake.models.ReferralSource), as a pick-list here too.
REFERRAL_SOURCES = [
    ("self", "Self"),
    ("family", "Family"),
    ("hospital_step_down", "Hospital step-down"),
    ("php_or_residential_step_down", "PHP or residential step-down"),
    ("court", "Court"),
    ("employer", "Employer"),
    ("primary_care", "Primary care"),
]


def possible_duplicate_on(form: forms.Form) -> PossibleDuplicate | None:
    """The possible duplicate a registering service found for this form (core.forms.form_call
    keeps the error on the form), to show its matches above the form."""
    error = getattr(form, "service_error", None)
    return error if isinstance(error, PossibleDuplicate) else None


class DateInput(forms.DateInput):
    input_type = "date"


class PatientRegistrationForm(forms.ModelForm):
    program = RecordIdChoiceField(
        queryset=Program.objects.none(), help_text="The program the referral is for."
    )
    referred_on = forms.DateField(required=False, widget=DateInput, help_text="Defaults to today.")
    referral_source = forms.ChoiceField(
        label="Referred by", choices=REFERRAL_SOURCES, initial="self", required=False
    )
    referral_reason = forms.CharField(
        label="Reason for referral",
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        help_text="Shown on the referral board.",
    )
    confirm_not_duplicate = forms.BooleanField(
        required=False, label="I checked: this is a different person from the matching record"
    )

    class Meta:
        model = Patient
        fields = PATIENT_FIELDS
        widgets = {"date_of_birth": DateInput}

    def __init__(self, *args, programs=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["program"].queryset = (
            programs if programs is not None else Program.objects.none()
        )
        for name in (
            "legal_first_name",
            "legal_last_name",
            "date_of_birth",
            "sex_assigned_at_birth",
        ):
            self.fields[name].required = True

    def _post_clean(self):
        # Model validation runs in the service (patient_register), one rule set for API and page.
        pass


class TransitionForm(forms.Form):
    to_state = forms.ChoiceField(choices=EpisodeState.choices, label="Move to")
    effective_date = forms.DateField(
        required=False, widget=DateInput, help_text="Defaults to today."
    )
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)
    disposition = forms.ChoiceField(
        choices=[("", "—"), *Disposition.choices],
        required=False,
        help_text="Required for a discharge.",
    )
    level_of_care = forms.ChoiceField(
        choices=[("", "—"), *LevelOfCare.choices],
        required=False,
        help_text="Admitted from (on admission) or going to (step up, step down, transfer).",
    )

    def __init__(self, *args, allowed_states=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_state"].choices = [(s, EpisodeState(s).label) for s in allowed_states]


class CareTeamForm(forms.Form):
    user = ModelChoiceField(queryset=None, label="Staff member")
    team_role = forms.ChoiceField(choices=CareTeamRole.choices, label="Role on the team")

    def __init__(self, *args, staff=None, offered=None, **kwargs):
        """``staff``: whom the form accepts; ``offered``: their records, read already
        (the chart's, kept compiled), or None to read them from ``staff``."""
        super().__init__(*args, **kwargs)
        if offered is None:
            self.fields["user"].queryset = staff
        else:
            self.fields["user"].offer(staff, offered)


class PatientDetailsForm(forms.ModelForm):
    """The chart's details; model rules run in the service (patients.details)."""

    class Meta:
        model = Patient
        fields = DETAIL_FIELDS
        widgets = {"date_of_birth": DateInput}

    def _post_clean(self):
        pass


class FamilyContactForm(forms.ModelForm):
    """A family contact; the service checks the rules and names the field at fault."""

    class Meta:
        model = FamilyContact
        fields = ("name", "relationship", "phone", "email", "consented_to_involvement")
        labels = {"consented_to_involvement": "The patient consented to their involvement"}

    def _post_clean(self):
        pass
