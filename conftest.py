"""Shared fixtures: a small synthetic clinic with two programs and every role."""

from __future__ import annotations

import os
from functools import partial

import pytest
from django.core.servers.basehttp import WSGIServer
from django.test.testcases import LiveServerThread
from hypothesis import HealthCheck, settings

from stepwell.testing.clinic import SHARED, Clinic, build_clinic

# Example-based tests touch the database and run beside other workers on two cores: a
# per-example deadline measures the machine, not the rule, so it is off. (Speed is
# measured by the benchmarks under bench/, never by timed assertions.) For the same
# reason the "too slow to generate" health check is off.
settings.register_profile("stepwell", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("stepwell")


@pytest.fixture
def clinic(db, _shared_clinic) -> Clinic:
    """The small clinic (stepwell/testing/clinic.py): the process's shared one, copied for
    the test, or one built for the test when the shared one could not be opened."""
    return SHARED.copy() or build_clinic()


@pytest.fixture
def _shared_clinic():
    """Says that the test takes the shared clinic: only the `clinic` fixture above asks for
    it, so a module that defines a `clinic` of its own gets no shared one."""


def _shared_layers_wanted(item) -> list[str]:
    """The shared records a test takes (stepwell/testing/clinic.py), [] for none: only a
    test in a rolled-back transaction can take them."""
    if not _in_a_rolled_back_transaction(item):
        return []
    return SHARED.wanted_by(getattr(item, "fixturenames", ()))


@pytest.fixture(scope="session")
def _shared_clinic_rolled_back(django_db_setup, django_db_blocker):
    """Rolls the shared clinic back at the end, before the test database goes."""
    yield
    with django_db_blocker.unblock():
        SHARED.close()


@pytest.fixture
def _clinic_transaction(request, _shared_clinic_rolled_back, django_db_blocker):
    """Before a test's own transaction: the shared clinic is opened for a test that takes
    it and closed for any other test that touches the database."""
    with django_db_blocker.unblock():
        if wanted := _shared_layers_wanted(request.node):
            SHARED.open(wanted)
        else:
            SHARED.close()


@pytest.fixture
def _django_db_helper(_clinic_transaction, _django_db_helper):
    """pytest-django's (every database test's transaction or flush), after the shared
    clinic's step above. Its name is pytest-django's own, so this runs for the `db`,
    `transactional_db` and `live_server` fixtures and the `django_db` mark alike."""
    return


DB_FIXTURES = {
    "db",
    "transactional_db",
    "django_db_setup",
    "live_server",
    "clinic",
    "migration_sandbox",
}
# DB tests that also run on SQLite when PostgreSQL runs the rest: the engine-specific SQL
# (audit and signed-record triggers) and the demo, which `make demo` serves from SQLite.
# A test module that names SQLite or the connection's vendor counts too. A data
# migration's test (test_migrations) runs on PostgreSQL only: the rows it moves exist
# only in a clinic's database, which is PostgreSQL; SQLite's migrations run forward in
# every SQLite pass and `make demo`.
ENGINE_SENSITIVE_DIRS = {"privacy", "demo"}
ENGINE_SENSITIVE_STEMS = ("test_demo", "_triggers")


def _uses_db(item) -> bool:
    return bool(
        DB_FIXTURES & set(getattr(item, "fixturenames", ())) or item.get_closest_marker("django_db")
    )


_SOURCES: dict = {}


def _engine_sensitive(item) -> bool:
    path = item.path
    if item.get_closest_marker("both_engines") or ENGINE_SENSITIVE_DIRS & set(path.parts):
        return True
    if any(part in path.stem for part in ENGINE_SENSITIVE_STEMS):
        return True
    if path not in _SOURCES:
        text = path.read_text() if path.suffix == ".py" else ""
        _SOURCES[path] = "sqlite" in text.lower() or "connection.vendor" in text
    return _SOURCES[path]


def pytest_collection_modifyitems(config, items):
    """STEPWELL_TEST_SELECTION picks a pass of scripts/run_tests.py when PostgreSQL is there:

    - ``postgres``: every test that touches the database, browser tests and the demo
      builds aside;
    - ``sqlite``: the tests that touch no database (engines, hypothesis over pure rules),
      the browser tests (live server on SQLite), and the engine-sensitive database tests,
      the demo builds among them.

    Together they run each test at least once, each database test on PostgreSQL except
    the demo builds (``demo_engine``): the demo is served from SQLite (`make demo`), the
    services it goes through are each tested on PostgreSQL, and a build on PostgreSQL was
    the slowest test of the suite (about 6 minutes on a slow machine).
    Unset (no PostgreSQL), everything runs. STEPWELL_DB_TESTS_ONLY=1 is ``postgres``.
    Either way the demo builds go first (SLOW_FIRST).
    """
    _sandbox_marks(items)
    selection = _selection()
    _check_database_only_modules(config, items)
    if selection in ("postgres", "sqlite"):
        keep, drop = [], []
        for item in items:
            uses_db = _uses_db(item)
            browser = bool(item.get_closest_marker("browser"))
            if selection == "postgres":
                wanted = uses_db and not browser and not item.get_closest_marker("demo_engine")
            else:
                wanted = not uses_db or browser or _engine_sensitive(item)
            (keep if wanted else drop).append(item)
        if drop:
            config.hook.pytest_deselected(items=drop)
            items[:] = keep
    items.sort(key=_slow_rank)


def _selection() -> str:
    if os.environ.get("STEPWELL_DB_TESTS_ONLY") == "1":
        return "postgres"
    return os.environ.get("STEPWELL_TEST_SELECTION", "")


# Modules whose every test touches the database and that are costly to collect: the SQLite
# pass, which would deselect all their tests, does not import them. (Schemathesis builds
# the conformance test's cases for each operation when the module is collected: about 4 s
# of each SQLite worker's start.) Where they are collected, a test in them that touches no
# database stops the run, since the SQLite pass would never run it.
DATABASE_ONLY_MODULES = ("tests/test_api_conformance.py",)


def pytest_ignore_collect(collection_path, config):
    if _selection() != "sqlite" or not collection_path.is_relative_to(config.rootpath):
        return None
    relative = collection_path.relative_to(config.rootpath).as_posix()
    return True if relative in DATABASE_ONLY_MODULES else None


def _check_database_only_modules(config, items) -> None:
    for item in items:
        if not item.path.is_relative_to(config.rootpath):
            continue
        relative = item.path.relative_to(config.rootpath).as_posix()
        if relative in DATABASE_ONLY_MODULES and (
            not _uses_db(item) or item.get_closest_marker("browser")
        ):
            raise pytest.UsageError(
                f"{item.nodeid} touches no database (or drives the browser), but its module "
                "is in DATABASE_ONLY_MODULES (conftest.py), which the SQLite pass does not "
                "collect: move the test to another module."
            )


# The longest tests (each builds the demo clinic) go first, so that a worker does not start
# one of them when the others have nothing left to do: a demo week alone is about two
# minutes. The rest keeps pytest-django's order (database tests in a transaction, then those
# that commit, then those without a database); only tests of the first kind move.
SLOW_FIRST = ("test_demo_week", "test_seed_demo")


def _slow_rank(item) -> int:
    stem = item.path.stem
    if stem not in SLOW_FIRST or not _in_a_rolled_back_transaction(item):
        return len(SLOW_FIRST)
    return SLOW_FIRST.index(stem)


def _in_a_rolled_back_transaction(item) -> bool:
    names = set(getattr(item, "fixturenames", ()))
    if names & {"transactional_db", "live_server"} or getattr(item, "cls", None):
        return False
    marker = item.get_closest_marker("django_db")
    if marker and (marker.kwargs.get("transaction") or marker.kwargs.get("reset_sequences")):
        return False
    return "db" in names or marker is not None


class DurationLog:
    """Each test's time (setup, call and teardown together), kept by the process that
    reports the results (xdist's controller, or the only process) and written as JSON to
    STEPWELL_DURATIONS_FILE at the end; scripts/run_tests.py prints the slowest of both
    passes at the end of `make test`."""

    def __init__(self, path: str):
        self.path = path
        self.seconds: dict[str, float] = {}

    def pytest_runtest_logreport(self, report):
        self.seconds[report.nodeid] = self.seconds.get(report.nodeid, 0.0) + report.duration

    def pytest_sessionfinish(self, session):
        import json

        with open(self.path, "w") as out:
            json.dump(self.seconds, out)


def pytest_collection_finish(session):
    """The tests make many short-lived ORM objects: Python's collector runs less often,
    and what the collection loaded is frozen (stepwell/core/collection.py)."""
    from stepwell.core.collection import collect_less

    collect_less()


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_protocol(item, nextitem):
    """Each test (setup, call, teardown) as pytest runs it, in a roomy frame: its calls do
    not map and unmap frame chunks all the time (stepwell/core/frames.py)."""
    from _pytest.runner import runtestprotocol

    from stepwell.core.frames import in_roomy_frame

    item.ihook.pytest_runtest_logstart(nodeid=item.nodeid, location=item.location)
    in_roomy_frame(runtestprotocol, item, nextitem=nextitem)
    item.ihook.pytest_runtest_logfinish(nodeid=item.nodeid, location=item.location)
    return True


def pytest_configure(config):
    path = os.environ.get("STEPWELL_DURATIONS_FILE", "")
    if path and not hasattr(config, "workerinput"):
        config.pluginmanager.register(DurationLog(path), "stepwell-durations")


@pytest.fixture
def migration_sandbox():
    """For a test that migrates the database back and forth (stepwell.testing.migrations):
    whatever it unapplies is there again afterwards, as the other tests expect.

    On PostgreSQL the test runs inside the usual rolled-back transaction, and schema
    changes are transactional there: the rollback undoes its migrations at no cost. SQLite
    cannot change a schema inside a transaction (Django turns its foreign key checks off
    first), so there the test commits, and the database file is copied aside before it
    and back after it with SQLite's backup API (a page copy: schema, triggers, sequences
    and rows as they were), instead of migrating forward again. The database marker that
    says which is added at collection (_sandbox_marks).
    """
    import sqlite3

    from django.db import connection

    if connection.vendor == "postgresql":
        yield
        return
    connection.ensure_connection()
    saved = sqlite3.connect(":memory:")
    connection.connection.backup(saved)
    yield
    connection.ensure_connection()
    saved.backup(connection.connection)
    saved.close()


def _sandbox_marks(items) -> None:
    from django.db import connection

    transactional = connection.vendor != "postgresql"
    for item in items:
        if "migration_sandbox" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.django_db(transaction=transactional))


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix):
    """With STEPWELL_TEST_DB_TEMPLATE set (scripts/run_tests.py migrates one database per
    engine before the workers start), each worker copies that migrated database instead of
    running every migration again: SQLite's backup into the in-memory test database, or
    PostgreSQL's CREATE DATABASE ... TEMPLATE. Without it, pytest-django migrates as usual."""
    template = os.environ.get("STEPWELL_TEST_DB_TEMPLATE", "")
    if template:
        from django.db import connection

        creation = connection.creation
        creation.create_test_db = partial(_test_db_from_template, creation, template)


def _test_db_from_template(
    creation, template, verbosity=1, autoclobber=False, serialize=True, keepdb=False
):
    """Django's create_test_db, with the migrations replaced by a copy of ``template``."""
    from django.conf import settings as django_settings
    from django.core.management import call_command

    connection = creation.connection
    name = creation._get_test_db_name()
    if connection.vendor == "postgresql":
        with creation._nodb_cursor() as cursor:
            quoted = connection.ops.quote_name(name)
            cursor.execute(f"DROP DATABASE IF EXISTS {quoted}")
            cursor.execute(
                f"CREATE DATABASE {quoted} TEMPLATE {connection.ops.quote_name(template)}"
            )
    elif connection.vendor != "sqlite":
        raise RuntimeError(f"no template copy for {connection.vendor}")
    connection.close()
    django_settings.DATABASES[connection.alias]["NAME"] = name
    connection.settings_dict["NAME"] = name
    if connection.vendor == "sqlite":
        import sqlite3

        connection.ensure_connection()
        source = sqlite3.connect(template)
        try:
            source.backup(connection.connection)
        finally:
            source.close()
    if serialize:
        connection._test_serialized_contents = creation.serialize_db_to_string()
    call_command("createcachetable", database=connection.alias)
    connection.ensure_connection()
    return name


@pytest.fixture
def on_postgres():
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (runs in make test's PostgreSQL pass)")


class OneRequestAtATimeServer(WSGIServer):
    """The live server for browser tests, serving one request at a time.

    The test database is SQLite in memory: one connection, shared by the live server's
    threads. Two requests at once (htmx loads a chart's sections side by side) would
    interleave their transactions on it, and the audit chain's next id would be taken
    twice. In production each request has its own connection, and SQLite's IMMEDIATE
    transactions (or PostgreSQL's row lock) queue the writers. Django closes each
    connection after its response on a server without threads, so no browser waits on
    a kept-alive connection.
    """

    def __init__(self, *args, connections_override=None, **kwargs):
        super().__init__(*args, **kwargs)


LiveServerThread.server_class = OneRequestAtATimeServer


CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture
def browser_page(live_server, tmp_path):
    """A headless Chromium page (Debian's /usr/bin/chromium through Playwright), fresh profile.

    Skips when Chromium or Playwright is missing, unless STEPWELL_REQUIRE_BROWSER=1.
    """
    import os
    import shutil

    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    required = os.environ.get("STEPWELL_REQUIRE_BROWSER") == "1"
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        if required:
            pytest.fail("Playwright is not installed and STEPWELL_REQUIRE_BROWSER=1")
        pytest.skip("browser test skipped: Playwright not installed")
    if not shutil.which(CHROMIUM):
        if required:
            pytest.fail(
                f"{CHROMIUM} is missing and STEPWELL_REQUIRE_BROWSER=1 (apt-get install chromium)"
            )
        pytest.skip(f"browser test skipped: {CHROMIUM} not found (apt-get install chromium)")
    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(tmp_path / "profile"),
            executable_path=CHROMIUM,
            headless=True,
            args=CHROMIUM_ARGS,
            viewport={"width": 1280, "height": 900},
        )
        page = context.new_page()
        page.set_default_timeout(15000)
        page.base_url = live_server.url
        # Irreversible actions ask first (data-confirm): accept, and keep what was asked.
        page.dialogs = []
        page.on("dialog", lambda dialog: (page.dialogs.append(dialog.message), dialog.accept()))
        try:
            yield page
        finally:
            context.close()
