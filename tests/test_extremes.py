"""Every route with its ids and parameters at their extremes answers without a server error.

Issue 10 §9. The page routes come from walking the URL resolver and the API operations
from the OpenAPI schema, so a route added later is covered without editing this file.
Each id is sent as 0, -1, 2**63 and a 40-digit number; each route is also called with real
ids and the common query parameters (week, date, limit, offset, sort, page, ...) at their
extremes, by GET and POST, as a program director and as a therapist (and the setup pages
as an administrator). Any 5xx fails, naming the request and the exception.
"""

from __future__ import annotations

import json
import re
from contextlib import nullcontext
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import partial
from urllib.parse import urlencode, urlsplit

import pytest
from django.test import override_settings
from django.urls import Resolver404, URLPattern, URLResolver, get_resolver, resolve
from django.urls.resolvers import RoutePattern

from stepwell.accounts.tokens import token_create
from stepwell.care.attendance import services as attendance_services
from stepwell.care.notes import group_notes
from stepwell.testing.auth import COOKIE_SESSIONS, verified_login
from stepwell.testing.clinic import build_clinic
from stepwell.testing.openapi import api_operations, openapi_document

from .access_matrix.world import built_and_rolled_back
from .query_reads import Reads, recording_reads

HUGE = "9223372036854775808"  # 2**63: one past the largest 64-bit id
FORTY_DIGITS = "1" + "0" * 39
ID_EXTREMES = ["0", "-1", HUGE, FORTY_DIGITS]
WEEK_EXTREMES = ["9999-W52", "0001-W01", "2026-W54", "٢٠٢٦-W01"]
TEXT_EXTREMES = ["abc", FORTY_DIGITS, "٣", "x" * 300]
COMMON = ["week", "date", "date_from", "date_to", "limit", "offset", "sort", "page"]
COMMON += ["patient", "patient_id", "program", "administration", "status", "state", "by", "q"]
COMMON += ["kind", "instrument", "format", "urgency", "source", "to", "code", "next"]
QUERY_SETS = [
    # a few parameters at a time, so a valid neighbour cannot hide a failure ...
    *({"week": week} for week in WEEK_EXTREMES),
    {"date": "9999-12-31", "date_from": "0001-01-01", "date_to": "9999-12-31"},
    {"date": "0001-01-01", "date_from": "9999-12-31", "date_to": "0001-01-01"},
    {"limit": "-5", "offset": "-1", "page": "-1"},
    {"limit": HUGE, "offset": HUGE, "page": HUGE},
    {"sort": "--seq"},
    {"sort": "-"},
    # ... and all of them at once, in four flavours of wrong
    dict.fromkeys(COMMON, HUGE),
    dict.fromkeys(COMMON, FORTY_DIGITS),
    dict.fromkeys(COMMON, "abc") | {"format": "csv"},
    dict.fromkeys(COMMON, "٣") | {"page": "０"},
]
FORM_SETS = [dict.fromkeys(COMMON, HUGE), dict.fromkeys(COMMON, "٣")]
DIRECTOR_AND_THERAPIST = ["director_a", "clinician_a"]

# Routes allowed to fail here, with the reason (none today: every route answers without a 5xx).
KNOWN: dict[str, str] = {}


# -- the routes -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Route:
    template: str  # "care/sessions/{occurrence_id}/note/"
    params: tuple[tuple[str, str], ...]  # (name, converter) in order

    @property
    def label(self) -> str:
        return "/" + self.template


def _route_of(prefix: str, pattern) -> tuple[str, list[tuple[str, str]]] | None:
    if not isinstance(pattern, RoutePattern):
        return None  # the admin's catch-all regexes
    params = []

    def placeholder(match: re.Match) -> str:
        converter, name = match["converter"] or "str", match["name"]
        params.append((name, converter))
        return "{" + name + "}"

    text = re.sub(r"<(?:(?P<converter>[^>:]+):)?(?P<name>\w+)>", placeholder, str(pattern))
    return prefix + text, params


def page_routes() -> list[Route]:
    routes = []

    def walk(patterns, prefix: str, params: list) -> None:
        for entry in patterns:
            found = _route_of(prefix, entry.pattern)
            if found is None:
                continue
            text, own = found
            if isinstance(entry, URLResolver):
                walk(entry.url_patterns, text, params + own)
            elif isinstance(entry, URLPattern) and not text.startswith("api/"):
                routes.append(Route(text, tuple(params + own)))

    walk(get_resolver().url_patterns, "", [])
    return routes


PAGES = page_routes()


OPERATIONS = api_operations()
COMPONENTS = openapi_document().get("components", {}).get("schemas", {})


def test_walk_found_the_routes():
    labels = {route.label for route in PAGES}
    assert "/care/sessions/{occurrence_id}/note/" in labels
    assert "/schedule/{program_id}/{week}/" in labels
    assert "/privacy/audit/" in labels
    assert len(PAGES) > 150
    assert ("GET", "/api/v1/audit") in {(m, p) for m, p, _ in OPERATIONS}
    assert len(OPERATIONS) > 50


def test_every_page_id_uses_the_bounded_converter():
    """`<int:...>` lets 2**63 through to the database; our routes use `<id:...>`."""
    ours = [r for r in PAGES if not r.template.startswith("setup/")]
    assert [r.label for r in ours if any(conv == "int" for _, conv in r.params)] == []
    assert any(conv == "id" for r in ours for _, conv in r.params)


# -- a clinic with one of each record the routes name --------------------------------------


@pytest.fixture(scope="module")
def shared_world(django_db_setup, django_db_blocker):
    """One clinic for the module, built in a transaction rolled back at the end (as the
    access matrix's; building it for each of the 450 tests was a quarter of their time).
    Each test runs in pytest-django's savepoint inside it, so its requests' changes go."""
    with (
        django_db_blocker.unblock(),
        override_settings(SESSION_ENGINE=COOKIE_SESSIONS),
        built_and_rolled_back(_build_world) as built,
    ):
        yield built


@pytest.fixture
def world(db, shared_world):
    return shared_world


def _build_world():
    """Real ids for the placeholders, so parameters reach the code behind the lookup."""
    from stepwell.schedule.models import Appointment, Enrollment, SessionOccurrence

    clinic = build_clinic()
    start = datetime(2026, 12, 8, 15, 0, tzinfo=UTC)
    occurrence = SessionOccurrence.objects.create(
        program=clinic.program_a,
        kind="process_group",
        title="Process group",
        starts_at=start,
        ends_at=start + timedelta(hours=3),
        capacity=12,
        enrolled_count=1,
    )
    occurrence.facilitators.set([clinic.clinician_a])
    Enrollment.objects.create(occurrence=occurrence, patient=clinic.patient_a)
    _, rows = attendance_services.attendance_roster_open(
        actor=clinic.clinician_a, occurrence_id=occurrence.pk
    )
    attendance_services.attendance_mark(
        actor=clinic.clinician_a,
        attendance_id=rows[0].pk,
        status="present",
        now=start + timedelta(minutes=20),
    )
    group_note = group_notes.group_note_open(actor=clinic.clinician_a, occurrence_id=occurrence.pk)
    appointment = Appointment.objects.create(
        patient=clinic.patient_a,
        staff=clinic.clinician_a,
        program=clinic.program_a,
        kind="individual",
        starts_at=start + timedelta(days=1),
        ends_at=start + timedelta(days=1, minutes=50),
    )
    attendance_services.attendance_for_appointment_open(
        actor=clinic.clinician_a, appointment_id=appointment.pk
    )
    ids = {
        "patient_id": clinic.patient_a.pk,
        "program_id": clinic.program_a.pk,
        "episode_id": clinic.episode_a.pk,
        "user_id": clinic.clinician_a.pk,
        "occurrence_id": occurrence.pk,
        "attendance_id": rows[0].pk,
        "note_id": group_note.sections.first().pk,
        "appointment_id": appointment.pk,
        "member_id": clinic.patient_a.care_team.first().pk
        if clinic.patient_a.care_team.exists()
        else 1,
    }
    texts = {"week": "2026-W50", "kind": "goal", "role": "clinician", "token": "abc"}
    return clinic, ids, texts


def _real(name: str, ids: dict, texts: dict) -> str:
    if name in ids:
        return str(ids[name])
    return texts.get(name, "1")


# -- the requests ------------------------------------------------------------------------


@dataclass
class Failure:
    method: str
    url: str
    status: int
    error: str

    def __str__(self) -> str:
        return f"{self.method} {self.url} -> {self.status} {self.error}"


def _reaches_a_view(url: str) -> bool:
    """False when the URL resolver refuses the path (an id of -1, 2**63 or forty digits
    against the bounded converter): that request would only meet the same 404 answer on
    every route, which test_an_unresolvable_id_is_a_plain_404 checks once per persona.
    Skipping it takes about a quarter off this file's requests."""
    try:
        resolve(urlsplit(url).path)
    except Resolver404:
        return False
    return True


def _send(client, method: str, url: str, failures: list, **kwargs) -> Reads | None:
    """Send one request, noting a server error; with record_reads=True, return the query
    parameters it read."""
    if not _reaches_a_view(url):
        return None
    recording = recording_reads() if kwargs.pop("record_reads", False) else nullcontext()
    with recording as reads:
        response = getattr(client, method.lower())(url, **kwargs)
    if response.status_code >= 500:
        exc = getattr(response, "exc_info", None)
        error = f"{exc[0].__name__}: {exc[1]}" if exc else response.content[:200].decode()
        failures.append(Failure(method, url, response.status_code, error[:300]))
    return reads


def _page_requests(route: Route, ids: dict, texts: dict):
    """(method, url, extra kwargs) for one page route."""
    # every placeholder at an extreme: ids as ids, text (weeks, tokens, kinds) as text
    for index in range(len(ID_EXTREMES) if route.params else 0):
        values = {}
        for name, converter in route.params:
            if name == "week":
                values[name] = WEEK_EXTREMES[index]
            elif converter in ("id", "int", "path"):
                values[name] = ID_EXTREMES[index]
            else:
                values[name] = TEXT_EXTREMES[index]
        url = "/" + route.template.format(**values)
        yield "GET", url, {}
        yield "POST", url, {"data": FORM_SETS[index % 2]}
    # real ids, extreme parameters
    url = "/" + route.template.format(**{n: _real(n, ids, texts) for n, _ in route.params})
    yield from _query_requests(url)
    yield "GET", url, {"data": QUERY_SETS[0], "HTTP_HX_REQUEST": "true"}
    for form in FORM_SETS:
        yield "POST", url, {"data": form}


def _query_requests(url: str):
    """The GET without a query string, recording which parameters the page reads; then
    each query that names one of them (tests/query_reads.py: one that names none would
    only repeat the first request)."""
    reads = yield "GET", url, {"record_reads": True}
    for query in QUERY_SETS:
        if reads is None or reads.covers(query):
            yield "GET", url, {"data": query}


def _marks(label: str):
    if label in KNOWN:
        return [pytest.mark.xfail(strict=False, reason=KNOWN[label])]
    return []


def _check(client, requests, failures: list) -> None:
    """Send each request; a generator that asks (record_reads) gets back what was read."""
    answer = None
    while True:
        try:
            method, url, kwargs = requests.send(answer)
        except StopIteration:
            return
        answer = _send(client, method, url, failures, **kwargs)


def test_an_unresolvable_id_is_a_plain_404(client, world):
    """What every route would answer for an id the converter refuses, page and API, by GET
    and POST, for both personas: 404, never a server error."""
    clinic, ids, _ = world
    client.raise_request_exception = False
    page = "/patients/{}/"
    api = "/api/v1/patients/{}"
    assert _reaches_a_view(page.format(ids["patient_id"]))
    assert _reaches_a_view(api.format(ids["patient_id"]))
    for who in DIRECTOR_AND_THERAPIST:
        verified_login(client, getattr(clinic, who))
        token = token_create(user=getattr(clinic, who), name="extremes").plaintext
        for value in ID_EXTREMES[1:]:
            assert not _reaches_a_view(page.format(value))
            assert client.get(page.format(value)).status_code == 404
            assert client.post(page.format(value), FORM_SETS[0]).status_code == 404
            if not _reaches_a_view(api.format(value)):  # else the API test sends it
                bearer = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
                assert client.get(api.format(value), **bearer).status_code == 404


@pytest.mark.parametrize(
    "route", [pytest.param(r, id=r.label, marks=_marks(r.label)) for r in PAGES]
)
def test_page_route_at_its_extremes(client, world, route):
    clinic, ids, texts = world
    client.raise_request_exception = False
    personas = ["admin"] if route.template.startswith("setup/") else DIRECTOR_AND_THERAPIST
    failures: list[Failure] = []
    for who in personas:
        verified_login(client, getattr(clinic, who))
        _check(client, _page_requests(route, ids, texts), failures)
    assert failures == [], "\n".join(str(f) for f in failures)


# -- the API -------------------------------------------------------------------------------


def _schema_of(node: dict, components: dict) -> dict:
    while "$ref" in node:
        node = components[node["$ref"].rsplit("/", 1)[1]]
    for key in ("anyOf", "oneOf", "allOf"):
        if key in node:
            options = [o for o in node[key] if o.get("type") != "null"]
            return _schema_of(options[0], components) if options else {}
    return node


def _extreme(node: dict, components: dict, variant: int, depth: int = 0):
    """A value of the declared type at one of its extremes (variant 0: huge, 1: tiny)."""
    node = _schema_of(node, components)
    kind = node.get("type")
    if depth > 6:
        return None
    if kind == "object" or "properties" in node:
        return {
            name: _extreme(sub, components, variant, depth + 1)
            for name, sub in node.get("properties", {}).items()
        }
    if kind == "array":
        return [_extreme(node.get("items", {}), components, variant, depth + 1)]
    if kind == "integer":
        return [int(HUGE), -1, int(FORTY_DIGITS)][variant]
    if kind == "number":
        return [1e308, -1e308, float(FORTY_DIGITS)][variant]
    if kind == "boolean":
        return [True, False, True][variant]
    form = node.get("format", "")
    if form == "date":
        return ["9999-12-31", "0001-01-01", "2026-02-30"][variant]
    if form == "date-time":
        return ["9999-12-31T23:59:59Z", "0001-01-01T00:00:00+14:00", "abc"][variant]
    if form == "time":
        return ["23:59:59", "00:00", "25:61"][variant]
    if "enum" in node:
        return [node["enum"][-1], node["enum"][0], "not-a-choice"][variant]
    return ["x" * 5000, "", "٣"][variant]


def _api_request(method: str, auth: dict, url: str, query: dict, body, record=False):
    """(method, url, kwargs) for _check: the query in the URL, a body as JSON."""
    kwargs = dict(auth, record_reads=record)
    target = f"{url}?{urlencode(query, doseq=True)}" if query else url
    if method != "GET":
        payload = json.dumps(body) if body is not None else ""
        kwargs |= {"data": payload, "content_type": "application/json"}
    return method, target, kwargs


def _api_requests(method: str, path: str, operation: dict, auth: dict, world_ids: tuple):
    """The requests of one API operation, for _check (the first without a query string
    is told what it read, as in _query_requests)."""
    ids, texts = world_ids
    request = partial(_api_request, method, auth)
    parameters = operation.get("parameters", [])
    path_params = [p for p in parameters if p["in"] == "path"]
    query_params = [p for p in parameters if p["in"] == "query"]
    content = operation.get("requestBody", {}).get("content", {})
    body_schema = content.get("application/json", {}).get("schema")
    bodies = [None] if body_schema is None else [{}]
    if body_schema is not None:
        bodies += [_extreme(body_schema, COMPONENTS, variant) for variant in range(3)]
    for index in range(len(ID_EXTREMES) if path_params else 0):
        values = {}
        for param in path_params:
            kind = _schema_of(param.get("schema", {}), COMPONENTS).get("type")
            if param["name"] == "week":
                values[param["name"]] = WEEK_EXTREMES[index]
            elif kind == "integer":
                values[param["name"]] = ID_EXTREMES[index]
            else:
                values[param["name"]] = TEXT_EXTREMES[index]
        yield request(path.format(**values), {}, bodies[-1])
    real = path.format(**{p["name"]: _real(p["name"], ids, texts) for p in path_params})
    queries = [*QUERY_SETS]
    for variant in range(3):
        declared = {
            p["name"]: WEEK_EXTREMES[variant]
            if p["name"] == "week"
            else _extreme(p.get("schema", {}), COMPONENTS, variant)
            for p in query_params
        }
        queries.append({name: value for name, value in declared.items() if value is not None})
    reads = yield request(real, {}, bodies[0], record=True)
    for query in queries:
        if reads is None or reads.covers(query):
            yield request(real, query, bodies[0])
    for body in bodies[1:]:
        yield request(real, {}, body)


@pytest.mark.parametrize(
    ("method", "path", "operation"),
    [pytest.param(m, p, o, id=f"{m} {p}", marks=_marks(f"{m} {p}")) for m, p, o in OPERATIONS],
)
def test_api_operation_at_its_extremes(client, world, method, path, operation):
    clinic, ids, texts = world
    client.raise_request_exception = False
    failures: list[Failure] = []
    for who in DIRECTOR_AND_THERAPIST:
        token = token_create(user=getattr(clinic, who), name="extremes").plaintext
        auth = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
        _check(client, _api_requests(method, path, operation, auth, (ids, texts)), failures)
    assert failures == [], "\n".join(str(f) for f in failures)
