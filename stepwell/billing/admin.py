"""Clinic setup: the payer table. Coverage belongs to a patient's chart, not to setup."""

from django.contrib import admin

from .models import Payer


@admin.register(Payer)
class PayerAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "hours_rule"]
    list_filter = ["kind", "hours_rule"]
