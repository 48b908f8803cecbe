"""Login and clinic-setup permissions: one authentication backend.

Passwords are checked as Django's ModelBackend checks them. What Django's admin (clinic
setup) lets someone do is answered by the access rules (privacy.access.setup), not by
Django's permission tables: `is_superuser`, groups and per-user permissions grant
nothing (accounts.models.User skips Django's superuser shortcut too).
"""

from __future__ import annotations

from django.contrib.auth.backends import ModelBackend

from .access.setup import access_setup_app, access_setup_permission


class StepwellBackend(ModelBackend):
    def get_user_permissions(self, user_obj, obj=None) -> set[str]:
        return set()

    def get_group_permissions(self, user_obj, obj=None) -> set[str]:
        return set()

    def get_all_permissions(self, user_obj, obj=None) -> set[str]:
        return set()

    def has_perm(self, user_obj, perm, obj=None) -> bool:
        return access_setup_permission(user_obj, perm)

    def has_module_perms(self, user_obj, app_label) -> bool:
        return access_setup_app(user_obj, app_label)

    def with_perm(self, perm, is_active=True, include_superusers=True, obj=None):
        from stepwell.accounts.models import User

        return User.objects.none()
