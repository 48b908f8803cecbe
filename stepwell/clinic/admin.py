"""Clinic setup for administrators: structure only, never clinical content. Staff accounts
and their privileges are set up in staff_admin.py (imported here so Django registers it)."""

from django.contrib import admin

from stepwell.clinic import staff_admin  # noqa: F401  (registers StaffAdmin)
from stepwell.clinic.models import Organization, Program, Site


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin):
    list_display = ["name"]


@admin.register(Site)
class SiteAdmin(admin.ModelAdmin):
    list_display = ["name", "organization", "address"]


@admin.register(Program)
class ProgramAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "site",
        "track",
        "timezone",
        "min_weekly_minutes",
        "max_weekly_minutes",
        "default_length_of_stay_days",
        "part2_program",
        "on_call_clinician",
        "asq_in_session_only",
    ]
    list_filter = ["track", "site"]
    exclude = ["staff"]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "on_call_clinician":
            # Paged for suicide-risk answers given away from the clinic: active clinical staff.
            from stepwell.accounts.models import Role, User, UserKind

            kwargs["queryset"] = User.objects.filter(
                kind=UserKind.STAFF,
                is_active=True,
                role_assignments__role__in=[Role.CLINICIAN, Role.PRESCRIBER, Role.NURSE],
            ).distinct()
        return super().formfield_for_foreignkey(db_field, request, **kwargs)
