"""Clinic setup (`/setup/`): Django's admin, with its permission taken from the access
rules (privacy.access.setup) instead of Django's `is_staff` flag.

- Someone not logged in is sent to the one audited login.
- A logged-in user without the administrator role is refused (403), and the refusal is
  in the audit trail. `is_staff` and `is_superuser` open nothing.
- What an administrator may do with each table comes from one rule
  (`access_setup_model`), asked through `user.has_perm` (privacy.backends).
"""

from __future__ import annotations

from functools import update_wrapper

from django.contrib import admin

from stepwell.privacy.access.setup import access_clinic_setup
from stepwell.privacy.audit import AuditAction
from stepwell.privacy.refusals import refuse


class SetupSite(admin.AdminSite):
    site_header = "Stepwell clinic setup"
    site_title = "Stepwell setup"
    index_title = "Organization, sites, programs and staff"

    def has_permission(self, request) -> bool:
        return access_clinic_setup(request.user)

    def admin_view(self, view, cacheable=False):
        inner = super().admin_view(view, cacheable)

        def gated(request, *args, **kwargs):
            if request.user.is_authenticated and not self.has_permission(request):
                raise refuse(
                    actor=request.user,
                    action=AuditAction.VIEW,
                    object_type="clinic_setup",
                    object_id=request.path[:64],
                )
            return inner(request, *args, **kwargs)

        return update_wrapper(gated, inner)
