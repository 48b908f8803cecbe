"""Fixtures of the follow-up tests, on the root `clinic` fixture: Avery (patient_a) was
discharged from program A (Adult MH) on DISCHARGED_ON and gets email; program B is a
substance-use program."""

from __future__ import annotations

import os
from datetime import date, timedelta
from pathlib import Path

import pytest

from stepwell.followups import services
from stepwell.patients.models import EpisodeState
from stepwell.privacy.actors import system_actor

DISCHARGED_ON = date(2026, 9, 1)
JOB = system_actor("follow-ups")
PHQ9_MILD = {f"phq9_{n}": "1" for n in range(1, 10)} | {"phq9_9": "0", "phq9_10": "1"}
GAD7_MILD = {f"gad7_{n}": "1" for n in range(1, 8)}
SHORT = {
    "in_treatment": "yes",
    "in_treatment_where": "Weekly therapy at a community clinic",
    "readmitted_higher_level": "no",
    "days_of_use_last_30": "0",
    "employment": "working",
}


def discharge(episode, on: date = DISCHARGED_ON, admitted: date | None = None) -> None:
    episode.state = EpisodeState.DISCHARGED
    episode.admitted_on = admitted or on - timedelta(days=42)
    episode.referred_on = min(episode.referred_on, episode.admitted_on)
    episode.discharged_on = on
    episode.discharge_disposition = "completed"
    episode.save()


@pytest.fixture
def discharged(clinic):
    clinic.patient_a.email = "avery@example.org"
    clinic.patient_a.save()
    discharge(clinic.episode_a)
    return clinic


@pytest.fixture
def due_30(discharged):
    """Avery's 30-day follow-up, created by the job on its day (no link sent yet)."""
    [follow_up] = services.follow_ups_create_due(
        actor=JOB,
        program_id=discharged.program_a.pk,
        today=DISCHARGED_ON + timedelta(days=30),
    )
    return follow_up


CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-sync"]


@pytest.fixture
def phone_page():
    """A headless Chromium page the size of a phone. Skips without Chromium unless
    STEPWELL_REQUIRE_BROWSER=1, when a missing browser fails the test."""
    if not CHROMIUM.exists():
        if os.environ.get("STEPWELL_REQUIRE_BROWSER") == "1":
            pytest.fail(f"{CHROMIUM} is missing and STEPWELL_REQUIRE_BROWSER=1")
        pytest.skip(f"{CHROMIUM} is missing")
    from playwright.sync_api import sync_playwright

    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True)
        page = context.new_page()
        page.set_default_timeout(15000)
        try:
            yield page
        finally:
            context.close()
            browser.close()
