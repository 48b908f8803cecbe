"""The meds pages' forms: typed fields, so bad input is a field error, never a crash.
The clinical rules (a positive dose, a stop date after the start, a known RxNorm code, a
prescriber for a controlled substance) are the services'; their errors come back onto
these forms by name (core.forms.form_call)."""

from __future__ import annotations

from django import forms

from stepwell.care.forms import ProgramTimeField

from .formulary import CLASS_LABELS, SCHEDULES, STARTER
from .models import (
    AdherenceAnswer,
    AllergyKind,
    AllergySeverity,
    Decision,
    MedicationStatus,
    NaloxoneAction,
    ReconciliationOccasion,
    Route,
    SideEffect,
    SideEffectSeverity,
    TestMethod,
    TestReason,
)
from .testing_rules import STANDARD_PANEL, SUBSTANCE_LABELS, Confirmation, Outcome

DATE = forms.DateInput(attrs={"type": "date"})
WEEKDAYS = [(0, "Mon"), (1, "Tue"), (2, "Wed"), (3, "Thu"), (4, "Fri"), (5, "Sat"), (6, "Sun")]


def formulary_choices():
    groups = {}
    for drug in STARTER:
        suffix = "" if drug.verified else " (code unverified)"
        label = f"{drug.name}{suffix}{' · C-' + drug.schedule if drug.schedule else ''}"
        groups.setdefault(CLASS_LABELS[drug.drug_class], []).append((drug.key, label))
    return [("", "— choose, or type a name below —"), *groups.items()]


class MedicationForm(forms.Form):
    formulary_key = forms.ChoiceField(label="Drug (formulary)", required=False)
    rxnorm_code = forms.CharField(label="or RxNorm code", required=False, max_length=12)
    name = forms.CharField(
        label="or name (free text, kept uncoded)", required=False, max_length=200
    )
    dose = forms.CharField(max_length=20)
    unit = forms.CharField(max_length=20, initial="mg")
    route = forms.ChoiceField(choices=Route.choices, initial=Route.ORAL)
    frequency = forms.CharField(max_length=100, initial="once daily")
    start_date = forms.DateField(widget=DATE)
    stop_date = forms.DateField(widget=DATE, required=False)
    prescriber_id = forms.TypedChoiceField(
        label="Prescriber in the program", required=False, coerce=int, empty_value=None
    )
    prescriber_name = forms.CharField(
        label="or outside prescriber / treating provider", required=False, max_length=200
    )
    opioid_treatment_program = forms.CharField(
        label="Opioid treatment program (methadone)", required=False, max_length=200
    )
    reason_code = forms.ChoiceField(label="Reason (diagnosis)", required=False)
    reason_text = forms.CharField(label="Reason in words", required=False, max_length=300)
    controlled_schedule = forms.ChoiceField(
        label="Controlled substance (free-text drugs)",
        required=False,
        choices=[("", "Not controlled"), *[(s, f"Schedule {s}") for s in SCHEDULES]],
    )

    def __init__(self, *args, prescribers=(), diagnoses=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["formulary_key"].choices = formulary_choices()
        self.fields["prescriber_id"].choices = [("", "—"), *[(u.pk, str(u)) for u in prescribers]]
        self.fields["reason_code"].choices = [
            ("", "—"),
            *[(d.code, f"{d.code} {d.description}") for d in diagnoses],
        ]

    def data_kwargs(self) -> dict:
        return dict(self.cleaned_data)


class MedicationChangeForm(forms.Form):
    dose = forms.CharField(label="New dose", required=False, max_length=20)
    unit = forms.CharField(required=False, max_length=20)
    frequency = forms.CharField(label="New frequency", required=False, max_length=100)
    status = forms.ChoiceField(
        choices=[("", "— unchanged —"), *MedicationStatus.choices], required=False
    )
    status_reason = forms.CharField(label="Reason", required=False, max_length=300)
    stop_date = forms.DateField(widget=DATE, required=False)


class VisitChangeForm(MedicationChangeForm):
    medication_id = forms.TypedChoiceField(label="Medication", coerce=int)

    def __init__(self, *args, medications=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["medication_id"].choices = [(m.pk, str(m)) for m in medications]
        del self.fields["stop_date"]


class AllergyForm(forms.Form):
    kind = forms.ChoiceField(choices=AllergyKind.choices)
    substance = forms.CharField(required=False, max_length=200)
    reaction = forms.CharField(required=False, max_length=300)
    severity = forms.ChoiceField(choices=[("", "—"), *AllergySeverity.choices], required=False)


class ReconciliationStartForm(forms.Form):
    occasion = forms.ChoiceField(choices=ReconciliationOccasion.choices)


class DecisionForm(forms.Form):
    medication_id = forms.IntegerField(widget=forms.HiddenInput, min_value=1, max_value=2**62)
    decision = forms.ChoiceField(
        choices=[(d.value, d.label) for d in Decision if d != Decision.NEW]
    )
    new_dose = forms.CharField(required=False, max_length=20)
    new_frequency = forms.CharField(required=False, max_length=100)
    note = forms.CharField(label="Why (for a stop)", required=False, max_length=300)


class VisitStartForm(forms.Form):
    started_at = ProgramTimeField(label="Started")
    ended_at = ProgramTimeField(label="Ended")

    def __init__(self, *args, zone: str = "UTC", **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("started_at", "ended_at"):
            self.fields[name].zone = zone


class SideEffectsForm(forms.Form):
    notes = forms.CharField(
        label="Other side effects or comments",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for effect in SideEffect:
            self.fields[effect.value] = forms.ChoiceField(
                label=effect.label,
                choices=SideEffectSeverity.choices,
                initial=SideEffectSeverity.NONE,
                widget=forms.RadioSelect,
            )

    def side_effects(self) -> dict[str, str]:
        return {effect.value: self.cleaned_data[effect.value] for effect in SideEffect}


class NaloxoneForm(forms.Form):
    naloxone = forms.ChoiceField(label="Naloxone kit", choices=NaloxoneAction.choices)
    on = forms.DateField(label="On", widget=DATE)


class PdmpForm(forms.Form):
    checked_on = forms.DateField(label="PDMP checked on", widget=DATE)
    state = forms.CharField(max_length=2, initial="IL")
    findings = forms.CharField(required=False, max_length=300)


SUBSTANCE_CHOICES = [(s.value, label) for s, label in SUBSTANCE_LABELS.items()]


class DrugTestOrderForm(forms.Form):
    # Any program id parses: the service decides whether the user orders tests there
    # (an audited refusal), rather than the form answering 400 for someone who may not.
    episode = forms.IntegerField(label="Program", widget=forms.Select, min_value=1, max_value=2**62)
    method = forms.ChoiceField(choices=TestMethod.choices)
    reason = forms.ChoiceField(
        choices=[
            (TestReason.CLINICAL, TestReason.CLINICAL.label),
            (TestReason.SCHEDULED, TestReason.SCHEDULED.label),
        ]
    )
    scheduled_on = forms.DateField(label="Day of the test", widget=DATE)
    panel = forms.MultipleChoiceField(
        choices=SUBSTANCE_CHOICES,
        initial=[s.value for s in STANDARD_PANEL],
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, episodes=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["episode"].widget.choices = [(e.program_id, e.program.name) for e in episodes]


class DrugTestResultsForm(forms.Form):
    collected_at = ProgramTimeField(label="Collected at")
    observed = forms.TypedChoiceField(
        label="Collection observed",
        choices=[("yes", "Observed"), ("no", "Not observed")],
        coerce=lambda v: v == "yes",
    )

    def __init__(self, *args, panel=(), zone: str = "UTC", **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["collected_at"].zone = zone
        self.panel = list(panel)
        for substance in self.panel:
            self.fields[substance] = forms.ChoiceField(
                label=SUBSTANCE_LABELS.get(substance, substance),
                choices=[(o.value, o.value.title()) for o in Outcome],
                initial=Outcome.NEGATIVE,
            )
            self.fields[f"confirmation_{substance}"] = forms.ChoiceField(
                label="Laboratory confirmation",
                required=False,
                choices=[("", "Not sent"), (Confirmation.PENDING, "Sent, pending")],
            )

    def results(self) -> dict[str, str]:
        return {s: self.cleaned_data[s] for s in self.panel}

    def confirmations(self) -> dict[str, str]:
        values = {s: self.cleaned_data.get(f"confirmation_{s}") or "" for s in self.panel}
        return {s: v for s, v in values.items() if v}


class ConfirmationForm(forms.Form):
    substance = forms.ChoiceField(choices=SUBSTANCE_CHOICES)
    confirmation = forms.ChoiceField(
        choices=[(c.value, c.value.replace("_", " ")) for c in Confirmation if c.value]
    )


class ReviewForm(forms.Form):
    note = forms.CharField(
        label="What was discussed or decided",
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class AdherenceForm(forms.Form):
    answer = forms.ChoiceField(
        label="Did you take your medications as prescribed this week?",
        choices=AdherenceAnswer.choices,
        widget=forms.RadioSelect,
    )
    why_not = forms.CharField(
        label="If not every day, what got in the way? (optional)",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class TestingScheduleForm(forms.Form):
    tests_per_week = forms.IntegerField(
        label="Random tests a week per patient", min_value=1, max_value=5, initial=1
    )
    weekdays = forms.TypedMultipleChoiceField(
        label="Testing days",
        choices=WEEKDAYS,
        coerce=int,
        initial=[0, 1, 2, 3, 4],
        widget=forms.CheckboxSelectMultiple,
    )
    active = forms.BooleanField(required=False, initial=True)


class DrawForm(forms.Form):
    week = forms.CharField(label="Week (e.g. 2026-W50)", max_length=8)
