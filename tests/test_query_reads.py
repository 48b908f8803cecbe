"""The recorder behind the extremes tests' choice of query strings (tests/query_reads.py):
a parameter asked for by name is recorded, anything that could depend on all of them
counts as reading all, and what a real page reads is found through the test client."""

from __future__ import annotations

import pytest
from django.test import RequestFactory

from .query_reads import ALL, Reads, _recording_request, recording_reads


def _request(query: str = ""):
    reads = Reads()
    environ = RequestFactory().get("/somewhere/", QUERY_STRING=query).environ
    return _recording_request(reads)(environ), reads


def test_parameters_asked_for_by_name_are_recorded():
    request, reads = _request()
    request.GET.get("week")
    assert "page" not in request.GET
    request.GET.getlist("program")
    assert reads == {"week", "page", "program"}
    assert reads.covers({"week": "9999-W52"})
    assert reads.covers({"date": "x", "program": "1"})
    assert not reads.covers({"date": "9999-12-31"})
    assert not reads.covers({})


@pytest.mark.parametrize(
    "read_all",
    [
        lambda r: r.GET.urlencode(),
        lambda r: list(r.GET),
        lambda r: bool(r.GET),
        lambda r: r.GET.copy(),
        lambda r: r.GET.dict(),
        lambda r: dict(r.GET.lists()),
        lambda r: r.get_full_path(),
        lambda r: r.META["QUERY_STRING"],
    ],
    ids=["urlencode", "iterate", "bool", "copy", "dict", "lists", "full path", "raw"],
)
def test_what_could_depend_on_any_parameter_reads_them_all(read_all):
    request, reads = _request()
    read_all(request)
    assert ALL in reads
    assert reads.covers({"anything": "1"})


def test_headers_and_the_path_read_no_parameter():
    request, reads = _request()
    assert request.headers.get("Cookie") == ""
    assert request.path == "/somewhere/"
    assert reads == set()


def test_a_query_string_is_parsed_without_counting_as_reads():
    request, reads = _request("week=2026-W50&week=2026-W51")
    assert reads == set()  # nothing read yet: building request.GET is not a read
    assert request.GET.getlist("week") == ["2026-W50", "2026-W51"]
    assert reads == {"week"}


def test_a_real_page_read_through_the_test_client(client):
    with recording_reads() as reads:
        client.get("/accounts/login/")
    assert "next" in reads
    assert not reads.covers({"week": "2026-W50", "date": "2026-12-01"})
