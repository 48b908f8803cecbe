"""The shared paging of list pages and API lists (stepwell.core.paging)."""

from __future__ import annotations

import re

import pytest
from django.http import QueryDict
from django.template.loader import render_to_string

from stepwell.clinic.models import Organization
from stepwell.core.paging import (
    PAGE_SIZE,
    counted_page,
    page_number,
    page_of,
    page_of_narrow,
    uncounted_page,
    window,
    without_page,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def organizations():
    Organization.objects.bulk_create(Organization(name=f"Org {n:03d}") for n in range(120))
    return Organization.objects.order_by("name", "pk")


def test_a_page_holds_page_size_rows_and_the_last_the_rest(organizations):
    first, last = page_of(organizations, "1"), page_of(organizations, 3)
    assert PAGE_SIZE == 50
    assert [o.name for o in first] == [f"Org {n:03d}" for n in range(50)]
    assert [o.name for o in last] == [f"Org {n:03d}" for n in range(100, 120)]
    assert first.paginator.num_pages == 3


@pytest.mark.parametrize(("asked", "shown"), [("0", 1), ("-2", 1), ("99", 3), ("x", 1), (None, 1)])
def test_a_page_out_of_range_or_not_a_number_shows_the_nearest(organizations, asked, shown):
    assert page_of(organizations, asked).number == shown


def test_the_api_window_is_cut_in_sql(organizations, django_assert_num_queries):
    with django_assert_num_queries(1):
        rows = list(window(organizations, limit=7, offset=110))
    assert [o.name for o in rows] == [f"Org {n:03d}" for n in range(110, 117)]
    assert list(window(organizations, limit=50, offset=500)) == []


def test_unordered_rows_are_refused_before_paging():
    with pytest.raises(ValueError, match="must be ordered"):
        page_of(Organization.objects.all(), 1)
    with pytest.raises(ValueError, match="must be ordered"):
        window(Organization.objects.all(), limit=5, offset=0)


def test_the_page_links_keep_the_filters_and_drop_the_page(organizations):
    base = without_page(QueryDict("state=open&q=Ad%26ams&page=2"))
    assert base == "state=open&q=Ad%26ams"
    html = render_to_string(
        "core/_pager.html",
        {"page": page_of(organizations, 2), "base_query": base, "label": "organizations"},
    )
    assert "Page 2 of 3 · 120 organizations" in html
    assert 'href="?state=open&amp;q=Ad%26ams&amp;page=1">previous' in html
    assert 'href="?state=open&amp;q=Ad%26ams&amp;page=3">next' in html
    assert 'aria-label="Organizations pages"' in html


def test_one_page_shows_no_pager():
    rows = Organization.objects.order_by("pk")
    html = render_to_string("core/_pager.html", {"page": page_of(rows, 1), "label": "x"})
    assert "Page" not in html


def test_a_list_of_several_on_a_page_keeps_its_own_parameter_path_and_anchor(organizations):
    html = render_to_string(
        "core/_pager.html",
        {
            "page": page_of(organizations, 1),
            "base_query": "disclosures=2",
            "label": "consents",
            "param": "consents",
            "path": "/billing/programs/4/",
            "anchor": "consents",
            "swap": True,
        },
    )
    link = "/billing/programs/4/?disclosures=2&amp;consents=2"
    assert f'href="{link}#consents"' in html
    assert f'hx-get="{link}" hx-target="closest section"' in html


def _list_parameters() -> dict[str, dict[str, dict]]:
    """Each API operation that takes `limit` or `offset`: its query parameters by name."""
    from stepwell.testing.openapi import api_operations

    found = {}
    for method, path, operation in api_operations():
        query = {p["name"]: p for p in operation.get("parameters", []) if p["in"] == "query"}
        if "limit" in query or "offset" in query:
            found[f"{method} {path}"] = query
    return found


def test_every_paged_api_list_bounds_limit_and_offset():
    from stepwell.core.paging import MAX_OFFSET, MAX_PAGE_SIZE

    lists = _list_parameters()
    assert "GET /api/v1/patients/{patient_id}/notes" in lists
    assert "GET /api/v1/messages" in lists
    for operation, query in lists.items():
        limit, offset = query["limit"]["schema"], query["offset"]["schema"]
        assert (limit.get("minimum"), limit["default"]) == (1, PAGE_SIZE), operation
        # The audit trail's own list reads up to 1,000 events a page.
        assert limit.get("maximum") in (MAX_PAGE_SIZE, 1000), operation
        # An offset past the database's integer failed there with a 500, not a 422.
        assert (offset.get("minimum"), offset.get("maximum")) == (0, MAX_OFFSET), operation


BAD_PAGES = [
    ({"limit": 0}, "limit"),
    ({"limit": 100_000}, "limit"),
    ({"offset": -1}, "offset"),
    ({"offset": 10**9 + 1}, "offset"),
    ({"offset": 10**29}, "offset"),  # past any database integer
]


def test_a_page_out_of_range_is_a_422_naming_the_parameter_on_every_list(client, clinic):
    """Every paged API list, whoever asks and whatever record its path names: the
    parameters are checked before anything is read."""
    from stepwell.testing.auth import verified_login

    verified_login(client, clinic.director_a)
    for operation in _list_parameters():
        path = re.sub(r"\{\w+\}", "1", operation.split(" ", 1)[1])
        for params, name in BAD_PAGES:
            response = client.get(path, params)
            assert response.status_code == 422, (operation, params, response.content)
            assert name in response.json()["errors"], (operation, params)


def test_the_largest_offset_is_an_empty_page(client, clinic):
    from stepwell.testing.auth import verified_login

    verified_login(client, clinic.director_a)
    assert client.get("/api/v1/patients", {"offset": 10**9}).json() == []


ASKED = ["1", "2", "3", "4", "0", "-1", "99", "x", "", None, "9999999999", 2]


@pytest.mark.parametrize("rows", [0, 1, 7, 10, 11, 29])
def test_a_counted_page_is_the_page_get_page_gives_with_the_same_total(rows):
    """counted_page counts in the page's own query; the page, its rows and its total
    must be Django's Paginator.get_page's for any page asked, in range or not."""
    Organization.objects.bulk_create(Organization(name=f"Org {n:03d}") for n in range(rows))
    ordered = Organization.objects.order_by("-name", "pk")
    for asked in ASKED:
        expected = page_of(ordered, asked, size=10)
        found = counted_page(ordered, asked, size=10)
        assert (found.number, found.paginator.count, found.paginator.num_pages) == (
            expected.number,
            expected.paginator.count,
            expected.paginator.num_pages,
        ), asked
        assert [o.pk for o in found] == [o.pk for o in expected], asked
    as_dicts = counted_page(ordered.values("pk"), "1", size=10)
    assert [row["pk"] for row in as_dicts] == [o.pk for o in page_of(ordered, "1", size=10)]


@pytest.mark.parametrize(
    ("asked", "shown"),
    [("0", 1), ("-1", 1), (-7, 1), ("2", 2), ("3", 3), ("4", 3), ("99", 3), ("x", 1), (None, 1)],
)
def test_a_page_number_out_of_range_shows_the_nearest_page(asked, shown):
    """Below 1 is the first page (Django's get_page would show the last), past the end the
    last, not a number the first: the same for every kind of list."""
    Organization.objects.bulk_create(Organization(name=f"Org {n:03d}") for n in range(25))
    ordered = Organization.objects.order_by("name", "pk")
    assert page_of(ordered, asked, size=10).number == shown
    found = counted_page(ordered, asked, size=10)
    assert found.number == shown
    assert [o.name for o in found] == [f"Org {n:03d}" for n in range(25)][(shown - 1) * 10 :][:10]
    assert page_number(asked) == (shown if asked not in ("4", "99") else int(asked))


def test_a_counted_page_in_range_is_one_query(organizations, django_assert_num_queries):
    with django_assert_num_queries(1):
        page = counted_page(organizations, "2")
    assert page.paginator.count == 120
    assert [o.name for o in page] == [f"Org {n:03d}" for n in range(50, 100)]
    with pytest.raises(ValueError, match="must be ordered"):
        counted_page(Organization.objects.all(), 1)


@pytest.mark.parametrize("rows", [0, 1, 10, 11, 25])
def test_an_uncounted_page_holds_the_rows_page_of_gives_and_knows_if_one_follows(rows):
    """uncounted_page reads one row more than a page and counts nothing: its rows are
    page_of's in range, past the end it is empty, and it says whether a page follows."""
    Organization.objects.bulk_create(Organization(name=f"Org {n:03d}") for n in range(rows))
    ordered = Organization.objects.order_by("-name", "pk")
    pages = max(1, -(-rows // 10))
    for asked in ["1", "2", "3", "4", "0", "-1", "x", None]:
        number = page_number(asked)
        found = uncounted_page(ordered, asked, size=10)
        assert found.number == number, asked
        if number <= pages:
            expected = page_of(ordered, number, size=10)
            assert [o.pk for o in found] == [o.pk for o in expected], asked
            assert found.has_next == expected.has_next(), asked
            assert (found.start_index, found.end_index) == (
                expected.start_index(),
                expected.end_index(),
            ), asked
        else:  # past the end
            assert list(found) == [] and not found.has_next and found.start_index == 0, asked
        assert found.has_previous == (number > 1), asked


def test_an_uncounted_page_is_one_query(organizations, django_assert_num_queries):
    with django_assert_num_queries(1):
        page = uncounted_page(organizations, "3")
    assert [o.name for o in page] == [f"Org {n:03d}" for n in range(100, 120)]
    assert not page.has_next and page.previous_page_number == 2
    with pytest.raises(ValueError, match="must be ordered"):
        uncounted_page(Organization.objects.all(), 1)


@pytest.mark.parametrize("rows", [0, 1, 10, 11, 25])
def test_a_narrow_page_holds_the_rows_page_of_gives(rows):
    """page_of_narrow chooses the page on ids and sort keys, then reads its rows: the same
    page, rows in the same order and the same total as page_of, for any page asked."""
    names = [f"Org {n * 7 % 31:02d}" for n in range(rows)]  # created out of name order
    Organization.objects.bulk_create(Organization(name=name) for name in names)
    ordered = Organization.objects.order_by("-name")
    for asked in ASKED:
        expected = page_of(ordered, asked, size=10)
        found = page_of_narrow(ordered, asked, size=10)
        assert (found.number, found.paginator.count) == (
            expected.number,
            expected.paginator.count,
        ), asked
        assert [o.pk for o in found] == [o.pk for o in expected], asked
        assert all(isinstance(o, Organization) for o in found)


def test_a_narrow_page_is_two_reads(organizations, django_assert_num_queries):
    with django_assert_num_queries(2):
        page = page_of_narrow(organizations, "2")
    assert [o.name for o in page] == [f"Org {n:03d}" for n in range(50, 100)]
    with pytest.raises(ValueError, match="must be ordered"):
        page_of_narrow(Organization.objects.all(), 1)
