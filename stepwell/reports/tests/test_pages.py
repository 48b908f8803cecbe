"""The report pages, the CSV and PDF downloads and the API show the same numbers."""

from __future__ import annotations

import csv
import io
import sys

import pytest

from stepwell.reports.registry import SPECS
from stepwell.reports.tables import ColumnKind, csv_text
from stepwell.testing.auth import verified_login

from .conftest import NOW

pytestmark = pytest.mark.django_db
JUNE_QUERY = "from=2026-06-01&to=2026-06-30"


@pytest.fixture
def director(client, hand_clinic, settings, monkeypatch):
    monkeypatch.setattr("stepwell.reports.views.timezone.now", lambda: NOW)
    monkeypatch.setattr("stepwell.reports.api.timezone.now", lambda: NOW)
    settings.STEPWELL_REPORT_MIN_CELL = 0
    return verified_login(client, hand_clinic.director_a)


def csv_tables(text: str) -> dict[str, list[list[str]]]:
    """The CSV's tables keyed by title (a title line, a header, rows, a blank line)."""
    tables: dict[str, list[list[str]]] = {}
    current = None
    lines = list(csv.reader(io.StringIO(text)))
    for n, line in enumerate(lines):
        if not line:
            current = lines[n + 1][0] if n + 1 < len(lines) else None
            tables[current] = []
        elif current is not None and line != [current]:
            tables[current].append(line)
    return tables


def test_the_list_links_every_report(director):
    page = director.get("/reports/")
    assert page.status_code == 200
    assert page.content.decode().count('data-testid="report-link"') == len(SPECS)


def test_a_report_page_shows_its_chart_tables_and_footnote(director):
    page = director.get(f"/reports/depression/?{JUNE_QUERY}")
    body = page.content.decode()
    assert page.status_code == 200
    assert "<svg" in body and "Depression outcomes" in body
    assert "CMS159" in body  # the measure definitions followed, in the footnote
    assert "<td>66.7%</td>" in body  # response: 2 of 3


def test_page_csv_and_api_carry_the_same_numbers(director):
    page = director.get(f"/reports/admissions/?{JUNE_QUERY}").content.decode()
    download = director.get(f"/reports/admissions/csv/?{JUNE_QUERY}")
    assert download["Content-Type"].startswith("text/csv")
    assert "attachment" in download["Content-Disposition"]
    tables = csv_tables(download.content.decode())
    api = director.get(f"/api/v1/reports/admissions?{JUNE_QUERY}").json()
    for table in api["tables"]:
        rows = tables[table["title"]]
        assert rows[0] == [c["label"] for c in table["columns"]]
        for api_row, csv_row in zip(table["rows"], rows[1:], strict=True):
            kinds = [ColumnKind(c["kind"]) for c in table["columns"]]
            assert csv_row == [
                csv_text(type("C", (), {"kind": k})(), v)
                for k, v in zip(kinds, api_row, strict=True)
            ]
    assert api["tables"][0]["rows"][0] == [3, 3, 0, 21.0, 22.0, 16, 25]
    assert "<td>21.0</td>" in page and "<td>22.0</td>" in page


def test_one_table_csv(director):
    download = director.get(f"/reports/census/csv/?{JUNE_QUERY}&table=by_week")
    text = download.content.decode()
    assert "\r\nCensus by week\r\n" in text and "\r\nCensus by day\r\n" not in text


def test_bad_filters_are_named_and_the_report_still_shows(director):
    page = director.get("/reports/census/?from=2026-06-30&to=2026-06-01")
    assert page.status_code == 400
    assert "Give a date on or before 2026-06-01." in page.content.decode()
    page = director.get("/reports/census/?from=not-a-date&track=nonsense")
    assert page.status_code == 400
    assert "Enter a valid date." in page.content.decode()
    api = director.get("/api/v1/reports/census?track=nonsense")
    assert api.status_code == 400 and "track" in api.json()["errors"]
    api = director.get("/api/v1/reports/census?from=2026-06-30&to=2026-06-01")
    assert api.status_code == 400 and "from" in api.json()["errors"]


def test_pdf_is_made_from_the_page(director):
    download = director.get(f"/reports/outcomes/pdf/?{JUNE_QUERY}")
    assert download.status_code == 200
    assert download["Content-Type"] == "application/pdf"
    assert download.content.startswith(b"%PDF")


def test_pdf_answers_503_without_weasyprint(director, monkeypatch):
    monkeypatch.setitem(sys.modules, "weasyprint", None)  # import fails as without Pango
    download = director.get(f"/reports/outcomes/pdf/?{JUNE_QUERY}")
    assert download.status_code == 503
    assert "Pango" in download.content.decode()
    assert director.get(f"/reports/outcomes/csv/?{JUNE_QUERY}").status_code == 200


def test_csv_guards_text_against_spreadsheet_formulas():
    from stepwell.reports.tables import Column

    assert csv_text(Column("a", "A", ColumnKind.TEXT), "=SUM(A1)") == "'=SUM(A1)"
    assert csv_text(Column("a", "A", ColumnKind.PERCENT), 5) == "5.0"
    assert csv_text(Column("a", "A"), None) == ""


def test_billing_sees_its_reports_only(client, hand_clinic):
    verified_login(client, hand_clinic.billing_a)
    page = client.get("/reports/").content.decode()
    assert page.count('data-testid="report-link"') == 4
    assert client.get("/reports/census/").status_code == 200
    assert client.get("/reports/outcomes/").status_code == 403
    names = {r["name"] for r in client.get("/api/v1/reports").json()}
    assert names == {"census", "admissions", "attendance", "hours"}


def test_downloads_are_audited_as_exports(director):
    from stepwell.privacy.models import AuditEvent

    before = AuditEvent.objects.count()
    director.get(f"/reports/census/csv/?{JUNE_QUERY}")
    director.get(f"/api/v1/reports/census?{JUNE_QUERY}")
    events = [
        (e.action, e.object_id, e.detail["output"], e.detail["from"])
        for e in AuditEvent.objects.order_by("seq")[before:]
        if e.object_type == "report"
    ]
    assert events == [
        ("export", "census", "csv", "2026-06-01"),
        ("view", "census", "api", "2026-06-01"),
    ]
