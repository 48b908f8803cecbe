"""Clinic setup: the payer table and each program's own hours rule. Coverage belongs to a
patient's chart, not to setup."""

from django.contrib import admin

from . import services
from .models import Payer, ProgramHoursRule
from .services.payers import BILLING_FIELDS

NUMBERS = ["min_weekly_minutes", "min_daily_minutes", "min_days", "day_counts_from_minutes"]


@admin.register(Payer)
class PayerAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "hours_rule", *NUMBERS]
    list_filter = ["kind", "hours_rule"]

    def get_fields(self, request, obj=None):
        """A new payer is named and given its rule; its billing rules start from the
        rule's defaults (services/payers.py BILLING_DEFAULTS) and are edited afterwards."""
        fields = super().get_fields(request, obj)
        if obj is None:
            return [f for f in fields if f not in BILLING_FIELDS]
        return fields

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        if obj is None:
            form.base_fields["hours_rule"].help_text = (
                "A new payer's numbers left as they are become its rule's defaults "
                "(H0015: 3 hours a day on 3 days; Medicare IOP: 9 hours a week; "
                "S9480: 9 hours a week, 3 hours a day on 2 days)."
            )
        return form

    def save_model(self, request, obj, form, change):
        """A new payer goes through the service, so it starts from its rule's defaults."""
        if change:
            super().save_model(request, obj, form, change)
            return
        given = {
            field: form.cleaned_data.get(field) for field in NUMBERS if field in form.changed_data
        }
        created = services.payer_create(
            actor=request.user,
            name=obj.name,
            kind=obj.kind,
            hours_rule=obj.hours_rule,
            **given,
        )
        obj.pk = created.pk
        obj.refresh_from_db()


@admin.register(ProgramHoursRule)
class ProgramHoursRuleAdmin(admin.ModelAdmin):
    list_display = ["program", "min_daily_minutes", "min_days", "day_counts_from_minutes"]
