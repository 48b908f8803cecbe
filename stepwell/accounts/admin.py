"""Staff accounts: roles and programs are changed through the audited service."""

from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.forms import UserChangeForm

from stepwell.clinic.models import Program
from stepwell.clinic.services import (
    ACCOUNT_PRIVILEGE_FIELDS,
    staff_account_changes_record,
    staff_privileges_set,
)
from stepwell.privacy.audit import client_address_of

from .models import Role, User, UserKind


class StaffForm(UserChangeForm):
    roles = forms.MultipleChoiceField(
        choices=Role.choices, required=False, widget=forms.CheckboxSelectMultiple
    )
    programs = forms.ModelMultipleChoiceField(
        queryset=Program.objects.all(), required=False, widget=forms.CheckboxSelectMultiple
    )

    class Meta:
        model = User
        fields = [
            "username",
            "first_name",
            "last_name",
            "email",
            "credentials",
            "kind",
            "is_active",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["roles"].initial = list(
                self.instance.role_assignments.values_list("role", flat=True)
            )
            self.fields["programs"].initial = list(
                self.instance.program_memberships.values_list("program_id", flat=True)
            )


@admin.register(User)
class StaffAdmin(UserAdmin):
    form = StaffForm
    list_display = ["username", "first_name", "last_name", "credentials", "kind", "is_active"]
    list_filter = ["kind", "is_active", "role_assignments__role"]
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        (
            "Person",
            {"fields": ("first_name", "last_name", "email", "credentials", "kind", "is_active")},
        ),
        ("Privileges (changes are audited)", {"fields": ("roles", "programs")}),
    )
    add_fieldsets = (
        (None, {"fields": ("username", "password1", "password2", "kind", "credentials")}),
    )

    def get_queryset(self, request):
        # Patient logins are managed from the patient's record, not here.
        return super().get_queryset(request).filter(kind=UserKind.STAFF)

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        staff_account_changes_record(
            actor=request.user,
            staff=obj,
            changed={
                f: form.cleaned_data.get(f)
                for f in form.changed_data
                if f in ACCOUNT_PRIVILEGE_FIELDS
            },
            created=not change,
            client_address=client_address_of(request),
        )

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        if "roles" in form.cleaned_data:
            staff_privileges_set(
                actor=request.user,
                staff=form.instance,
                roles=set(form.cleaned_data["roles"]),
                program_ids={p.pk for p in form.cleaned_data["programs"]},
                client_address=client_address_of(request),
            )
