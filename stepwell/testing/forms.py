"""The project's forms, for tests that hold every form to a rule."""

from __future__ import annotations

import importlib
import pkgutil

from django import forms

import stepwell


def project_forms() -> list[type[forms.BaseForm]]:
    """Every form class the project defines (its forms, views and staff admin modules
    imported first), but the tests' and the Django admin's (made from the models)."""
    for module in pkgutil.walk_packages(stepwell.__path__, "stepwell."):
        if ".tests" not in module.name and module.name.rsplit(".", 1)[-1] in (
            "forms",
            "staff_admin",
            "views",
        ):
            importlib.import_module(module.name)
    found, todo = [], [forms.BaseForm]
    while todo:
        cls = todo.pop()
        todo.extend(cls.__subclasses__())
        module = cls.__module__
        # (the admin's forms are Django's own, made from the models)
        if module.startswith("stepwell.") and ".tests" not in module and "admin" not in module:
            found.append(cls)
    return found
