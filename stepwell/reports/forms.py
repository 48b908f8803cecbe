"""The report filters as a form: the page, the CSV and the PDF read the same query string
(`?program=&site=&track=&payer=&from=&to=`) as the API."""

from __future__ import annotations

from django import forms


class ReportFilterForm(forms.Form):
    program = forms.IntegerField(required=False, min_value=1, label="Program")
    site = forms.IntegerField(required=False, min_value=1, label="Site")
    track = forms.CharField(required=False, max_length=32, label="Track")
    payer = forms.IntegerField(required=False, min_value=1, label="Payer")
    table = forms.SlugField(required=False, max_length=64, label="Table")

    def filters(self) -> dict:
        """The cleaned filters as report_run's keyword arguments."""
        data = self.cleaned_data
        return {
            "program_id": data.get("program"),
            "site_id": data.get("site"),
            "track": data.get("track") or "",
            "payer_id": data.get("payer"),
            "date_from": data.get("from"),
            "date_to": data.get("to"),
        }


# "from" and "to" are Python keywords, so they join the form after the class is made.
ReportFilterForm.base_fields["from"] = forms.DateField(required=False, label="From")
ReportFilterForm.base_fields["to"] = forms.DateField(required=False, label="To")
