"""Two requests appending to the audit trail at once, each on its own connection.

The append reads the chain head with a lock and then the largest event id, on PostgreSQL
in one round trip. The second append waits for the first one's lock; once it has it, it
must see the first one's event (its id and number), or it would take the same id and
fail, or chain from the wrong event."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, transaction

from stepwell.privacy.audit import audit_record, audit_verify
from stepwell.privacy.models import AuditEvent

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("on_postgres"),  # the tests' SQLite is one in-memory connection
]


def test_an_append_waiting_for_the_lock_chains_from_the_event_it_waited_for():
    audit_record(action="view", object_type="start")  # the chain exists before the race
    appended, release = threading.Event(), threading.Event()
    outcome: dict[str, object] = {}

    def first() -> None:
        try:
            with transaction.atomic():
                outcome["first"] = audit_record(action="view", object_type="first")
                appended.set()
                release.wait(10)  # hold the head's lock while the second one asks
        finally:
            connection.close()

    def second() -> None:
        try:
            outcome["second"] = audit_record(action="view", object_type="second")
        except Exception as error:  # the test reports what went wrong
            outcome["error"] = repr(error)
        finally:
            connection.close()

    holder = threading.Thread(target=first)
    holder.start()
    try:
        assert appended.wait(10)
        waiter = threading.Thread(target=second)
        waiter.start()
        waiter.join(1.0)
        assert waiter.is_alive(), "the second append did not wait for the head's lock"
    finally:
        release.set()
        holder.join(10)
    waiter.join(10)

    assert "error" not in outcome, outcome.get("error")
    first_event, second_event = outcome["first"], outcome["second"]
    assert (second_event.id, second_event.seq) == (first_event.id + 1, first_event.seq + 1)
    assert second_event.prev_hash == first_event.hash
    stored = list(AuditEvent.objects.order_by("seq").values_list("object_type", flat=True))
    assert stored[-2:] == ["first", "second"]
    assert audit_verify() == []
