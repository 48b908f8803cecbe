"""Clinic setup: the payer table and each program's own hours rule. Coverage belongs to a
patient's chart, not to setup."""

from django.contrib import admin

from .models import Payer, ProgramHoursRule


@admin.register(Payer)
class PayerAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "kind",
        "hours_rule",
        "min_weekly_minutes",
        "min_daily_minutes",
        "min_days",
        "day_counts_from_minutes",
    ]
    list_filter = ["kind", "hours_rule"]


@admin.register(ProgramHoursRule)
class ProgramHoursRuleAdmin(admin.ModelAdmin):
    list_display = ["program", "min_daily_minutes", "min_days", "day_counts_from_minutes"]
