"""Forms of the billing pages: typed fields, the service names the field at fault."""

from __future__ import annotations

from django import forms

from stepwell.schedule.calendar.weeks import FIRST_WEEK_YEAR, LAST_WEEK_YEAR

from .models import ClaimFormat


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
