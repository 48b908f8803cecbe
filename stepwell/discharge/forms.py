"""Forms of the discharge pages: typed fields only; the services check the rules."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from django import forms
from django.utils import timezone

from stepwell.patients.models import Disposition

from .models import AppointmentKind, SupportGroupKind, Weekday

TEXTAREA = forms.Textarea(attrs={"rows": 3})


class SummaryForm(forms.Form):
    discharge_date = forms.DateField(
        required=False, widget=forms.DateInput(attrs={"type": "date"}), label="Discharge date"
    )
    disposition = forms.ChoiceField(
        choices=[("", "Not chosen yet"), *Disposition.choices], required=False
    )
    disposition_reason = forms.CharField(
        required=False, widget=TEXTAREA, label="Reason for discharge"
    )
    presenting_problem = forms.CharField(
        required=False, widget=TEXTAREA, label="Presenting problem"
    )
    course_of_treatment = forms.CharField(
        required=False, widget=TEXTAREA, label="Course of treatment"
    )
    condition_at_discharge = forms.CharField(
        required=False, widget=TEXTAREA, label="Condition at discharge"
    )
    recommendations = forms.CharField(required=False, widget=TEXTAREA, label="Recommendations")
    referrals = forms.CharField(required=False, widget=TEXTAREA, label="Referrals made")


class AddendumForm(forms.Form):
    text = forms.CharField(widget=TEXTAREA, label="Addendum", max_length=10000)


class PlanForm(forms.Form):
    warning_signs = forms.CharField(required=False, widget=TEXTAREA, label="Warning signs")
    triggers = forms.CharField(required=False, widget=TEXTAREA, label="Triggers")
    coping_strategies = forms.CharField(
        required=False, widget=TEXTAREA, label="Coping strategies that worked"
    )
    alumni_group = forms.CharField(required=False, widget=TEXTAREA, label="The alumni group")
    support_groups = forms.TypedMultipleChoiceField(
        coerce=int, required=False, widget=forms.CheckboxSelectMultiple, label="Support groups"
    )

    def __init__(self, *args, directory=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["support_groups"].choices = [(g.pk, str(g)) for g in directory]


class ContactForm(forms.Form):
    name = forms.CharField(max_length=200, required=False)
    relationship = forms.CharField(max_length=100, required=False)
    phone = forms.CharField(max_length=32, required=False)
    consent_given = forms.BooleanField(
        required=False, label="The patient agrees that this person is listed and may be called"
    )


class AppointmentForm(forms.Form):
    kind = forms.ChoiceField(choices=AppointmentKind.choices, label="With")
    provider = forms.CharField(max_length=200, required=False, label="Provider's name")
    starts_at = forms.DateTimeField(
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}), label="Date and time"
    )
    place = forms.CharField(max_length=300, required=False)
    phone = forms.CharField(max_length=32, required=False)

    def starts_at_in(self, zone: str) -> datetime:
        """The wall-clock time entered, in the program's time zone."""
        value = self.cleaned_data["starts_at"]
        if timezone.is_aware(value):
            value = timezone.make_naive(value)
        return value.replace(tzinfo=ZoneInfo(zone))


class SupportGroupForm(forms.Form):
    kind = forms.ChoiceField(choices=SupportGroupKind.choices)
    name = forms.CharField(max_length=200, required=False)
    meeting_day = forms.TypedChoiceField(choices=Weekday.choices, coerce=int, label="Meets on")
    meeting_time = forms.TimeField(widget=forms.TimeInput(attrs={"type": "time"}), label="At")
    place = forms.CharField(max_length=300, required=False)
    link = forms.CharField(max_length=200, required=False, label="Web link")
    phone = forms.CharField(max_length=32, required=False)


class PolicyForm(forms.Form):
    documents_required = forms.BooleanField(
        required=False,
        label="A discharge needs a signed discharge summary and aftercare plan",
    )
    exempt_dispositions = forms.MultipleChoiceField(
        choices=Disposition.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Except when the disposition is",
    )
    after_hours_line = forms.CharField(
        max_length=32, required=False, label="The clinic's after-hours line"
    )
