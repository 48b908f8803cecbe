"""Reads of the audit trail, scoped to what the acting user may review."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import date, datetime, time

from django.db import connection
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from stepwell.core.errors import ApplicationError
from stepwell.core.kept import KeptKinds, KeptRows, Many

from . import access
from .audit import PATIENT_DETAIL_KEYS, AuditAction, audit_record, named_patient_ids
from .models import AuditEvent, AuditEventPatient, AuditEventProgram
from .refusals import refuse

SORTABLE_FIELDS = (
    "seq",
    "occurred_at",
    "username",
    "role",
    "patient_id",
    "action",
    "object_type",
    "object_id",
    "outcome",
    "client_address",
)
# What the audit page calls each column (the CSV export keeps the field names).
AUDIT_COLUMN_LABELS = {
    "seq": "No.",
    "occurred_at": "When",
    "username": "User",
    "role": "Role",
    "patient_id": "Patient",
    "action": "Action",
    "object_type": "Record type",
    "object_id": "Record",
    "outcome": "Outcome",
    "client_address": "From address",
}
SORT_CHOICES = tuple(f"{sign}{field}" for field in SORTABLE_FIELDS for sign in ("", "-"))
SORT_ERROR = "Sort by one of the columns, optionally with '-' before it (for example -seq)."
# A day filter is turned into times; beyond these the time zones overflow the calendar.
EARLIEST_DAY = date(1900, 1, 1)
LATEST_DAY = date(9998, 12, 31)


@dataclass(frozen=True)
class AuditFilter:
    username: str = ""
    patient_id: int | None = None
    action: str = ""
    outcome: str = ""
    object_type: str = ""
    role: str = ""
    client_address: str = ""
    date_from: date | None = None
    date_to: date | None = None
    sort: str = "-seq"


def _check(criteria: AuditFilter) -> None:
    errors = {}
    if criteria.sort not in SORT_CHOICES:
        errors["sort"] = SORT_ERROR
    for name in ("date_from", "date_to"):
        day = getattr(criteria, name)
        if day is not None and not EARLIEST_DAY <= day <= LATEST_DAY:
            errors[name] = f"Choose a day between {EARLIEST_DAY} and {LATEST_DAY}."
    if errors:
        raise ApplicationError("The audit filter is not valid.", field_errors=errors)


@dataclass(frozen=True)
class _Trail:
    """The events a reviewer lists, as the audit page and the API ask for them: sliced
    like a queryset (what core.paging.uncounted_page and the API's window do), narrowed
    only to the trail as it stood before an event (filter(seq__lt=...)), as dicts of some
    fields (values) or as events. The first window of rows (the page as it opens) is read
    by a query kept compiled (stepwell/core/kept.py), one per kind of window; the ORM
    built and compiled the query on every audit page. Later windows, and events wanted
    whole (the API), are the ORM's (``queryset``)."""

    reviews: list[int]
    fields: tuple = ()
    before: int | None = None

    model = AuditEvent
    ordered = True

    def filter(self, *, seq__lt: int):
        """The trail as it stood before event ``seq__lt``."""
        before = seq__lt if self.before is None else min(self.before, seq__lt)
        return replace(self, before=before)

    def none(self):
        return replace(self, reviews=[])

    def values(self, *fields: str):
        """The window's events as dicts of these fields (QuerySet.values)."""
        return replace(self, fields=fields)

    def __getitem__(self, window: slice) -> list:
        if not isinstance(window, slice) or window.stop is None or window.step is not None:
            raise TypeError("Read a trail by a window with an end, [start:stop].")
        start, stop = window.start or 0, window.stop
        if not self.reviews:  # no way in (refused, or a bad filter: an empty page)
            return []
        if start == 0 and self.before is not None and self.fields:
            kept = _FIRST_WINDOWS.get(self._window_kind(stop), lambda: self._kept(stop))
            if kept is not None:
                rows = kept.rows(before=self.before, **self._kept_values())
                return [dict(zip(self.fields, row, strict=True)) for row in rows]
        return list(self.queryset[start:stop])

    @property
    def queryset(self):
        raise NotImplementedError

    def _window_kind(self, stop: int) -> tuple:
        raise NotImplementedError

    def _kept(self, stop: int) -> KeptRows:
        raise NotImplementedError

    def _kept_values(self) -> dict:
        raise NotImplementedError


# The first windows kept compiled, by kind of trail and window (_Trail._window_kind);
# beyond 64 kinds (an API caller trying every limit), built each time.
_FIRST_WINDOWS = KeptKinds(at_most=64)
_REVIEW = AuditEventProgram._meta.get_field("program_id")
_SEQ = AuditEvent._meta.get_field("seq")


@dataclass(frozen=True)
class MergedTrail(_Trail):
    """The events of several ways into a reviewer's scope (privacy.access.audit_scope_ways),
    in time order, read a window at a time in one query: each way's first numbers up to
    the window's end, from its own index (its own ORDER BY and LIMIT in a UNION ALL), and
    the window cut from them (an event that comes in two ways counted once). So a page
    reads about a page per way, however far back the reviewer's events are in the trail;
    a query asking the scope of the whole trail can walk it back from its newest event
    until it has found a page of the reviewer's (all of it, for a director whose
    patients' events are old). PostgreSQL only: SQLite takes no LIMIT inside a UNION (and
    a SQLite clinic is small enough for the scope as a set).

    Made of the reviews the reviewer reads (privacy.access.audit_scope_reviews), each way
    being one review's links; its first window kept compiled per number of reviews."""

    newest_first: bool = True

    @property
    def ways(self) -> list[QuerySet[AuditEvent]]:
        events = AuditEvent.objects.all()
        if self.before is not None:
            events = events.filter(seq__lt=self.before)
        return [events.filter(way) for way in access.audit_ways_of(self.reviews)]

    @property
    def queryset(self):
        return _merged(self.ways, self.newest_first, self.fields)

    def _window_kind(self, stop: int) -> tuple:
        return ("merged", len(self.reviews), stop, self.newest_first, self.fields)

    def _kept(self, stop: int) -> KeptRows:
        reviews, newest_first, fields = len(self.reviews), self.newest_first, self.fields

        def build(before, **slots):
            events = AuditEvent.objects.filter(seq__lt=before)
            ways = [
                events.filter(program_links__program_id=slots[f"review{n}"]) for n in range(reviews)
            ]
            return _merged(ways, newest_first, fields)[0:stop]

        return KeptRows(
            AuditEvent, build, before=_SEQ, **{f"review{n}": _REVIEW for n in range(reviews)}
        )

    def _kept_values(self) -> dict:
        return {f"review{n}": review for n, review in enumerate(self.reviews)}


@dataclass(frozen=True)
class FilteredTrail(_Trail):
    """The events of the reviews (privacy.access.audit_scope_reviews) gathered as a set
    (privacy.access.audit_set_of) that meet a filter, in the filter's sort: a filtered
    page, or one sorted by another column (see audit_events_for). Its first window kept
    compiled per kind of filter (which criteria it gives), sort and window: the criteria's
    values, the reviews (as one list) and the event before which the trail is read go in
    as values."""

    criteria: AuditFilter = AuditFilter()

    @property
    def queryset(self):
        events = meeting(AuditEvent.objects.all(), self.criteria)
        if self.before is not None:
            events = events.filter(seq__lt=self.before)
        events = events.filter(access.audit_set_of(self.reviews))
        sort = self.criteria.sort
        events = events.order_by(sort, "-seq" if sort.startswith("-") else "seq")
        return events.values(*self.fields) if self.fields else events

    def _window_kind(self, stop: int) -> tuple:
        given = tuple(sorted(_compared(self.criteria)))
        return ("filtered", given, self.criteria.sort, stop, self.fields)

    def _kept(self, stop: int) -> KeptRows:
        given = _compared(self.criteria)
        sort, fields = self.criteria.sort, self.fields

        def build(before, reviews, **slots):
            events = _meeting(AuditEvent.objects.filter(seq__lt=before), slots)
            events = events.filter(access.audit_set_of(reviews))
            ordered = events.order_by(sort, "-seq" if sort.startswith("-") else "seq")
            return ordered.values(*fields)[0:stop]

        return KeptRows(
            AuditEvent,
            build,
            before=_SEQ,
            reviews=Many(_REVIEW),
            **{name: _COMPARED_FIELDS[name] for name in given},
        )

    def _kept_values(self) -> dict:
        return {"reviews": self.reviews, **_compared(self.criteria)}


def _merged(ways: list, newest_first: bool, fields: tuple) -> QuerySet:
    """The ways' events merged in time order (each way's first ``stop`` numbers when
    sliced [start:stop]), as dicts of ``fields`` or as events without them."""
    order = "-seq" if newest_first else "seq"

    def shown(events: QuerySet[AuditEvent]):
        return events.values(*fields) if fields else events

    if len(ways) == 1:  # one way (an administrator, a one-program director)
        return shown(ways[0].order_by(order))
    return _MergedWindow(ways, order, shown)


class _MergedWindow:
    """The merge of several ways, cut when sliced: each way's first numbers up to the
    window's end in a UNION ALL, then the window of the events they number."""

    def __init__(self, ways: list, order: str, shown) -> None:
        self.ways, self.order, self.shown = ways, order, shown

    def __getitem__(self, window: slice):
        first, *others = [
            way.order_by(self.order).values("seq")[: window.stop] for way in self.ways
        ]
        numbered = AuditEvent.objects.filter(seq__in=first.union(*others, all=True))
        return self.shown(numbered.order_by(self.order))[window]


def _unfiltered(criteria: AuditFilter) -> bool:
    return criteria == AuditFilter(sort=criteria.sort)


# The fields each compared value is prepared as (_compared's names).
_COMPARED_FIELDS = {
    name: AuditEvent._meta.get_field(column)
    for name, column in {
        "username": "username",
        "patient_id": "patient_id",
        "action": "action",
        "outcome": "outcome",
        "object_type": "object_type",
        "role": "role",
        "client_address": "client_address",
        "occurred_from": "occurred_at",
        "occurred_to": "occurred_at",
    }.items()
}


def _compared(criteria: AuditFilter) -> dict:
    """The values the filter compares the events with, by name (_COMPARED_FIELDS): the
    criteria given, the days as the first and last moment of each in the page's zone."""
    values = {
        name: getattr(criteria, name)
        for name in ("username", "action", "outcome", "object_type", "role", "client_address")
        if getattr(criteria, name)
    }
    if criteria.patient_id is not None:
        values["patient_id"] = criteria.patient_id
    zone = timezone.get_current_timezone()
    if criteria.date_from:
        values["occurred_from"] = datetime.combine(criteria.date_from, time.min, tzinfo=zone)
    if criteria.date_to:
        values["occurred_to"] = datetime.combine(criteria.date_to, time.max, tzinfo=zone)
    return values


def meeting(events: QuerySet[AuditEvent], criteria: AuditFilter) -> QuerySet[AuditEvent]:
    """The events that meet the filter (its sort aside). Each criterion is a condition on
    one column with an index for it (the patient's, the time's, and migration 0006's for
    the others; the user's, role's and address's on PostgreSQL only), so the events of a
    value few have are read from its index instead of found by walking the trail back
    from its newest event."""
    return _meeting(events, _compared(criteria))


def _meeting(events: QuerySet[AuditEvent], compared: dict) -> QuerySet[AuditEvent]:
    """meeting's conditions for these values (each a value, or where a kept query puts
    one)."""
    if "username" in compared:
        events = events.filter(username__icontains=compared["username"])
    if "patient_id" in compared:
        patient = compared["patient_id"]
        named = AuditEventPatient.objects.filter(event_seq=OuterRef("seq"), patient_id=patient)
        events = events.filter(Q(patient_id=patient) | Exists(named))
    for name in ("action", "outcome", "object_type"):
        if name in compared:
            events = events.filter(**{name: compared[name]})
    if "role" in compared:
        events = events.filter(role__icontains=compared["role"])
    if "client_address" in compared:
        events = events.filter(client_address__startswith=compared["client_address"])
    if "occurred_from" in compared:
        events = events.filter(occurred_at__gte=compared["occurred_from"])
    if "occurred_to" in compared:
        events = events.filter(occurred_at__lte=compared["occurred_to"])
    return events


def audit_events_for(
    *, user, criteria: AuditFilter, whole: bool = False
) -> QuerySet[AuditEvent] | MergedTrail | FilteredTrail:
    """The events the user may review, filtered and sorted: for an unfiltered page in time
    order (the audit page as it opens) on PostgreSQL, the ways into the user's scope
    merged (MergedTrail: a page reads a page of each way); filtered, sorted by another
    column or on SQLite, the scope gathered as a set (FilteredTrail), which lets the
    database start from the filter's index (a patient's events: 313 -> 88 ms merged
    against gathered, on the 20,000-patient chain); ``whole`` (an export), that set as a
    queryset. See privacy.access.audit."""
    _check(criteria)
    sort = criteria.sort
    reviews = access.audit_scope_reviews(user)
    merges = connection.features.supports_slicing_ordering_in_compound  # PostgreSQL
    if sort in ("seq", "-seq") and not whole and _unfiltered(criteria) and merges:
        return MergedTrail(reviews, newest_first=sort == "-seq")
    # Filtered, the database starts from the filter's own index (meeting) where the value
    # is rare, or walks the trail once, not once for each way.
    trail = FilteredTrail(reviews, criteria=criteria)
    return trail.queryset if whole else trail


def audit_trail_as_of(
    *,
    user,
    criteria: AuditFilter,
    as_of: int | None = None,
    export: bool = False,
    via: str = "page",
) -> tuple[QuerySet[AuditEvent] | MergedTrail, int]:
    """The events the user may review, filtered, for a page, the CSV export or the API,
    as the trail stood before event `as_of` (later pages keep the first page's, so events
    written meanwhile do not push rows from one page onto the next), and that event's
    number; without `as_of`, or with one not yet written, the trail as it stands at this
    read.

    Who may review the trail: privacy.access.audit. The read is itself audited (a list
    or an export, naming the patient filtered on); a refusal is audited as denied.
    """
    if not access.access_audit_trail(user):
        raise refuse(
            actor=user,
            action=AuditAction.LIST,
            object_type="audit_trail",
            patient_id=criteria.patient_id,
        )
    events = audit_events_for(user=user, criteria=criteria, whole=export)
    detail: dict = {"via": via} if via != "page" else {}
    if export:
        detail["filter"] = criteria.__dict__
    if as_of is not None:
        detail["as_of"] = as_of
    read = audit_record(
        user=user,
        action=AuditAction.EXPORT if export else AuditAction.LIST,
        object_type="audit_trail",
        patient_id=criteria.patient_id,
        detail=detail,
    )
    before = read.seq if as_of is None else min(as_of, read.seq)
    return events.filter(seq__lt=before), before  # the trail as it stood then


def audit_patients_shown(*, user, among: set[int] | None = None) -> set[int]:
    """The patients whose ids the user may see in an event's detail; with `among`, those
    of them only (a page's: a director's programs can hold thousands of patients)."""
    patients = access.audit_reviewable_patients(user).order_by()
    if among is not None:
        patients = patients.filter(pk__in=among)
    return set(patients.values_list("pk", flat=True))


def audit_patients_named(events) -> set[int]:
    """The patient ids the events' details name (what audit_detail_shown may leave out)."""
    return set().union(*(named_patient_ids(e.detail) for e in events if isinstance(e.detail, dict)))


def audit_detail_shown(detail: dict, shown: set[int]) -> dict:
    """The event's detail without the ids of patients the reviewer may not see."""
    cleaned = dict(detail)
    for key in PATIENT_DETAIL_KEYS:
        value = cleaned.get(key)
        if isinstance(value, list):
            cleaned[key] = [item for item in value if _patient_id(item) in shown]
        elif value is not None and _patient_id(value) not in shown:
            cleaned.pop(key)
    return cleaned


def _patient_id(value) -> int | None:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and re.fullmatch(r"\d{1,18}", value):
        return int(value)
    return None
