"""The matrix clinic as the cells see it: logins, ids, savepoints and the audit trail."""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass, field

from django.apps import apps
from django.conf import settings
from django.core.management import call_command
from django.db import connection, transaction
from django.test import Client

from stepwell.accounts.models import UserKind
from stepwell.privacy.models import AuditChainHead, AuditEvent
from stepwell.testing.auth import verified_login
from stepwell.testing.clinic import SHARED
from stepwell.testing.matrix_clinic import MatrixClinic, build_matrix_clinic

from .facts import ROLES
from .harness import STAMPS, UNTRACKED_TABLES

# Tables that no request changes by design and that are large: left out of the fingerprint.
STATIC_TABLES = {"django_content_type", "auth_permission"}


@dataclass
class World:
    clinic: MatrixClinic
    sessions: dict = field(default_factory=dict)  # person -> session key
    bearer: dict = field(default_factory=dict)  # person -> API token
    fingerprint: dict = field(default_factory=dict)  # table -> digest, as built
    token_ids: dict = field(default_factory=dict)  # person -> id of their API token
    refreshed: dict = field(default_factory=dict)  # person -> when their cookie was refreshed
    _client: Client | None = None

    @property
    def patients(self):
        return self.clinic.patients

    @property
    def users(self):
        return self.clinic.users

    @property
    def programs(self):
        return self.clinic.programs

    def id_of(self, kind: str, key: str) -> int:
        if kind == "patient":
            return self.clinic.patients[key].pk
        if kind == "program":
            return self.clinic.programs[key].pk
        if kind == "user":
            return self.clinic.users[key].pk
        return self.clinic.ids[kind][key]

    def keys_of(self, on) -> list[str]:
        if on.keys:
            return list(on.keys)
        kind = next(k for k in on.params.values() if isinstance(k, str))
        if kind == "patient":
            return list(self.clinic.patients)
        if kind == "program":
            return list(self.clinic.programs)
        return list(self.clinic.ids[kind])

    # -- logins ----------------------------------------------------------------------------

    def client_for(self, person: str, *, api: bool = False) -> Client:
        """One client for every request (a new one loads every middleware again), with the
        person's session cookie and nothing else."""
        if self._client is None:
            self._client = Client()
            self._client.raise_request_exception = False
        client = self._client
        client.cookies.clear()
        session = self.sessions.get(person)
        if session and not (api and person in self.bearer):
            client.cookies[settings.SESSION_COOKIE_NAME] = self._fresh_session(client, person)
        return client

    # A session is pushed forward once a minute of use (accounts.middleware); the cookie
    # kept here is refreshed well before that, so a cell's request is an ordinary one (the
    # time zone kept in the session, nothing to save) and not a refresh. The cookie a
    # cell's own request sets is never kept: a cell may sign out or change the session.
    REFRESH_EVERY = 30.0

    def _fresh_session(self, client: Client, person: str) -> str:
        now = time.monotonic()
        if now - self.refreshed.get(person, 0.0) >= self.REFRESH_EVERY:
            name = settings.SESSION_COOKIE_NAME
            client.cookies[name] = self.sessions[person]
            # Any page the session middleware runs for; one that is not there is cheapest.
            # It must leave no audit event: a cell reads the trail from before this.
            audited = self.last_audit_seq()
            answer = client.get("/matrix-session-refresh/")
            assert answer.status_code == 404 and self.last_audit_seq() == audited
            if name in (cookies := answer.cookies) and cookies[name].value:
                self.sessions[person] = cookies[name].value
            self.refreshed[person] = now
        return self.sessions[person]

    def api_headers(self, person: str) -> dict:
        token = self.bearer.get(person)
        return {"HTTP_AUTHORIZATION": f"Bearer {token}"} if token else {}

    # -- cells -----------------------------------------------------------------------------

    @contextmanager
    def savepoint(self):
        with transaction.atomic():
            try:
                yield
            finally:
                transaction.set_rollback(True)

    # The two questions every cell asks of the audit trail, in plain SQL: built with the
    # ORM they were a tenth of the harness's own time (thousands of cells).
    _EVENTS = AuditEvent._meta.db_table

    @classmethod
    def last_audit_seq(cls) -> int:
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT MAX(seq) FROM {cls._EVENTS}")  # noqa: S608
            return cursor.fetchone()[0] or 0

    def denial_audited(self, person: str, after: int) -> bool:
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT 1 FROM {self._EVENTS} WHERE seq > %s AND outcome = %s AND user_id = %s"  # noqa: S608
                " LIMIT 1",
                [after, "denied", self.clinic.users[person].pk],
            )
            return cursor.fetchone() is not None

    @staticmethod
    def refusal_audited(after: int) -> bool:
        """A refusal of a link or a login, which names no user."""
        events = AuditEvent.objects.filter(seq__gt=after, outcome__in=("denied", "failed"))
        return events.exists()

    def changed_tables(self) -> set[str]:
        now = table_fingerprint()
        return {table for table, digest in now.items() if self.fingerprint.get(table) != digest}

    def psychotherapy_texts(self) -> list[tuple[str, str]]:
        return self.clinic.psychotherapy


def table_fingerprint() -> dict[str, str]:
    """A digest of every row of every table a request could change."""
    digests = {}
    for model in apps.get_models():
        table = model._meta.db_table
        if table in UNTRACKED_TABLES or table in STATIC_TABLES:
            continue
        fields = [f.attname for f in model._meta.concrete_fields if f.attname not in STAMPS]
        rows = model._base_manager.order_by("pk").values_list(*fields)
        digests[table] = hashlib.sha256(repr(list(rows)).encode()).hexdigest()
    return digests


def build_world() -> World:
    from stepwell.accounts.tokens import token_create

    clinic = build_matrix_clinic()
    world = World(clinic=clinic)
    for person in ROLES:
        if person == "anonymous":
            continue
        user = clinic.users[person]
        client = verified_login(Client(), user)
        world.sessions[person] = client.cookies[settings.SESSION_COOKIE_NAME].value
        if user.kind == UserKind.STAFF:
            issued = token_create(user=user, name="matrix")
            world.bearer[person] = issued.plaintext
            world.token_ids[person] = issued.token.pk
    world.fingerprint = table_fingerprint()
    return world


class LeftBehind(AssertionError):
    """The clinic's build committed rows that its rollback should have taken away."""


@contextmanager
def built_and_rolled_back(build: Callable[[], object]):
    """Build (and use) the clinic in one transaction that is always rolled back, whether
    the build, a test or nothing fails; then make sure the database is as it was before.

    Later tests in the same process (`stepwell audit verify` among them) must find no row
    of the clinic, least of all a piece of the audit chain. Should anything have been
    committed all the same, the database is flushed (the audit chain's head put back as it
    was, since a flush takes the head the migrations signed) and the teardown fails naming
    the tables, instead of a later test failing for no reason of its own.

    The small clinic that tests share (stepwell/testing/clinic.py) is rolled back first:
    this clinic must not be built inside it."""
    SHARED.close()
    before = table_fingerprint()
    audit_before = World.last_audit_seq()
    head_before = list(AuditChainHead.objects.values())
    try:
        with transaction.atomic():
            try:
                built = build()
                # The build's deferred foreign-key checks, fired here, once, at the top
                # level, where PostgreSQL then drops them. Left pending, they were scanned
                # again by every test's teardown check (SET CONSTRAINTS ALL IMMEDIATE, inside
                # the test's savepoint), 40 to 75 ms a test: a third of the matrix's time.
                connection.check_constraints()
                yield built
            finally:
                transaction.set_rollback(True)
    finally:
        now = table_fingerprint()
        left = sorted(table for table, digest in now.items() if before.get(table) != digest)
        if World.last_audit_seq() != audit_before:
            left.append("privacy_auditevent")
        if left:
            call_command("flush", interactive=False, verbosity=0)
            AuditChainHead.objects.bulk_create([AuditChainHead(**row) for row in head_before])
            raise LeftBehind(f"the matrix clinic left rows behind in {left}; flushed")
