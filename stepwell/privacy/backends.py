"""Login and clinic-setup permissions: one authentication backend.

Passwords are checked as Django's ModelBackend checks them. What Django's admin (clinic
setup) lets someone do is answered by the access rules (privacy.access.setup), not by
Django's permission tables: `is_superuser`, groups and per-user permissions grant
nothing (accounts.models.User skips Django's superuser shortcut too).
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend

from stepwell.core.kept import RecordRead

from .access.predicates import as_record_id
from .access.setup import access_setup_app, access_setup_permission

# The signed-in user, read on every request: kept compiled (stepwell/core/kept.py).
_USER = RecordRead(get_user_model())


class StepwellBackend(ModelBackend):
    def get_user(self, user_id):
        """ModelBackend.get_user (the session's user, if active), with the read kept
        compiled."""
        user = _USER.one(as_record_id(user_id))  # 0, which is no one's, for a non-id
        return user if user is not None and self.user_can_authenticate(user) else None

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
