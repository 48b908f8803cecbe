"""Two requests appending to the audit trail at once, each on its own connection.

The append reads the chain head with a lock and then the largest event id, on PostgreSQL
in one round trip. The second append waits for the first one's lock; once it has it, it
must see the first one's event (its id and number), or it would take the same id and
fail, or chain from the wrong event."""

from __future__ import annotations

import pytest
from django.db import transaction

from stepwell.privacy.audit import audit_record, audit_verify
from stepwell.privacy.models import AuditEvent
from stepwell.testing.threads import second_waits_for_first

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("on_postgres"),  # the tests' SQLite is one in-memory connection
]


def test_an_append_waiting_for_the_lock_chains_from_the_event_it_waited_for():
    audit_record(action="view", object_type="start")  # the chain exists before the race
    outcome: dict[str, object] = {}

    def first(appended, release) -> None:
        with transaction.atomic():
            outcome["first"] = audit_record(action="view", object_type="first")
            appended.set()
            release.wait(10)  # hold the head's lock while the second one asks

    def second() -> None:
        try:
            outcome["second"] = audit_record(action="view", object_type="second")
        except Exception as error:  # the test reports what went wrong
            outcome["error"] = repr(error)

    second_waits_for_first(
        first, second, message="the second append did not wait for the head's lock"
    )

    assert "error" not in outcome, outcome.get("error")
    first_event, second_event = outcome["first"], outcome["second"]
    assert (second_event.id, second_event.seq) == (first_event.id + 1, first_event.seq + 1)
    assert second_event.prev_hash == first_event.hash
    stored = list(AuditEvent.objects.order_by("seq").values_list("object_type", flat=True))
    assert stored[-2:] == ["first", "second"]
    assert audit_verify() == []
