"""One matrix clinic for the whole package, built once in a transaction that is rolled back
at the end. Each test runs in pytest-django's savepoint and each request of a cell in one
more, so every request sees the clinic exactly as it was built."""

from __future__ import annotations

import logging

import pytest
from django.db import transaction
from django.test import override_settings


@pytest.fixture(scope="package")
def world(django_db_setup, django_db_blocker, tmp_path_factory):
    from .world import build_world

    exports = tmp_path_factory.mktemp("matrix-exports")
    # Thousands of refusals are the point here: not one warning line each.
    request_log = logging.getLogger("django.request")
    level = request_log.level
    request_log.setLevel(logging.ERROR)
    with (
        django_db_blocker.unblock(),
        override_settings(STEPWELL_EXPORT_DIR=exports),
        transaction.atomic(),
    ):
        try:
            yield build_world()
        finally:
            transaction.set_rollback(True)
            request_log.setLevel(level)
