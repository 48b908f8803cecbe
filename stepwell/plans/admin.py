from django.contrib import admin

from .models import ProgramPlanPolicy


@admin.register(ProgramPlanPolicy)
class ProgramPlanPolicyAdmin(admin.ModelAdmin):
    list_display = (
        "program",
        "requires_physician_signature",
        "review_days",
        "first_plan_due_days",
    )
