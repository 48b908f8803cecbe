"""Fixtures for the measures tests: answers, a scheduled program, and a phone-sized browser."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

PHQ9_MILD = {f"phq9_{n}": 1 for n in range(1, 10)} | {"phq9_9": 0, "phq9_1": 2, "phq9_10": 1}
PHQ9_RISK = {f"phq9_{n}": 1 for n in range(1, 10)} | {"phq9_9": 2, "phq9_10": 1}
PHQ9_SEVERE = {f"phq9_{n}": 3 for n in range(1, 9)} | {"phq9_9": 0, "phq9_10": 2}


@pytest.fixture
def phone_page():
    """A headless Chromium page the size of a phone. Skips without Chromium unless
    STEPWELL_REQUIRE_BROWSER=1, when a missing browser fails the test."""
    if not CHROMIUM.exists():
        if os.environ.get("STEPWELL_REQUIRE_BROWSER") == "1":
            pytest.fail(f"{CHROMIUM} is missing and STEPWELL_REQUIRE_BROWSER=1")
        pytest.skip(f"{CHROMIUM} is missing")
    from playwright.sync_api import sync_playwright

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
