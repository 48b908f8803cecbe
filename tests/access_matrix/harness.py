"""How one cell of the matrix is run and judged.

A cell is one route (or API operation) requested by one person on the records the route
can name: someone allowed on some record tries every record of that kind (in their scope
and out of it: another program's, another care team's, another patient's); someone
allowed on none tries the first; the first member of staff and the first patient allowed
on some also try an id that does not exist. Each request runs in a savepoint that is
rolled back. Every answer is compared with what the expectations say:
- allowed: the exact success status; a read shows the record; a redirect goes where it
  should; a list shows exactly the patients in the person's scope; a write wrote;
- refused: the exact refusal status, nothing of the record (or of the program's patients)
  in the body, nothing written (every INSERT, UPDATE and DELETE is watched; if one ran,
  every table is compared with the clinic as built), and a denied event for that person
  in the audit trail;
- anonymous: the login redirect (pages) or 401 (API), with nothing of the record.
Whatever the outcome, a psychotherapy note is never shown to anyone but its author.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.db import connection
from django.test import Client

from stepwell.testing.matrix_clinic import MISSING_ID, PATIENTS

from .facts import PORTAL_USERS, ROLES, Rule

WRITE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}
# Tables a refused request may still write: the audit trail (the denial itself), the
# session, login bookkeeping, and the counter that throttles guessed questionnaire links.
UNTRACKED_TABLES = {
    "privacy_auditevent",
    "privacy_auditeventpatient",
    "privacy_auditeventprogram",  # the reviews the denial belongs to
    "privacy_auditchainhead",
    "django_session",
    "measures_linklookupfailure",
    "axes_accessattempt",
    "axes_accesslog",
    "axes_accessfailurelog",
    "axes_accessattemptexpiration",
}
# Columns stamped by signing in with a token or a second factor, whoever is refused.
STAMPS = ("last_used_at", "last_t", "last_login")
_WRITE = re.compile(r'^\s*(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+"?(\w+)"?', re.IGNORECASE)
_STAMP = re.compile(r'^\s*UPDATE\s+"?\w+"?\s+SET\s+(.*?)\s+WHERE', re.IGNORECASE | re.DOTALL)


def written_table(sql: str) -> str | None:
    """The table a statement changes, or None (a read, or only a sign-in stamp)."""
    match = _WRITE.match(sql)
    if not match or match.group(1).lower() in UNTRACKED_TABLES:
        return None
    stamp = _STAMP.match(sql)
    if stamp and all(any(s in part for s in STAMPS) for part in stamp.group(1).split(",")):
        return None
    return match.group(1).lower()


# -- what a route names and what it expects --------------------------------------------------


Value = str | Callable[..., object]


@dataclass(frozen=True)
class On:
    """The records a route's path parameters name.

    `params` maps each path parameter to a kind of record ("patient", "episode", "note",
    "program", "user", ...: ids of the matrix clinic, one per key) or to a function of
    (world, key) for text parameters (an ISO week, a token). `keys` are the records to
    try (default: every record of the first kind). The id that does not exist goes in
    `missing` (default: the first parameter that names a record).
    """

    params: dict[str, Value]
    keys: tuple[str, ...] | None = None
    missing: str | None = None
    scope: str = "patient"  # what the keys are: "patient", "program" or "staff" keys

    def record_params(self) -> list[str]:
        return [name for name, kind in self.params.items() if isinstance(kind, str)]

    def missing_param(self) -> str | None:
        """The record whose absence is tried: the first (the one access is decided on);
        a missing part of a record one may see is a form error, not a refusal."""
        if self.missing:
            return self.missing
        names = self.record_params()
        return names[0] if names else None


@dataclass(frozen=True)
class Away:
    """Not a refusal: a redirect to a page of the person's own (a patient on a staff page)."""

    location: str


@dataclass
class Entry:
    """One route or API operation and who may use it."""

    method: str
    route: str  # page: "patients/{patient_id}/"; API: "/api/v1/patients/{patient_id}"
    who: Rule
    on: On | None = None
    ok: int = 200
    data: object = None  # form data or JSON body: a dict, or a function of (world, key)
    query: dict | Callable | None = None  # a dict, or a function of (world, key)
    location: str | Callable | None = None  # where an allowed redirect goes (a prefix)
    shows: bool = True  # an allowed read shows the patient it is about
    lists: tuple[str, ...] = ()  # a list: the patients it may show, each iff `listed` allows
    listed: Rule | None = None
    variants: dict = field(default_factory=dict)  # person -> int status or Away
    refused: int = 403
    audited: bool = True  # a refusal writes a denied event (False: a page that is not there)
    writes: bool = True  # an allowed POST, PUT, PATCH or DELETE changes a record
    public: bool = False  # anonymous people are answered like anyone else
    deviations: dict = field(default_factory=dict)  # person -> why the code disagrees today
    prepare: Callable | None = None  # (world, key) -> None, run before the request
    htmx: bool = False
    api: bool = False
    contains: Callable | None = None  # (world, person, key) -> texts an allowed answer shows
    check: Callable | None = None  # (world, person, key, sent) -> a failure message or None
    variant: str = ""  # tells apart two entries of one route (what the body asks for)
    note: str = ""

    @property
    def label(self) -> str:
        label = f"{self.method} {self.route if self.api else '/' + self.route}"
        return f"{label} [{self.variant}]" if self.variant else label


# -- the request ---------------------------------------------------------------------------


@dataclass
class Sent:
    key: str  # the record's key, or "missing", or "" for a route without a record
    url: str
    status: int
    body: str
    location: str
    writes: list[str]


def _value(world, kind: Value, key: str):
    if callable(kind):
        return kind(world, key)
    return world.id_of(kind, key)


def url_for(entry: Entry, world, key: str) -> str:
    values = {}
    if entry.on is not None:
        base_key = key
        if key == "missing":
            base_key = entry.on.keys[0] if entry.on.keys else world.keys_of(entry.on)[0]
        for name, kind in entry.on.params.items():
            values[name] = _value(world, kind, base_key)
        if key == "missing" and entry.on.missing_param():
            values[entry.on.missing_param()] = MISSING_ID
    path = entry.route.format(**values)
    url = path if entry.api else "/" + path
    query = entry.query(world, key) if callable(entry.query) else entry.query
    if query:
        url += "?" + urlencode(query)
    return url


def send(world, entry: Entry, person: str, key: str) -> Sent:
    if entry.prepare is not None and key not in ("", "missing"):
        entry.prepare(world, key)
    client: Client = world.client_for(person, api=entry.api)
    url = url_for(entry, world, key)
    data = entry.data(world, key) if callable(entry.data) else entry.data
    writes: list[str] = []

    def record(execute, sql, params, many, context):
        if table := written_table(sql):
            writes.append(table)
        return execute(sql, params, many, context)

    extra = dict(world.api_headers(person)) if entry.api else {}
    if entry.htmx:
        extra["HTTP_HX_REQUEST"] = "true"
    with connection.execute_wrapper(record):
        if entry.api:
            body = "" if data is None else json.dumps(data)
            response = client.generic(
                entry.method, url, body, content_type="application/json", **extra
            )
        elif entry.method == "GET":
            response = client.get(url, **extra)
        else:
            response = client.generic(
                entry.method,
                url,
                urlencode(data or {}, doseq=True),
                content_type="application/x-www-form-urlencoded",
                **extra,
            )
    content = b"".join(response.streaming_content) if response.streaming else response.content
    return Sent(
        key=key,
        url=url,
        status=response.status_code,
        body=content.decode("utf-8", "replace"),
        location=response.get("Location", ""),
        writes=writes,
    )


# -- judging -------------------------------------------------------------------------------


class CellFailure(AssertionError):
    pass


def _fail(entry: Entry, person: str, sent: Sent, message: str) -> None:
    body = re.sub(r"\s+", " ", sent.body)[:300]
    raise CellFailure(
        f"{entry.label} as {person} on {sent.key or 'the route'} ({sent.url}): {message}\n"
        f"  got {sent.status} {sent.location} {body}"
    )


def patient_of(entry: Entry, key: str) -> str | None:
    """The patient the cell's record belongs to (None for a program's or a person's)."""
    if entry.on is None or entry.on.scope != "patient" or key not in PATIENTS:
        return None
    return key


def patients_behind(entry: Entry, key: str) -> list[str]:
    """The patients a refusal must not name: the record's, or every patient of the
    program a program's record belongs to."""
    if entry.on is not None and entry.on.scope == "program" and key in ("A", "B"):
        return [k for k, (_, _, program, _) in PATIENTS.items() if program == key]
    patient = patient_of(entry, key)
    return [patient] if patient else []


def patient_words(world, key: str) -> list[str]:
    """What would give a patient away: names and record number."""
    patient = world.patients[key]
    return [patient.legal_first_name, patient.legal_last_name, patient.mrn]


def leaked(world, entry: Entry, sent: Sent) -> list[str]:
    words = [w for key in patients_behind(entry, sent.key) for w in patient_words(world, key)]
    return [word for word in words if names(sent.body, word)]


def names(body: str, word: str) -> bool:
    """The word on its own (a last name "Fir" is not in "First name")."""
    return re.search(rf"\b{re.escape(word)}\b", body) is not None


def check_psychotherapy_wall(world, entry: Entry, person: str, sent: Sent) -> None:
    for author, text in world.psychotherapy_texts():
        if text in sent.body and author != person:
            _fail(entry, person, sent, f"shows {author}'s psychotherapy note")


def check_refused(world, entry, person, sent, *, status, key, audit_from) -> None:
    if sent.status != status:
        _fail(entry, person, sent, f"expected the refusal {status}")
    if words := leaked(world, entry, sent):
        _fail(entry, person, sent, f"the refusal leaks {words}")
    check_unchanged(world, entry, person, sent)
    if not entry.audited:
        return
    if entry.public:
        if not world.refusal_audited(audit_from):
            _fail(entry, person, sent, "the refusal is not in the audit trail")
    elif person != "anonymous" and not world.denial_audited(person, audit_from):
        _fail(entry, person, sent, "the refusal is not in the audit trail as denied")


def check_unchanged(world, entry, person, sent) -> None:
    if entry.method not in WRITE_METHODS or not sent.writes:
        return
    changed = world.changed_tables()
    if changed:
        _fail(entry, person, sent, f"a refused request changed {sorted(changed)}")


def shows_patient(world, sent: Sent, key: str) -> bool:
    """The patient's name on a page, or their id as a JSON answer's patient_id."""
    patient = world.patients[key]
    if names(sent.body, patient.legal_last_name):
        return True
    return re.search(rf'"patient_id": ?{patient.pk}\b', sent.body) is not None


def check_allowed(world, entry, person, sent, *, status, key) -> None:
    if sent.status != status:
        _fail(entry, person, sent, f"expected {status} (allowed)")
    if entry.method in WRITE_METHODS and entry.writes and not sent.writes:
        _fail(entry, person, sent, "allowed, but nothing was written")
    if status in (301, 302) and entry.location is not None:
        expected = entry.location(world, key) if callable(entry.location) else entry.location
        if not sent.location.startswith(expected):
            _fail(entry, person, sent, f"expected a redirect to {expected}")
    patient = patient_of(entry, key)
    reads = entry.method == "GET" and status == 200 and entry.shows
    if reads and patient and not shows_patient(world, sent, patient):
        _fail(entry, person, sent, "the answer does not show the record it is about")
    for text in entry.contains(world, person, key) if entry.contains else ():
        if text not in sent.body:
            _fail(entry, person, sent, f"the answer does not show {text!r}")
    if entry.check is not None and (problem := entry.check(world, person, key, sent)):
        _fail(entry, person, sent, problem)
    for listed in entry.lists:
        shown = shows_patient(world, sent, listed)
        should = (entry.listed or entry.who).allows(person, listed)
        if shown != should:
            verb = "misses" if should else "shows"
            _fail(entry, person, sent, f"the list {verb} patient {listed}")


def keys_to_try(world, entry: Entry, person: str) -> list[str]:
    """Every record for someone allowed on some; the first record for anyone else. The id
    that does not exist is tried by the first member of staff and the first patient who
    are allowed on some record (the answer must be the refusal they get elsewhere)."""
    if entry.on is None:
        return [""]
    keys = list(world.keys_of(entry.on))
    allowed = [k for k in keys if entry.who.allows(person, k)]
    if person == "anonymous" or not allowed:
        return keys[:1]
    tries_missing = entry.on.missing_param() or callable(entry.data) or callable(entry.query)
    if tries_missing and tries_the_missing_id(entry, person, keys):
        return [*keys, "missing"]
    return keys


def tries_the_missing_id(entry: Entry, person: str, keys: list[str]) -> bool:
    same_kind = [p for p in ROLES if (p in PORTAL_USERS) == (person in PORTAL_USERS)]
    first = next((p for p in same_kind if any(entry.who.allows(p, k) for k in keys)), None)
    return first == person


def run_cell(world, entry: Entry, person: str) -> None:
    for key in keys_to_try(world, entry, person):
        with world.savepoint():
            audit_from = world.last_audit_seq()
            sent = send(world, entry, person, key)
            judge(world, entry, person, sent, audit_from)


def judge(world, entry: Entry, person: str, sent: Sent, audit_from: int) -> None:
    key = sent.key
    check_psychotherapy_wall(world, entry, person, sent)
    if person == "anonymous" and not entry.public:
        if entry.api:
            return check_refused(world, entry, person, sent, status=401, key=key, audit_from=0)
        if sent.status != 302 or "/login/" not in sent.location:
            _fail(entry, person, sent, "expected the login redirect")
        if words := leaked(world, entry, sent):
            _fail(entry, person, sent, f"the login redirect leaks {words}")
        return check_unchanged(world, entry, person, sent)
    if key == "missing" or not entry.who.allows(person, key):
        return check_refused(
            world, entry, person, sent, status=entry.refused, key=key, audit_from=audit_from
        )
    variant = entry.variants.get(person)
    if isinstance(variant, Away):
        if sent.status != 302 or not sent.location.startswith(variant.location):
            _fail(entry, person, sent, f"expected a redirect to {variant.location}")
        return check_unchanged(world, entry, person, sent)
    status = variant if isinstance(variant, int) else entry.ok
    return check_allowed(world, entry, person, sent, status=status, key=key)


__all__ = ["Away", "CellFailure", "Entry", "On", "run_cell"]
