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


def test_an_event_appended_while_a_patient_comes_to_a_program_is_linked_to_it():
    """The episode's trigger links the patient's events to its program and the append
    links its event to the programs of the patient's episodes, each as its statement sees
    the other's table. The trigger takes the chain head's lock first, so an append about
    the same patient waits for the episode to be committed and sees it; without the lock
    neither side would see the other and the event would be missing from the new
    program's review."""
    from stepwell.privacy.models import AuditEventProgram
    from stepwell.testing.factories import EpisodeFactory, PatientFactory, ProgramFactory

    audit_record(action="view", object_type="start")  # the chain exists before the race
    patient, program = PatientFactory(), ProgramFactory()
    outcome: dict[str, object] = {}

    def first(holding, release) -> None:
        with transaction.atomic():
            EpisodeFactory(patient=patient, program=program)
            holding.set()
            release.wait(10)  # the episode not yet committed while the append asks

    def second() -> None:
        try:
            outcome["event"] = audit_record(action="view", patient_id=patient.pk)
        except Exception as error:  # the test reports what went wrong
            outcome["error"] = repr(error)

    second_waits_for_first(
        first, second, message="the append did not wait for the episode's trigger"
    )

    assert "error" not in outcome, outcome.get("error")
    event = outcome["event"]
    assert AuditEventProgram.objects.filter(event_id=event.seq, program_id=program.pk).exists()
