"""Forms of the billing pages: typed fields, the service names the field at fault."""

from __future__ import annotations

from django import forms

from stepwell.schedule.calendar.weeks import FIRST_WEEK_YEAR, LAST_WEEK_YEAR

from .models import ClaimFormat, Coverage, CoveragePriority, Payer, SubscriberRelationship


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

    payer = forms.ModelChoiceField(queryset=None, label="Payer")
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
