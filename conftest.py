"""Shared fixtures: a small synthetic clinic with two programs and every role."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.core.servers.basehttp import WSGIServer
from django.test.testcases import LiveServerThread
from hypothesis import HealthCheck, settings

from stepwell.accounts.models import Role, UserKind
from stepwell.patients.models import EpisodeState
from stepwell.testing.factories import (
    CareTeamMemberFactory,
    EpisodeFactory,
    PatientFactory,
    ProgramFactory,
    SiteFactory,
    UserFactory,
)

# Example-based tests touch the database and run beside other workers on two cores: a
# per-example deadline measures the machine, not the rule, so it is off. (Speed is
# measured by the benchmarks under bench/, never by timed assertions.) For the same
# reason the "too slow to generate" health check is off.
settings.register_profile("stepwell", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("stepwell")


@dataclass
class Clinic:
    program_a: object
    program_b: object
    clinician_a: object
    clinician_b: object
    prescriber_a: object
    nurse_a: object
    intake_a: object
    director_a: object
    billing_a: object
    admin: object
    patient_a: object
    patient_b: object
    episode_a: object
    episode_b: object
    patient_user_a: object
    patient_user_b: object
    team_patient_b: object  # a program-B patient on clinician_a's care team


@pytest.fixture
def clinic(db) -> Clinic:
    site = SiteFactory()
    program_a = ProgramFactory(site=site, name="Adult MH")
    program_b = ProgramFactory(site=site, name="Substance Use", track="substance_use")
    clinician_a = UserFactory(
        username="clin_a", roles=[Role.CLINICIAN], programs=[program_a], credentials="LCSW"
    )
    patient_user_a = UserFactory(username="pat_a", kind=UserKind.PATIENT)
    patient_user_b = UserFactory(username="pat_b", kind=UserKind.PATIENT)
    patient_a = PatientFactory(
        legal_first_name="Avery", legal_last_name="Alder", user=patient_user_a
    )
    patient_b = PatientFactory(
        legal_first_name="Blake", legal_last_name="Birch", user=patient_user_b
    )
    team_patient_b = PatientFactory(legal_first_name="Casey", legal_last_name="Cedar")
    episode_a = EpisodeFactory(patient=patient_a, program=program_a, state=EpisodeState.ACTIVE)
    episode_a.admitted_on = episode_a.referred_on
    episode_a.save()
    episode_b = EpisodeFactory(patient=patient_b, program=program_b, state=EpisodeState.REFERRED)
    EpisodeFactory(patient=team_patient_b, program=program_b, state=EpisodeState.REFERRED)
    CareTeamMemberFactory(patient=team_patient_b, user=clinician_a)
    return Clinic(
        program_a=program_a,
        program_b=program_b,
        clinician_a=clinician_a,
        clinician_b=UserFactory(username="clin_b", roles=[Role.CLINICIAN], programs=[program_b]),
        prescriber_a=UserFactory(
            username="presc_a", roles=[Role.PRESCRIBER], programs=[program_a], credentials="MD"
        ),
        nurse_a=UserFactory(username="nurse_a", roles=[Role.NURSE], programs=[program_a]),
        intake_a=UserFactory(
            username="intake_a", roles=[Role.INTAKE_COORDINATOR], programs=[program_a]
        ),
        director_a=UserFactory(
            username="dir_a", roles=[Role.PROGRAM_DIRECTOR], programs=[program_a]
        ),
        billing_a=UserFactory(username="bill_a", roles=[Role.BILLING], programs=[program_a]),
        admin=UserFactory(
            username="admin", roles=[Role.ADMINISTRATOR], is_staff=True, is_superuser=True
        ),
        patient_a=patient_a,
        patient_b=patient_b,
        episode_a=episode_a,
        episode_b=episode_b,
        patient_user_a=patient_user_a,
        patient_user_b=patient_user_b,
        team_patient_b=team_patient_b,
    )


def pytest_collection_modifyitems(config, items):
    """On the PostgreSQL pass run only the tests that touch the database."""
    import os

    if os.environ.get("STEPWELL_DB_TESTS_ONLY") != "1":
        return
    db_fixtures = {"db", "transactional_db", "django_db_setup", "live_server", "clinic"}
    keep, drop = [], []
    for item in items:
        uses_db = bool(
            db_fixtures & set(getattr(item, "fixturenames", ()))
        ) or item.get_closest_marker("django_db")
        (keep if uses_db else drop).append(item)
    if drop:
        config.hook.pytest_deselected(items=drop)
        items[:] = keep


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
