"""Append to the audit trail.

Every event is chained to the one before it with an HMAC-SHA256 over its fields (its id
included) and the previous hash (privacy/chain.py), so an event changed, inserted or
deleted in the database breaks the chain at that point and `stepwell audit verify`
names it. The head row records the last event, signed too, so a deleted tail is found;
signed checkpoints exported off the machine find a truncation even by someone who holds
the database (privacy/checkpoints.py). Database triggers refuse UPDATE and DELETE on the
events, and any change to the head but the step the append below makes.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from enum import StrEnum

from django.db import connection, transaction
from django.utils import timezone

from . import chain
from .actors import SYSTEM_KIND, is_system
from .models import (
    ADMINISTRATORS_REVIEW,
    AuditChainHead,
    AuditEvent,
    AuditEventPatient,
    AuditEventProgram,
)

GENESIS_HASH = chain.GENESIS_HASH
# Keys of `detail` whose values are patient ids (one or a list): the event names them.
PATIENT_DETAIL_KEYS = ("patients", "patient_ids", "added")


class AuditAction(StrEnum):
    VIEW = "view"
    LIST = "list"
    CREATE = "create"
    UPDATE = "update"
    TRANSITION = "transition"
    EXPORT = "export"
    LOGIN = "login"
    LOGIN_FAILED = "login_failed"
    LOGOUT = "logout"
    PRIVILEGE_CHANGE = "privilege_change"
    TOKEN_CREATE = "token_create"  # noqa: S105
    TOKEN_REVOKE = "token_revoke"  # noqa: S105
    DUPLICATE_CHECK = "duplicate_check"
    KEY_ROTATION = "key_rotation"


class AuditOutcome(StrEnum):
    ALLOWED = "allowed"
    DENIED = "denied"
    FAILED = "failed"


class AuditChainBroken(RuntimeError):
    """The chain head is missing while events exist: refuse to start a second chain."""


current_client_address: ContextVar[str] = ContextVar("current_client_address", default="")
# How many denials were written while serving the current request (see refusals.py).
denials_in_request: ContextVar[int] = ContextVar("denials_in_request", default=0)
# Inside audit_batch(): the head is locked and is moved once, when the batch ends.
_in_batch: ContextVar[bool] = ContextVar("audit_in_batch", default=False)


def client_address_of(request) -> str:
    if request is None:
        return ""
    return (request.META.get("REMOTE_ADDR") or "")[:64]


def named_patient_ids(detail: dict) -> set[int]:
    """The patient ids an event's detail names, under PATIENT_DETAIL_KEYS."""
    named: set[int] = set()
    for key in PATIENT_DETAIL_KEYS:
        value = detail.get(key)
        for item in value if isinstance(value, list | tuple) else [value]:
            if isinstance(item, int) and not isinstance(item, bool):
                named.add(item)
            elif isinstance(item, str) and item.isdigit() and len(item) < 19:
                named.add(int(item))
    return named


def _locked_head() -> AuditChainHead:
    head = AuditChainHead.objects.select_for_update().filter(pk=1).first()
    if head is not None:
        return head
    if AuditEvent.objects.exists():
        raise AuditChainBroken(
            "The audit chain head is missing while events exist; run `stepwell audit verify`."
        )
    head = AuditChainHead(pk=1, last_seq=0, last_hash=GENESIS_HASH)
    head.save(force_insert=True)
    return head


def _last_event() -> tuple[int, str, int]:
    """The number, hash and id of the last event in the table (the genesis, and id 0,
    before any). Ids and numbers grow together (each chosen as the last plus one under
    the head's lock), so the last event has the largest id too; were it not so, the
    next insert would collide on its id and fail, not chain wrongly."""
    with connection.cursor() as cursor:  # plain SQL: asked once per event in a batch
        cursor.execute(f"SELECT seq, hash, id FROM {_EVENT_TABLE} ORDER BY seq DESC LIMIT 1")  # noqa: S608
        last = cursor.fetchone()
    return tuple(last) if last is not None else (0, GENESIS_HASH, 0)


# The append path's statements are written out (plain SQL on the default connection):
# building them with the ORM was most of an event's cost, about 2 ms of every audited
# request. The fields of the INSERT are the model's own, each prepared by its field.
_HEAD_TABLE = AuditChainHead._meta.db_table
_EVENT_TABLE = AuditEvent._meta.db_table
_EVENT_FIELDS = AuditEvent._meta.concrete_fields


def _one_round_trip() -> bool:
    """Whether several statements may go in one call: PostgreSQL through psycopg 3 with
    client-side binding (Django's default), which sends them as one simple query and
    keeps each statement's result (cursor.nextset). Each statement still runs on its own,
    in order, with its own snapshot under READ COMMITTED. SQLite takes one at a time (and
    its calls are in-process, not round trips)."""
    if connection.vendor != "postgresql":
        return False
    from django.db.backends.postgresql.psycopg_any import is_psycopg3

    return is_psycopg3 and not connection.settings_dict["OPTIONS"].get("server_side_binding")


_HEAD_SQL = f"SELECT id, last_seq, last_hash FROM {_HEAD_TABLE} WHERE id = 1"  # noqa: S608
_LAST_ID_SQL = f"SELECT MAX(id) FROM {_EVENT_TABLE}"  # noqa: S608


def _head_for_append(cursor) -> tuple[int, int, str, int]:
    """The head's id, last number and last hash, locked until the transaction ends (on
    SQLite the write transaction itself is the lock), and the largest event id.

    The id is read by a statement of its own after the lock is taken, never in the
    locking statement: a statement's snapshot is taken when it starts, so a subquery
    there could miss the event of an append that held the lock while this one waited.
    On PostgreSQL both statements go in one round trip."""
    lock = " FOR UPDATE" if connection.features.has_select_for_update else ""
    if _one_round_trip():
        cursor.execute(f"{_HEAD_SQL}{lock}; {_LAST_ID_SQL}")
        row = cursor.fetchone()
        cursor.nextset()
        last_id = cursor.fetchone()[0]
    else:
        cursor.execute(f"{_HEAD_SQL}{lock}")
        row = cursor.fetchone()
        last_id = None
    if row is None:  # no chain yet: start it (or refuse, if events exist without a head)
        head = _locked_head()
        row, last_id = (head.pk, head.last_seq, head.last_hash), None
    if last_id is None:  # asked here when not asked above, or asked before the lock
        cursor.execute(_LAST_ID_SQL)
        last_id = cursor.fetchone()[0]
    return (*row, last_id or 0)


def _insert_statement(event: AuditEvent) -> tuple[str, list]:
    columns = ", ".join(connection.ops.quote_name(field.column) for field in _EVENT_FIELDS)
    values = [
        field.get_db_prep_save(getattr(event, field.attname), connection) for field in _EVENT_FIELDS
    ]
    placeholders = ", ".join(["%s"] * len(values))
    return f"INSERT INTO {_EVENT_TABLE} ({columns}) VALUES ({placeholders})", values  # noqa: S608


def _move_head_statement(head_pk: int, last_seq: int, last_hash: str) -> tuple[str, list]:
    key = chain.current_key()
    signature = chain.mac(
        key, chain.head_payload(last_seq=last_seq, last_hash=last_hash, key_id=key.key_id)
    )
    return (
        f"UPDATE {_HEAD_TABLE} SET last_seq = %s, last_hash = %s, key_id = %s, mac = %s "  # noqa: S608
        "WHERE id = %s",
        [last_seq, last_hash, key.key_id, signature, head_pk],
    )


def _move_head(head_pk: int, last_seq: int, last_hash: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute(*_move_head_statement(head_pk, last_seq, last_hash))


_LINKS_TABLE = AuditEventProgram._meta.db_table
_NAMED_TABLE = AuditEventPatient._meta.db_table
_LINK_COLUMNS = f"INSERT INTO {_LINKS_TABLE} (event_seq, program_id)"


def _links_statement(event: AuditEvent, named: set[int]) -> tuple[str, list]:
    """Link the event to the reviews it belongs to (see AuditEventProgram): the programs
    of its patient, or of the named patients when it is about no one patient (read from
    the named rows written just before, so a list naming thousands asks no long list of
    ids); naming no patient, the administrators' review and its user's programs as staff
    today. Under the head's lock, which the episode trigger that links a patient's
    earlier events to a new program takes too, so an episode written meanwhile is seen by
    one of the two."""
    from stepwell.clinic.models import ProgramStaff
    from stepwell.patients.models import Episode

    episodes = Episode._meta.db_table
    if event.patient_id is not None:
        return (
            f"{_LINK_COLUMNS} SELECT DISTINCT %s, program_id FROM {episodes} "  # noqa: S608
            "WHERE patient_id = %s",
            [event.seq, event.patient_id],
        )
    if named:
        return (
            f"{_LINK_COLUMNS} SELECT DISTINCT %s, episode.program_id FROM {episodes} episode "  # noqa: S608
            f"JOIN {_NAMED_TABLE} named ON named.patient_id = episode.patient_id "
            "WHERE named.event_seq = %s",
            [event.seq, event.seq],
        )
    return (
        f"{_LINK_COLUMNS} SELECT %s, %s UNION ALL SELECT %s, program_id "  # noqa: S608
        f"FROM {ProgramStaff._meta.db_table} WHERE user_id = %s",
        [event.seq, ADMINISTRATORS_REVIEW, event.seq, event.user_id],
    )


NAMED_PER_STATEMENT = 1000  # SQLite takes at most 32,766 values a statement


def _named_statements(event: AuditEvent, named: set[int]) -> list[tuple[str, list]]:
    """The patients the event names besides its own (a list page names its rows'), a
    thousand a statement."""
    ids = sorted(named)
    statements = []
    for start in range(0, len(ids), NAMED_PER_STATEMENT):
        part = ids[start : start + NAMED_PER_STATEMENT]
        rows = ", ".join(["(%s, %s)"] * len(part))
        values = [value for patient_id in part for value in (event.seq, patient_id)]
        statements.append(
            (f"INSERT INTO {_NAMED_TABLE} (event_seq, patient_id) VALUES {rows}", values)  # noqa: S608
        )
    return statements


def _write_event(cursor, event: AuditEvent, head_pk: int | None, named: set[int]) -> None:
    """Insert the event, the patients it names and its program links and, unless a batch
    moves it later, move the head onto it: on PostgreSQL in one round trip (the insert
    first: the head's trigger wants the event it moves to to exist)."""
    statements = [_insert_statement(event), *_named_statements(event, named)]
    # the links after the named rows, which they read
    statements.append(_links_statement(event, named))
    if head_pk is not None:
        statements.append(_move_head_statement(head_pk, event.seq, event.hash))
    if _one_round_trip():
        cursor.execute(
            "; ".join(sql for sql, _ in statements),
            [value for _, values in statements for value in values],
        )
    else:
        for sql, values in statements:
            cursor.execute(sql, values)
    event._state.adding = False
    event._state.db = connection.alias


@contextmanager
def audit_batch() -> Iterator[None]:
    """Append many events in one transaction and move the chain head once, at the end.

    For work that writes thousands of events in one transaction (building the demo
    clinic). Updating one row thousands of times in one PostgreSQL transaction costs time
    in the square of the count: every update leaves a row version that the next lock and
    update step over until the transaction ends. In a batch the head is locked at the
    start (and stays locked until the transaction ends, so no one else appends
    meanwhile); each event chains from the last event in the table, which a rolled-back
    savepoint takes its events out of; and the head moves to the last event when the
    batch ends, several numbers at once (the database trigger allows a move forward to an
    event that exists, when the event after the old head chains from it). If the batch
    fails, the transaction rolls back events and head together. Nested batches join the
    outer one.
    """
    if _in_batch.get():
        yield
        return
    with transaction.atomic():
        head = _locked_head()
        token = _in_batch.set(True)
        try:
            yield
        finally:
            _in_batch.reset(token)
        last_seq, last_hash, _ = _last_event()
        if last_seq != head.last_seq:
            _move_head(head.pk, last_seq, last_hash)


def audit_record(
    *,
    user=None,
    action: str,
    patient_id: int | None = None,
    object_type: str = "",
    object_id: object = "",
    outcome: str = AuditOutcome.ALLOWED,
    client_address: str = "",
    detail: dict | None = None,
) -> AuditEvent:
    """Append one event to the chain. Runs in the caller's transaction when there is one
    (and if appending fails, that whole transaction is rolled back).

    The client address defaults to the address of the request being served (set by
    core.middleware.AuditContextMiddleware), so services need not pass it along.
    """
    authenticated = user is not None and getattr(user, "is_authenticated", False)
    roles = ",".join(sorted(user.role_keys())) if authenticated else ""
    if authenticated and user.is_patient_user:
        roles = "patient"
    if is_system(user):
        roles = SYSTEM_KIND
    client_address = client_address or current_client_address.get()
    if str(outcome) == AuditOutcome.DENIED:
        denials_in_request.set(denials_in_request.get() + 1)
    key = chain.current_key()
    detail = json.loads(json.dumps(detail or {}, default=str))
    batched = _in_batch.get()
    # Inside the caller's transaction no savepoint of its own (two statements on every
    # audited write): if appending fails, the caller's whole transaction is marked for
    # rollback, so nothing it did is kept without its event. Alone, its own transaction.
    with transaction.atomic(savepoint=False), connection.cursor() as cursor:
        # The id is chosen here, under the head's lock, so the hash can cover it.
        if batched:  # audit_batch() holds the head's lock and moves it at the end
            head_pk, (last_seq, last_hash, last_id) = None, _last_event()
        else:
            head_pk, last_seq, last_hash, last_id = _head_for_append(cursor)
        event = AuditEvent(
            id=last_id + 1,
            version=chain.CURRENT_VERSION,
            key_id=key.key_id,
            seq=last_seq + 1,
            occurred_at=timezone.now(),
            user_id=user.pk if authenticated else None,
            username=user.get_username() if authenticated else "",
            role=roles,
            patient_id=patient_id,
            action=str(action),
            object_type=object_type,
            object_id=str(object_id)[:64] if object_id not in (None, "") else "",
            outcome=str(outcome),
            client_address=client_address[:64],
            detail=detail,
            prev_hash=last_hash,
        )
        event.hash = chain.event_hash(event, key)
        named = named_patient_ids(detail) - {patient_id}
        _write_event(cursor, event, head_pk, named)
    return event


def audit_request(request, **kwargs) -> AuditEvent:
    return audit_record(user=request.user, client_address=client_address_of(request), **kwargs)


def audit_verify() -> list:
    """The problems `stepwell audit verify` finds (empty when the chain is intact)."""
    from .verify import audit_chain_verify

    return audit_chain_verify().problems
