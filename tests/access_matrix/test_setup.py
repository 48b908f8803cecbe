"""Clinic setup (/setup/): every route of Django's admin site, for every person.

The administrator gets each page (its exact status in expectations/setup.py when it is
not 200). Everyone else is refused on every route: 403 with nothing of the page, nothing
written and a denied audit event; someone not signed in goes to the login. The admin site
decides with one check for all its routes, so a person's cell walks them all and stops at
the first wrong answer.
"""

from __future__ import annotations

import re

import pytest
from django.apps import apps
from django.contrib.contenttypes.models import ContentType

from stepwell.testing.matrix_clinic import MISSING_ID

from .expectations.setup import ADMIN_PAGE_DEVIATIONS, ADMIN_SITE_DEVIATIONS, ADMIN_SITE_STATUS
from .facts import ROLES
from .harness import CellFailure
from .routes import page_routes

pytestmark = pytest.mark.django_db

ADMIN_ROUTES = [r for r in page_routes() if r.namespace == "admin"]


def _model_of(template: str):
    parts = template.split("/")
    if len(parts) < 4 or "{" in parts[1] or "{" in parts[2] or parts[1] == "r":
        return None
    return apps.get_model(parts[1], parts[2])


def _urls(route) -> list[tuple[str, int, str]]:
    """(url, the administrator's status, why) for one admin route."""
    template = route.template
    designed = template in ADMIN_SITE_STATUS
    status, why = ADMIN_SITE_STATUS.get(template, (200, ""))
    if "{app_label}" in template:
        return [
            (template.format(app_label=label), status, why) for label in route.choices["app_label"]
        ]
    if template == "setup/{url}":
        return [("setup/nothing-here/", status, why)]
    if template.startswith("setup/r/"):
        program = apps.get_model("clinic", "Program").objects.order_by("pk").first()
        content_type = ContentType.objects.get_for_model(program)
        return [
            (template.format(content_type_id=content_type.pk, object_id=program.pk), status, why)
        ]
    model = _model_of(template)
    if model is None or "{object_id}" not in template:
        return [(template, status, why)]
    first = model._default_manager.order_by("pk").values_list("pk", flat=True).first()
    url = template.format(object_id=first if first is not None else MISSING_ID)
    if designed:
        return [(url, status, why)]
    if template.endswith("{object_id}/"):
        return [(url, 302, "a record's bare address sends you to its change page")]
    if first is None:
        return [(url, 302, "no such record: back to the index with a message")]
    return [(url, status, why)]


def all_urls():
    return [(url, status, why) for route in ADMIN_ROUTES for url, status, why in _urls(route)]


def _patients_named(world, body: str) -> list[str]:
    words = [w for p in world.patients.values() for w in (p.legal_last_name, p.mrn)]
    return [w for w in words if re.search(rf"\b{re.escape(w)}\b", body)]


def _administrator_cells():
    for route in ADMIN_ROUTES:
        marks = []
        if route.template in ADMIN_PAGE_DEVIATIONS:
            reason = f"known deviation, {route.label}: {ADMIN_PAGE_DEVIATIONS[route.template]}"
            marks.append(pytest.mark.xfail(strict=True, raises=AssertionError, reason=reason))
        yield pytest.param(route, id=route.label, marks=marks)


@pytest.mark.parametrize("route", list(_administrator_cells()))
def test_setup_as_administrator(world, route):
    """Each page as the administrator expects it, and no patient on any of them: an
    administrator configures the clinic and reads no clinical content."""
    for url, status, why in _urls(route):
        with world.savepoint():
            response = world.client_for("administrator").get("/" + url)
            got = (response.status_code, response.get("Location", ""))
            assert got[0] == status, f"/{url}: expected {status} ({why or 'the page'}), got {got}"
            body = response.content.decode()
            assert _patients_named(world, body) == [], f"/{url} names a patient"


def _refusal_cells():
    for person in ROLES:
        if person == "administrator":
            continue
        marks = []
        if person in ADMIN_SITE_DEVIATIONS:
            reason = f"known deviation, /setup/ as {person}: {ADMIN_SITE_DEVIATIONS[person]}"
            marks.append(pytest.mark.xfail(strict=True, raises=CellFailure, reason=reason))
        yield pytest.param(person, id=person, marks=marks)


@pytest.mark.parametrize("person", list(_refusal_cells()))
def test_setup_refuses(world, person):
    for url, _, _ in all_urls():
        with world.savepoint():
            before = world.last_audit_seq()
            response = world.client_for(person).get("/" + url)
            location = response.get("Location", "")
            if person == "anonymous":
                if response.status_code != 302 or "/login/" not in location:
                    raise CellFailure(f"/{url} as anonymous: {response.status_code} {location}")
                continue
            if response.status_code != 403:
                raise CellFailure(f"/{url} as {person}: {response.status_code} {location}")
            if not world.denial_audited(person, before):
                raise CellFailure(f"/{url} as {person}: refused without a denied audit event")


def test_the_walk_found_the_setup_routes():
    templates = {route.template for route in ADMIN_ROUTES}
    assert "setup/" in templates
    assert "setup/clinic/program/{object_id}/change/" in templates
    assert len(ADMIN_ROUTES) > 100
