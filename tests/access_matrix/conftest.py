"""One matrix clinic for the whole package, built once in a transaction that is rolled back
at the end or when the build fails, leaving the database as it was (see
world.built_and_rolled_back). Each test runs in pytest-django's savepoint and each request
of a cell in one more, so every request sees the clinic exactly as it was built."""

from __future__ import annotations

import logging

import pytest
from django.test import override_settings

from stepwell.testing.auth import COOKIE_SESSIONS


@pytest.fixture(scope="package")
def world(django_db_setup, django_db_blocker, tmp_path_factory):
    from .world import build_world, built_and_rolled_back

    exports = tmp_path_factory.mktemp("matrix-exports")
    # Thousands of refusals are the point here: not one warning line each.
    request_log = logging.getLogger("django.request")
    level = request_log.level
    request_log.setLevel(logging.ERROR)
    try:
        with (
            django_db_blocker.unblock(),
            override_settings(STEPWELL_EXPORT_DIR=exports, SESSION_ENGINE=COOKIE_SESSIONS),
            built_and_rolled_back(build_world) as world,
        ):
            yield world
    finally:
        request_log.setLevel(level)
