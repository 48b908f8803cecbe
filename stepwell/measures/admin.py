"""Clinic setup (/setup/): measurement schedules per program, the stored definitions, and
which instruments the clinic uses.

Every change goes through the audited services, which decide access
(stepwell.privacy.access.measures). Patient data (administrations, alerts) is not exposed
here: it is read on the chart, where access is checked and audited.
"""

from django import forms
from django.contrib import admin

from stepwell.privacy.access import access_clinic_configuration
from stepwell.privacy.access import measures as access

from . import selectors, services
from .models import InstrumentDefinition, InstrumentSetting, ScheduleRule


class ScheduleRuleForm(forms.ModelForm):
    class Meta:
        model = ScheduleRule
        fields = [
            "program",
            "instrument_key",
            "at_admission",
            "every_days",
            "at_discharge",
            "active",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:  # one rule per program and instrument: change when, not which
            self.fields["program"].disabled = True
            self.fields["instrument_key"].disabled = True

    def clean_instrument_key(self):
        """A known instrument the clinic has not switched off."""
        key = (self.cleaned_data.get("instrument_key") or "").strip().lower()
        if key not in {instrument.key for instrument in selectors.instruments_available()}:
            raise forms.ValidationError("Unknown instrument.")
        reason = selectors.instrument_unavailable_reason(key)
        if reason:
            raise forms.ValidationError(reason)
        return key


@admin.register(ScheduleRule)
class ScheduleRuleAdmin(admin.ModelAdmin):
    form = ScheduleRuleForm
    list_display = (
        "program",
        "instrument_key",
        "at_admission",
        "every_days",
        "at_discharge",
        "active",
    )
    list_filter = ("program", "active")

    def has_add_permission(self, request):
        return access_clinic_configuration(request.user)

    def has_change_permission(self, request, obj=None):
        return access_clinic_configuration(request.user)

    def has_delete_permission(self, request, obj=None):
        return False  # untick "active" instead: the change is audited

    def save_model(self, request, obj, form, change):
        saved = services.schedule_rule_set(
            actor=request.user,
            program_id=obj.program_id,
            instrument_key=obj.instrument_key,
            at_admission=obj.at_admission,
            every_days=obj.every_days,
            at_discharge=obj.at_discharge,
            active=obj.active,
        )
        obj.pk = saved.pk


@admin.register(InstrumentDefinition)
class InstrumentDefinitionAdmin(admin.ModelAdmin):
    list_display = ("key", "version", "abbreviation", "loaded_at", "loaded_by")
    readonly_fields = (
        "key",
        "version",
        "name",
        "abbreviation",
        "definition",
        "loaded_at",
        "loaded_by",
    )

    def has_add_permission(self, request):
        return False  # load with `stepwell instruments load FILE`, which validates the file

    def has_delete_permission(self, request, obj=None):
        return False  # administrations keep the version they were scored with


class InstrumentSettingForm(forms.ModelForm):
    instrument_key = forms.ChoiceField(label="Instrument")

    class Meta:
        model = InstrumentSetting
        fields = ["instrument_key", "enabled", "reason"]
        labels = {"enabled": "In use"}
        help_texts = {
            "enabled": "Untick to switch the instrument off: it can no longer be scheduled, "
            "sent or recorded. Past scores stay on the charts."
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["instrument_key"].choices = [
            (i.key, f"{i.abbreviation}: {i.name}") for i in selectors.instruments_available()
        ]
        if self.instance.pk:
            self.fields["instrument_key"].disabled = True


@admin.register(InstrumentSetting)
class InstrumentSettingAdmin(admin.ModelAdmin):
    """Switching an instrument off or on goes through the audited service."""

    form = InstrumentSettingForm
    list_display = ("instrument_key", "enabled", "reason", "changed_by", "changed_at")

    def has_add_permission(self, request):
        return access.access_instrument_settings(request.user)

    def has_change_permission(self, request, obj=None):
        return access.access_instrument_settings(request.user)

    def has_delete_permission(self, request, obj=None):
        return False  # switch it back on instead: the setting's history stays

    def save_model(self, request, obj, form, change):
        saved = services.instrument_setting_set(
            actor=request.user,
            instrument_key=form.cleaned_data.get("instrument_key") or obj.instrument_key,
            enabled=form.cleaned_data["enabled"],
            reason=form.cleaned_data["reason"],
        )
        obj.pk = saved.pk
        obj.changed_at = saved.changed_at
