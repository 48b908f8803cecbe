"""The calendar's forms: manual booking, cancelling a session, the calendar feed buttons and
accepting a plan. Field names match the services' field errors, so a refusal shows next to
the field it concerns."""

from __future__ import annotations

from django import forms

from stepwell.core.forms import ModelChoiceField
from stepwell.schedule.models import AppointmentKind, PlanRunMode


class OccurrenceChoice(ModelChoiceField):
    def __init__(self, *args, zone: str = "UTC", **kwargs):
        self.zone = zone
        super().__init__(*args, **kwargs)

    def label_from_instance(self, obj) -> str:
        from stepwell.schedule.calendar.weeks import utc_to_local

        start = utc_to_local(self.zone, obj.starts_at)
        return f"{start:%a %d %b %H:%M} · {obj.title} ({obj.enrolled_count}/{obj.capacity} booked)"


class PatientChoice(ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return f"{obj.display_name} ({obj.mrn})"


class EnrollmentForm(forms.Form):
    patient = PatientChoice(queryset=None, label="Patient")
    occurrence = OccurrenceChoice(queryset=None, label="Group session")

    def __init__(self, *args, patients, occurrences, zone: str, **kwargs):
        super().__init__(*args, prefix="enrol", **kwargs)
        self.fields["patient"].queryset = patients
        self.fields["occurrence"].queryset = occurrences
        self.fields["occurrence"].zone = zone


class AppointmentForm(forms.Form):
    patient = PatientChoice(queryset=None, label="Patient")
    kind = forms.ChoiceField(choices=AppointmentKind.choices, label="Type")
    staff = ModelChoiceField(queryset=None, label="With")
    day = forms.DateField(label="Day", widget=forms.DateInput(attrs={"type": "date"}))
    starts_at = forms.TimeField(label="Start", widget=forms.TimeInput(attrs={"type": "time"}))
    minutes = forms.IntegerField(label="Minutes", min_value=15, max_value=240, initial=60)

    def __init__(self, *args, patients, staff, **kwargs):
        super().__init__(*args, prefix="appt", **kwargs)
        self.fields["patient"].queryset = patients
        self.fields["staff"].queryset = staff


class OccurrenceCancelForm(forms.Form):
    reason = forms.CharField(
        label="Reason",
        max_length=300,
        error_messages={"required": "Required."},
        widget=forms.TextInput(attrs={"placeholder": "e.g. snow closure, facilitator ill"}),
    )


class FeedActionForm(forms.Form):
    """The buttons of the calendar feed box: each posts its action."""

    action = forms.ChoiceField(
        choices=[
            ("create", "Make a new address"),
            ("revoke", "Turn off"),
            ("details", "Show or hide session details"),
        ]
    )
    show_details = forms.TypedChoiceField(
        choices=[("1", "Show session details"), ("0", "Hide details")],
        coerce=lambda value: value == "1",
        required=False,
        empty_value=False,
    )


class PlanAcceptForm(forms.Form):
    """Accepting a plan is one button: a refusal is shown as the form's error. A plan that
    moves booked patients asks the director to tick `confirm` first."""

    confirm = forms.BooleanField(
        required=False, label="Yes, change these patients' bookings as shown above"
    )


class IdList(forms.Field):
    """Record ids from a multiple select; the service decides which are allowed."""

    widget = forms.SelectMultiple

    def to_python(self, value) -> list[int]:
        values = value if isinstance(value, list | tuple) else ([value] if value else [])
        try:
            return [int(item) for item in values]
        except (TypeError, ValueError):
            raise forms.ValidationError("Choose patients from the list.") from None


class PlanRunForm(forms.Form):
    """Starting the optimizer: what it may change, and for "fit", whom it places."""

    mode = forms.ChoiceField(
        choices=PlanRunMode.choices, initial=PlanRunMode.KEEP, label="What may change"
    )
    patients = IdList(required=False, label="Patients to fit in")
