"""Clinic setup for the calendar: rooms, recurring groups, holidays, curriculum, staff hours."""

from django import forms
from django.contrib import admin

from stepwell.core.errors import ApplicationError
from stepwell.schedule.calendar.weeks import validate_recurrence
from stepwell.schedule.models import (
    CurriculumModule,
    GroupSeries,
    Holiday,
    Room,
    StaffAvailability,
    StaffLeave,
    StaffSchedulingProfile,
)


class GroupSeriesForm(forms.ModelForm):
    class Meta:
        model = GroupSeries
        fields = [
            "program",
            "kind",
            "title",
            "track",
            "facilitators",
            "room",
            "telehealth_url",
            "capacity",
            "start_time",
            "duration_minutes",
            "recurrence",
            "starts_on",
            "ends_on",
            "excluded_dates",
            "active",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "facilitators" in self.fields:
            self.fields["facilitators"].label = "Facilitator and co-facilitators"
            self.fields["facilitators"].help_text = (
                "Choose one clinician, or two to share the group: each takes its attendance "
                "and writes and signs its group note."
            )

    def clean_recurrence(self):
        rule = self.cleaned_data["recurrence"]
        try:
            validate_recurrence(rule)
        except ApplicationError as error:
            raise forms.ValidationError(
                error.field_errors.get("recurrence", error.message)
            ) from error
        return rule.strip()

    def clean(self):
        cleaned = super().clean()
        room, capacity = cleaned.get("room"), cleaned.get("capacity")
        if room is not None and capacity and capacity > room.capacity:
            self.add_error("capacity", f"The room holds {room.capacity}.")
        return cleaned


@admin.register(GroupSeries)
class GroupSeriesAdmin(admin.ModelAdmin):
    form = GroupSeriesForm
    list_display = [
        "title",
        "program",
        "kind",
        "recurrence",
        "start_time",
        "duration_minutes",
        "room",
        "capacity",
        "active",
    ]
    list_filter = ["program", "kind", "active"]
    filter_horizontal = ["facilitators"]


@admin.register(Room)
class RoomAdmin(admin.ModelAdmin):
    list_display = ["name", "site", "capacity"]


@admin.register(Holiday)
class HolidayAdmin(admin.ModelAdmin):
    list_display = ["date", "name", "program"]
    list_filter = ["program"]


@admin.register(CurriculumModule)
class CurriculumModuleAdmin(admin.ModelAdmin):
    list_display = ["program", "position", "title"]
    list_filter = ["program"]


@admin.register(StaffAvailability)
class StaffAvailabilityAdmin(admin.ModelAdmin):
    list_display = ["user", "weekday", "start", "end"]
    list_filter = ["weekday"]


@admin.register(StaffLeave)
class StaffLeaveAdmin(admin.ModelAdmin):
    list_display = ["user", "starts_on", "ends_on", "reason"]


@admin.register(StaffSchedulingProfile)
class StaffSchedulingProfileAdmin(admin.ModelAdmin):
    list_display = ["user", "max_individual_minutes"]
