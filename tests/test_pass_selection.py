"""How the root conftest.py splits the suite between make test's two passes: modules whose
every test touches the database are not even collected by the SQLite pass, and a test
that touches no database in one of them stops the run instead of never running."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

import conftest as root

CONFORMANCE = "tests/test_api_conformance.py"


@dataclass
class FakeItem:
    path: object
    fixturenames: tuple = ()
    browser: bool = False

    @property
    def nodeid(self) -> str:
        return f"{self.path.name}::test_something"

    def get_closest_marker(self, name):
        return object() if name == "browser" and self.browser else None


def test_the_sqlite_pass_does_not_collect_a_database_only_module(monkeypatch, pytestconfig):
    module = pytestconfig.rootpath / CONFORMANCE
    assert CONFORMANCE in root.DATABASE_ONLY_MODULES
    monkeypatch.setenv("STEPWELL_TEST_SELECTION", "sqlite")
    assert root.pytest_ignore_collect(module, pytestconfig) is True
    assert (
        root.pytest_ignore_collect(pytestconfig.rootpath / "tests/test_pages.py", pytestconfig)
        is None
    )
    for selection in ("postgres", ""):
        monkeypatch.setenv("STEPWELL_TEST_SELECTION", selection)
        assert root.pytest_ignore_collect(module, pytestconfig) is None


def test_a_test_without_a_database_there_stops_the_run(pytestconfig):
    module = pytestconfig.rootpath / CONFORMANCE
    root._check_database_only_modules(pytestconfig, [FakeItem(module, ("db",))])
    with pytest.raises(pytest.UsageError, match="touches no database"):
        root._check_database_only_modules(pytestconfig, [FakeItem(module)])
    with pytest.raises(pytest.UsageError, match="drives the browser"):
        root._check_database_only_modules(
            pytestconfig, [FakeItem(module, ("live_server",), browser=True)]
        )
    # Elsewhere a test without a database is an ordinary one.
    other = pytestconfig.rootpath / "tests/test_pages.py"
    root._check_database_only_modules(pytestconfig, [FakeItem(other)])
