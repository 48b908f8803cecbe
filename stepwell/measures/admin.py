"""Clinic setup (/setup/): measurement schedules per program and the stored definitions.

Patient data (administrations, alerts) is not exposed here: it is read on the chart,
where access is checked and audited.
"""

from django.contrib import admin

from .models import InstrumentDefinition, ScheduleRule


@admin.register(ScheduleRule)
class ScheduleRuleAdmin(admin.ModelAdmin):
    list_display = (
        "program",
        "instrument_key",
        "at_admission",
        "every_days",
        "at_discharge",
        "active",
    )
    list_filter = ("program", "active")


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
