"""The matrix covers every route: a page route or API operation without an entry in
tests/access_matrix/expectations fails here, naming it; so does an entry for a route that
no longer exists."""

from __future__ import annotations

from stepwell.testing.openapi import api_operations

from .expectations import OPERATIONS, PAGES
from .expectations.setup import ADMIN_PAGE_DEVIATIONS, ADMIN_SITE_STATUS
from .routes import page_routes

HOW = (
    "add an Entry for it to the area's module in tests/access_matrix/expectations/ (who may "
    "use it, the records its path names, the success status; see that package's docstring)"
)


def _operation_paths() -> set[str]:
    return {path.lstrip("/") for _, path, _ in api_operations()}


def _pages():
    """Page routes outside the admin site; the API's operations are covered below."""
    operations = _operation_paths()
    return [
        route
        for route in page_routes()
        if route.namespace != "admin" and route.template not in operations
    ]


def test_every_page_route_has_an_entry():
    covered = {entry.route for entry in PAGES}
    missing = [route.label for route in _pages() if route.template not in covered]
    assert missing == [], f"page routes without an entry in the access matrix: {missing}; {HOW}"


def test_every_api_operation_has_an_entry():
    covered = {(entry.method, entry.route) for entry in OPERATIONS}
    missing = [f"{m} {p}" for m, p, _ in api_operations() if (m, p) not in covered]
    assert missing == [], f"API operations without an entry in the access matrix: {missing}; {HOW}"


def test_every_entry_names_a_route_that_exists():
    pages = {route.template for route in _pages()}
    operations = {(m, p) for m, p, _ in api_operations()}
    stale = [e.label for e in PAGES if e.route not in pages]
    stale += [e.label for e in OPERATIONS if (e.method, e.route) not in operations]
    templates = {r.template for r in page_routes()}
    stale += [t for t in (*ADMIN_SITE_STATUS, *ADMIN_PAGE_DEVIATIONS) if t not in templates]
    assert stale == [], f"entries for routes that do not exist: {stale}"


def test_every_entry_is_a_distinct_cell():
    labels = [entry.label for entry in (*PAGES, *OPERATIONS)]
    assert sorted({label for label in labels if labels.count(label) > 1}) == []


def test_the_walk_finds_pages_setup_and_the_api():
    templates = {route.template for route in page_routes()}
    assert {"portal/", "patients/{patient_id}/", "setup/", "care/notes/{note_id}/"} <= templates
    assert len(_pages()) > 90
    assert len(api_operations()) > 55
