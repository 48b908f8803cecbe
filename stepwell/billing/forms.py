"""Forms of the billing pages: typed fields, the service names the field at fault."""

from __future__ import annotations

from django import forms

from .models import ClaimFormat


class WeeksForm(forms.Form):
    date_from = forms.DateField(label="From", required=False)
    date_to = forms.DateField(label="To", required=False)


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
