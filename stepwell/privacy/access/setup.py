"""Clinic setup (`/setup/`): the organization, sites, programs, staff accounts and the
tables each area configures there (payers, instruments, group series, ...).

- Only an administrator opens clinic setup: the administrator role (a role of no
  program) decides, nothing else. Django's `is_staff` and `is_superuser` flags, groups
  and per-user permissions grant nothing.
- In setup an administrator views, adds, changes and deletes what setup offers (the
  models registered on the setup site), except staff accounts, which are deactivated,
  never deleted: the audit trail, notes and signatures name them.
- A new program is set up by an administrator, or by a system job (the demo builder).

Django's admin asks `user.has_perm("app.action_model")`; the authentication backend
(privacy.backends) answers from `access_setup_permission` here.
"""

from __future__ import annotations

from django.apps import apps

from .predicates import is_administrator, is_system_actor

SETUP_ACTIONS = frozenset({"view", "add", "change", "delete"})
# Deactivated, never deleted: the audit trail, notes and signatures name them.
NEVER_DELETED = frozenset({"accounts.user"})


def access_clinic_setup(user) -> bool:
    return is_administrator(user)


def _offered_in_setup(model) -> bool:
    from django.contrib import admin

    return admin.site.is_registered(model)


def access_setup_model(user, model, action: str) -> bool:
    """May the user `action` ("view", "add", "change", "delete") `model` in setup?"""
    if not access_clinic_setup(user):
        return False
    if action not in SETUP_ACTIONS:
        return False
    if not _offered_in_setup(model):
        return False
    return not (action == "delete" and model._meta.label_lower in NEVER_DELETED)


def access_setup_permission(user, perm: str) -> bool:
    """Django's permission string ("clinic.change_program") read as the rule above."""
    app_label, _, codename = perm.partition(".")
    action, _, model_name = codename.partition("_")
    try:
        model = apps.get_model(app_label, model_name)
    except (LookupError, ValueError):
        return False
    return access_setup_model(user, model, action)


def access_setup_app(user, app_label: str) -> bool:
    """Setup shows an area to an administrator when it offers one of its tables."""
    if not access_clinic_setup(user):
        return False
    try:
        models = apps.get_app_config(app_label).get_models()
    except LookupError:
        return False
    return any(_offered_in_setup(model) for model in models)


def access_program_create(actor) -> bool:
    if is_system_actor(actor):
        return True
    return is_administrator(actor)
