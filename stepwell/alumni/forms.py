"""Input of the alumni pages: typed fields, so bad input is a field error."""

from __future__ import annotations

from django import forms

from .models import AgreementWay, EventFormat, Recurrence, RsvpAnswer


class EventForm(forms.Form):
    title = forms.CharField(max_length=200, label="Name of the group or event")
    description = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)
    format = forms.ChoiceField(choices=EventFormat.choices, label="How people join")
    place = forms.CharField(max_length=300, required=False, label="Where (in person)")
    video_url = forms.URLField(
        max_length=500, required=False, label="Video link", assume_scheme="https"
    )
    recurrence = forms.ChoiceField(choices=Recurrence.choices, label="How often")
    first_day = forms.DateField(label="First date", widget=forms.DateInput(attrs={"type": "date"}))
    start_time = forms.TimeField(label="Starts at", widget=forms.TimeInput(attrs={"type": "time"}))
    duration_minutes = forms.IntegerField(min_value=15, max_value=480, initial=90, label="Minutes")
    repeats_until = forms.DateField(
        required=False,
        label="Last date (recurring groups)",
        widget=forms.DateInput(attrs={"type": "date"}),
    )


class RsvpForm(forms.Form):
    answer = forms.ChoiceField(choices=RsvpAnswer.choices)


class AttendanceForm(forms.Form):
    """One checkbox per alumnus shown: checked is present, unchecked absent."""

    def __init__(self, *args, patients=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.patient_ids = [p.pk for p in patients]
        for patient in patients:
            self.fields[f"present_{patient.pk}"] = forms.BooleanField(
                required=False, label=patient.display_name
            )

    def present_and_absent(self) -> tuple[set[int], set[int]]:
        present = {pid for pid in self.patient_ids if self.cleaned_data.get(f"present_{pid}")}
        return present, set(self.patient_ids) - present


class ReasonForm(forms.Form):
    reason = forms.CharField(max_length=300, required=False, label="Why (optional)")


class StaffOptOutForm(forms.Form):
    reason = forms.CharField(max_length=300, label="How they told you")


class MentorForm(forms.Form):
    about = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=2000,
        label="What you can offer someone in the program now",
    )


class PairingForm(forms.Form):
    mentor = forms.IntegerField(widget=forms.HiddenInput)
    patient = forms.IntegerField(label="Current patient", widget=forms.Select)
    patient_agreed_on = forms.DateField(
        label="Date the patient agreed", widget=forms.DateInput(attrs={"type": "date"})
    )
    agreed_how = forms.ChoiceField(choices=AgreementWay.choices, label="How they agreed")

    def __init__(self, *args, patients=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["patient"].widget.choices = [("", "Choose…")] + [
            (p.pk, p.display_name) for p in patients
        ]


class EndPairingForm(forms.Form):
    reason = forms.CharField(max_length=300, label="Why it ends")
