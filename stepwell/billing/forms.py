"""Forms of the billing pages: typed fields, the service names the field at fault."""

from __future__ import annotations

from django import forms

from stepwell.clinic.models import LevelOfCare, Program
from stepwell.core.forms import ModelChoiceField
from stepwell.schedule.calendar.weeks import FIRST_WEEK_YEAR, LAST_WEEK_YEAR

from .models import (
    AuthorizationStatus,
    ClaimFormat,
    Coverage,
    CoveragePriority,
    EligibilityMethod,
    EligibilityResult,
    Payer,
    ReviewOutcome,
    SubscriberRelationship,
    UnitKind,
)


class WeeksForm(forms.Form):
    date_from = forms.DateField(label="From", required=False)
    date_to = forms.DateField(label="To", required=False)

    def _clean_in_calendar(self, name: str):
        """The page steps a week back and forth from these dates: refuse a year where that
        step would fall off the calendar (0001, 9999), naming the field."""
        value = self.cleaned_data.get(name)
        if value is not None and not FIRST_WEEK_YEAR <= value.year <= LAST_WEEK_YEAR:
            raise forms.ValidationError(
                f"Enter a date between {FIRST_WEEK_YEAR} and {LAST_WEEK_YEAR}."
            )
        return value

    def clean_date_from(self):
        return self._clean_in_calendar("date_from")

    def clean_date_to(self):
        return self._clean_in_calendar("date_to")


class ClaimsForm(forms.Form):
    date_from = forms.DateField(label="First day")
    date_to = forms.DateField(label="Last day")
    file_format = forms.ChoiceField(
        label="File",
        choices=[
            (ClaimFormat.X12_837I, "837I (X12 institutional claim)"),
            (ClaimFormat.CSV, "CSV for a clearinghouse"),
        ],
    )


class DateInput(forms.DateInput):
    input_type = "date"


class CoverageForm(forms.Form):
    """One coverage of a patient; the service checks its rules and names the field."""

    payer = ModelChoiceField(queryset=None, label="Payer")
    priority = forms.ChoiceField(choices=CoveragePriority.choices, label="Priority")
    plan_name = forms.CharField(max_length=200, required=False, label="Plan name")
    member_id = forms.CharField(max_length=64, required=False, label="Member ID")
    group_number = forms.CharField(max_length=64, required=False, label="Group number")
    subscriber_relationship = forms.ChoiceField(
        choices=SubscriberRelationship.choices, label="Subscriber is the patient's"
    )
    subscriber_name = forms.CharField(
        max_length=200,
        required=False,
        label="Subscriber's name",
        help_text="As on the card; needed when the subscriber is not the patient.",
    )
    effective_from = forms.DateField(required=False, widget=DateInput, label="Covered from")
    effective_to = forms.DateField(required=False, widget=DateInput, label="Covered until")
    address_line = forms.CharField(max_length=55, required=False, label="Subscriber's street")
    city = forms.CharField(max_length=60, required=False)
    state = forms.CharField(max_length=2, required=False, help_text="Two letters, e.g. IL.")
    postal_code = forms.CharField(max_length=10, required=False, label="ZIP code")

    def __init__(self, *args, payers=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["payer"].queryset = Payer.objects.filter(pk__in=[p.pk for p in payers])

    def service_kwargs(self) -> dict:
        data = dict(self.cleaned_data)
        data["payer_id"] = data.pop("payer").pk
        return data

    @classmethod
    def initial_of(cls, coverage: Coverage) -> dict:
        fields = [f for f in cls.base_fields if f != "payer"]
        return {"payer": coverage.payer_id, **{f: getattr(coverage, f) for f in fields}}


class CoverageEndForm(forms.Form):
    ends_on = forms.DateField(widget=DateInput, label="Last covered day")
    reason = forms.CharField(max_length=200, label="Why it ends")


class EligibilityForm(forms.Form):
    checked_on = forms.DateField(widget=DateInput, label="Checked on")
    method = forms.ChoiceField(choices=EligibilityMethod.choices, label="How")
    result = forms.ChoiceField(choices=EligibilityResult.choices, label="Result")
    reference = forms.CharField(
        max_length=80, required=False, label="Payer's reference", help_text="Call or check id."
    )
    comment = forms.CharField(max_length=300, required=False)


class AuthorizationForm(forms.Form):
    """An authorization as the payer gave it (or a request waiting for the payer)."""

    number = forms.CharField(
        max_length=50,
        required=False,
        label="Authorization number",
        help_text="Blank while pending.",
    )
    level_of_care = forms.ChoiceField(choices=LevelOfCare.choices, label="Level of care")
    unit_kind = forms.ChoiceField(choices=UnitKind.choices, label="Counted in")
    units_approved = forms.IntegerField(min_value=0, max_value=999, label="Units approved")
    starts_on = forms.DateField(widget=DateInput, label="First day")
    ends_on = forms.DateField(widget=DateInput, label="Last day")
    next_review_on = forms.DateField(
        widget=DateInput, required=False, label="Next review", help_text="The payer's review day."
    )

    @classmethod
    def initial_of(cls, authorization) -> dict:
        return {f: getattr(authorization, f) for f in cls.base_fields}


class AuthorizationNewForm(AuthorizationForm):
    program = ModelChoiceField(queryset=None, label="Program")
    payer = ModelChoiceField(queryset=None, label="Payer")
    status = forms.ChoiceField(
        choices=[
            (AuthorizationStatus.APPROVED, "Approved by the payer"),
            (AuthorizationStatus.PENDING, "Requested, waiting for the payer"),
        ],
        label="Status",
    )
    decision_due_on = forms.DateField(
        widget=DateInput,
        required=False,
        label="Decision expected",
        help_text="For a request: when the payer should answer (default: the first day).",
    )
    field_order = ["program", "payer", "status", "number"]

    def __init__(self, *args, programs=(), payers=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["program"].queryset = Program.objects.filter(pk__in=[p.pk for p in programs])
        self.fields["payer"].queryset = Payer.objects.filter(pk__in=[p.pk for p in payers])
        if len(programs) == 1:
            self.fields["program"].initial = programs[0].pk

    def service_kwargs(self) -> dict:
        data = dict(self.cleaned_data)
        data["program_id"] = data.pop("program").pk
        data["payer_id"] = data.pop("payer").pk
        return data


class ReviewScheduleForm(forms.Form):
    due_on = forms.DateField(widget=DateInput, label="Review call on")


class ReviewOutcomeForm(forms.Form):
    outcome = forms.ChoiceField(
        choices=[
            (ReviewOutcome.APPROVED, "Approved more units"),
            (ReviewOutcome.DENIED, "Denied"),
            (ReviewOutcome.PEER_TO_PEER, "Peer-to-peer review scheduled"),
        ],
        label="Outcome",
    )
    units_added = forms.IntegerField(
        min_value=0, max_value=999, required=False, initial=0, label="Units added"
    )
    approved_through = forms.DateField(
        widget=DateInput, required=False, label="Approved through", help_text="The new last day."
    )
    number = forms.CharField(
        max_length=50,
        required=False,
        label="Authorization number",
        help_text="A new number starts the next authorization after this one.",
    )
    next_review_on = forms.DateField(widget=DateInput, required=False, label="Next review")
    peer_to_peer_on = forms.DateField(widget=DateInput, required=False, label="Peer-to-peer on")
    payer_reference = forms.CharField(max_length=80, required=False, label="Payer's reference")
    reviewer_name = forms.CharField(max_length=120, required=False, label="Payer's reviewer")
    comment = forms.CharField(max_length=300, required=False)

    def clean_units_added(self):
        return self.cleaned_data.get("units_added") or 0


class RemitForm(forms.Form):
    file = forms.FileField(label="Remittance file (835)")

    def clean(self):
        data = super().clean()
        upload = data.get("file")
        if upload is not None:
            try:
                data["text"] = upload.read().decode("utf-8")
            except UnicodeDecodeError:
                self.add_error("file", "Not a text file: choose the payer's 835 file.")
        return data


class ClaimActionForm(forms.Form):
    file_format = forms.ChoiceField(
        choices=[("", "As the original"), *ClaimFormat.choices], required=False, label="File"
    )
