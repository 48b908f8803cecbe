"""Staff accounts in clinic setup. Roles and programs change through the audited service.

An administrator never sets another person's password or authenticator. There is no
password form and no authenticator (TOTP device) admin; instead, from a staff member's
page, an administrator can:
- send a link to set a password to the staff member's own email address;
- remove their authenticator (a lost phone), so they enrol a new one at next login;
- create a one-time enrolment code (shown once) to hand over in person or by phone.
Each is audited. A new account gets no password: the set-password link goes out at once.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse

from stepwell.accounts import enrolment, mfa, passwords
from stepwell.accounts.models import Role, User, UserKind
from stepwell.clinic.models import Program
from stepwell.clinic.services import (
    ACCOUNT_PRIVILEGE_FIELDS,
    staff_account_changes_record,
    staff_privileges_set,
)
from stepwell.core.forms import ModelMultipleChoiceField, message_call
from stepwell.privacy.audit import AuditAction
from stepwell.privacy.refusals import refuse

ADMINISTRATOR_GRANT = "administrator"


def grant_choices() -> list[tuple[str, str]]:
    """One box per program and role, and one for the clinic-wide administrator role."""
    choices = [(ADMINISTRATOR_GRANT, "Administrator: clinic setup, no patient records")]
    for program in Program.objects.order_by("name"):
        for role, label in Role.choices:
            if role != Role.ADMINISTRATOR:
                choices.append((f"{program.pk}:{role}", f"{program.name}: {label}"))
    return choices


def grant_key(role: str, program_id: int | None) -> str:
    return ADMINISTRATOR_GRANT if program_id is None else f"{program_id}:{role}"


def grant_from_key(key: str) -> tuple[str, int | None]:
    if key == ADMINISTRATOR_GRANT:
        return (Role.ADMINISTRATOR, None)
    program_id, role = key.split(":", 1)
    return (role, int(program_id))


class StaffForm(forms.ModelForm):
    roles = forms.MultipleChoiceField(
        label="Roles, per program",
        choices=(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="A role is held in one program: a director of one program is not a "
        "director of another program they also work in.",
    )
    programs = ModelMultipleChoiceField(
        label="Works in",
        queryset=Program.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Programs of the roles above are added here.",
    )

    class Meta:
        model = User
        fields = ["username", "first_name", "last_name", "email", "credentials", "is_active"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["roles"].choices = grant_choices()
        if self.instance.pk:
            self.fields["roles"].initial = [
                grant_key(role, program_id)
                for role, program_id in self.instance.role_assignments.values_list(
                    "role", "program_id"
                )
            ]
            self.fields["programs"].initial = list(
                self.instance.program_memberships.values_list("program_id", flat=True)
            )


class StaffCreationForm(forms.ModelForm):
    """A new staff account with no usable password: they set it from the emailed link."""

    class Meta:
        model = User
        fields = ["username", "first_name", "last_name", "email", "credentials"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["email"].required = True
        self.fields[
            "email"
        ].help_text = "The staff member's own address: the link to set their password goes there."

    def save(self, commit=True):
        user = super().save(commit=False)
        user.kind = UserKind.STAFF
        user.set_unusable_password()
        if commit:
            user.save()
        return user


ACCOUNT_ACTIONS = {
    "password-link": (
        "Send a link to set a password",
        "Stepwell emails {email} a link where {name} sets a new password. You do not see "
        "the link or the password. The current password keeps working until they use it.",
        "Send the link",
    ),
    "remove-authenticator": (
        "Remove the authenticator",
        "{name} can no longer log in with their current authenticator app, and any session "
        "of theirs must verify again. At their next login they enrol a new app, for which "
        "they need an enrolment code from you.",
        "Remove the authenticator",
    ),
    "enrolment-code": (
        "Create an enrolment code",
        "{name} needs this one-time code, besides their password, to enrol a new "
        "authenticator app. It is shown once: give it to them in person or by phone, never "
        "by email. A new code voids any earlier one.",
        "Create the code",
    ),
}


@admin.register(User)
class StaffAdmin(UserAdmin):
    form = StaffForm
    add_form = StaffCreationForm
    change_form_template = "admin/accounts/user/change_form.html"
    list_display = ["username", "first_name", "last_name", "credentials", "kind", "is_active"]
    list_filter = ["kind", "is_active", "role_assignments__role"]
    readonly_fields = ["password_status", "authenticator_status"]
    fieldsets = (
        (None, {"fields": ("username",)}),
        (
            "Person",
            {"fields": ("first_name", "last_name", "email", "credentials", "is_active")},
        ),
        ("Login (set only by the staff member)", {"fields": ("password_status",)}),
        ("Second step", {"fields": ("authenticator_status",)}),
        ("Privileges (changes are audited)", {"fields": ("roles", "programs")}),
    )
    add_fieldsets = (
        (None, {"fields": ("username", "first_name", "last_name", "email", "credentials")}),
    )

    @admin.display(description="Password")
    def password_status(self, obj):
        if obj is None or not obj.pk:
            return "-"
        return "set" if obj.has_usable_password() else "not set yet"

    @admin.display(description="Authenticator app")
    def authenticator_status(self, obj):
        if obj is None or not obj.pk:
            return "-"
        enrolled = mfa.totp_device_confirmed(obj) is not None
        code = enrolment.enrolment_code_active(obj)
        text = "enrolled" if enrolled else "none: enrols at next login"
        if code is not None:
            text += f"; enrolment code valid until {code.expires_at:%Y-%m-%d %H:%M} UTC"
        return text

    def get_queryset(self, request):
        # Patient logins are managed from the patient's record, not here.
        return super().get_queryset(request).filter(kind=UserKind.STAFF)

    def get_urls(self):
        # UserAdmin's own route, <id>/password/, is left out on purpose.
        own = [
            path(
                f"<path:object_id>/{action}/",
                self.admin_site.admin_view(self.account_action_view),
                {"action": action},
                name=f"accounts_user_{action.replace('-', '_')}",
            )
            for action in ACCOUNT_ACTIONS
        ]
        return own + admin.ModelAdmin.get_urls(self)

    def user_change_password(self, request, id, form_url=""):
        raise PermissionDenied  # nothing routes here; closed in case something does

    def save_model(self, request, obj, form, change):
        old_email = form.initial.get("email", "") if change else ""
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
        )
        if change and "email" in form.changed_data:
            # Saved and audited even when the old address cannot be told (the page says so).
            message_call(
                request,
                passwords.account_email_change_record,
                actor=request.user,
                user=obj,
                old=old_email or "",
                new=obj.email,
            )

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        if "roles" in form.cleaned_data:
            grants = {grant_from_key(key) for key in form.cleaned_data["roles"]}
            staff_privileges_set(
                actor=request.user,
                staff=form.instance,
                grants=grants,
                program_ids={p.pk for p in form.cleaned_data["programs"]}
                | {program_id for _role, program_id in grants if program_id is not None},
            )

    def response_add(self, request, obj, post_url_continue=None):
        self._send_password_link(request, obj)
        return super().response_add(request, obj, post_url_continue)

    def _send_password_link(self, request, user) -> bool:
        sent = message_call(
            request,
            passwords.password_reset_link_send,
            actor=request.user,
            user=user,
            base_url=request.build_absolute_uri("/"),
        )
        if sent is None:
            return False
        messages.success(request, f"A link to set a password was sent to {user.email}.")
        return True

    def account_action_view(self, request, object_id, action):
        user = get_object_or_404(self.get_queryset(request), pk=object_id)
        if not self.has_change_permission(request, user):
            raise refuse(
                actor=request.user,
                action=AuditAction.PRIVILEGE_CHANGE,
                object_type="user",
                object_id=user.pk,
            )
        title, explanation, button = ACCOUNT_ACTIONS[action]
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "original": user,
            "title": title,
            "explanation": explanation.format(name=user, email=user.email or "(no address)"),
            "button": button,
            "issued": None,
        }
        if request.method == "POST":
            change_url = reverse("admin:accounts_user_change", args=[user.pk])
            if action == "password-link":
                self._send_password_link(request, user)
            elif action == "remove-authenticator":
                removed = message_call(
                    request, mfa.totp_devices_remove, actor=request.user, user=user
                )
                if removed is not None:
                    messages.success(
                        request,
                        f"Authenticator removed ({removed} device record(s)); {user} enrols "
                        "a new one at next login, with an enrolment code.",
                    )
            else:
                context["issued"] = message_call(
                    request, enrolment.enrolment_code_create, actor=request.user, user=user
                )
                if context["issued"] is not None:
                    return TemplateResponse(
                        request, "admin/accounts/user/account_action.html", context
                    )
            return redirect(change_url)
        return TemplateResponse(request, "admin/accounts/user/account_action.html", context)
