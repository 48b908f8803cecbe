"""A director opens a report from the navigation, narrows it to June, and downloads its
CSV; the downloaded numbers are the hand-computed ones."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from django.test import Client

from stepwell.testing.auth import verified_login

pytestmark = pytest.mark.django_db(transaction=True)


def _log_in(page, user):
    client = verified_login(Client(), user)
    cookie = client.cookies["sessionid"]
    page.context.add_cookies([{"name": "sessionid", "value": cookie.value, "url": page.base_url}])


@pytest.mark.browser
def test_director_opens_a_report_and_downloads_the_csv(browser_page, hand_clinic):
    page = browser_page
    _log_in(page, hand_clinic.director_a)
    page.goto(f"{page.base_url}/")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Reports").click()
    page.get_by_role("link", name="Admissions, discharges and length of stay").click()
    page.get_by_label("From").fill("2026-06-01")
    page.get_by_label("To").fill("2026-06-30")
    page.get_by_role("button", name="Show").click()
    page.wait_for_url("**from=2026-06-01**")
    assert "Alpha IOP" in page.get_by_test_id("report-scope").inner_text()
    assert page.locator("figure.report-chart svg").count() == 1
    summary = page.locator('[data-table="summary"] tbody tr').first.inner_text()
    assert summary.split() == ["3", "3", "0", "21.0", "22.0", "16", "25"]
    with page.expect_download() as info:
        page.get_by_test_id("report-csv").click()
    download = info.value
    assert download.suggested_filename == "admissions-2026-06-01-2026-06-30.csv"
    rows = list(csv.reader(io.StringIO(Path(download.path()).read_text(encoding="utf-8"))))
    header = rows.index(
        [
            "Admissions",
            "Discharges after admission",
            "Closed before admission",
            "Average stay (days)",
            "Median stay (days)",
            "Shortest stay (days)",
            "Longest stay (days)",
        ]
    )
    assert rows[header + 1] == ["3", "3", "0", "21.0", "22.0", "16", "25"]
