"""The outbox and the patient's own messages come 50 a page, newest first, cut in SQL:
the outbox page and the portal's messages by `page` (the outbox's state filter first, and
kept by the page links), the API's outbox by `limit` and `offset`. One audit event names
the patients of the page. The same refusal as before for anyone without the outbox."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from stepwell.messaging.models import Message, MessageState
from stepwell.privacy.models import AuditEvent, AuditEventPatient
from stepwell.testing.auth import verified_login

pytestmark = pytest.mark.django_db

QUEUED_AT = timezone.now() - timedelta(days=3)


def _messages(clinic, count: int, *, state=MessageState.QUEUED, minutes_from: int = 0):
    Message.objects.bulk_create(
        Message(
            patient=clinic.patient_a,
            purpose="questionnaire",
            channel="email",
            address="avery@example.org",
            subject=f"Message{minutes_from + n:02d}",
            body="Stepwell: a questionnaire is waiting.",
            state=state,
            attempts=1 if state == MessageState.FAILED else 0,
            created_at=QUEUED_AT + timedelta(minutes=minutes_from + n),
            created_by="clin_a",
        )
        for n in range(count)
    )


def test_the_outbox_shows_50_messages_a_page_newest_first(client, clinic):
    _messages(clinic, 60)
    verified_login(client, clinic.clinician_a)
    first, second = client.get("/messages/"), client.get("/messages/", {"page": 2})
    assert first.status_code == second.status_code == 200
    subjects = [m.subject for m in [*first.context["rows"], *second.context["rows"]]]
    assert subjects == [f"Message{n:02d}" for n in reversed(range(60))]
    assert len(first.context["rows"]) == 50
    assert "Page 1 of 2 · 60 messages" in first.content.decode()
    event = AuditEvent.objects.filter(object_type="outbox").latest("seq")
    assert event.detail["patients"] == [clinic.patient_a.pk]
    assert AuditEventPatient.objects.filter(event_seq=event.seq).count() == 1


def test_the_state_filter_comes_before_the_page_and_stays_in_its_links(client, clinic):
    _messages(clinic, 55)
    _messages(clinic, 53, state=MessageState.FAILED, minutes_from=100)
    verified_login(client, clinic.clinician_a)
    first = client.get("/messages/", {"state": "failed"})
    second = client.get("/messages/", {"state": "failed", "page": 2})
    assert {m.state for m in [*first.context["rows"], *second.context["rows"]]} == {"failed"}
    assert (len(first.context["rows"]), len(second.context["rows"])) == (50, 3)
    assert "?state=failed&amp;page=2" in first.content.decode()


def test_the_api_lists_the_outbox_50_at_a_time(client, clinic):
    _messages(clinic, 60)
    _messages(clinic, 4, state=MessageState.FAILED, minutes_from=100)
    verified_login(client, clinic.clinician_a)
    first = client.get("/api/v1/messages")
    second = client.get("/api/v1/messages", {"offset": 50})
    assert (len(first.json()), len(second.json())) == (50, 14)
    ids = [m["id"] for m in first.json() + second.json()]
    assert ids == list(Message.objects.order_by("-created_at", "-pk").values_list("pk", flat=True))
    failed = client.get("/api/v1/messages", {"state": "failed", "limit": 3, "offset": 2})
    assert [m["state"] for m in failed.json()] == ["failed", "failed"]  # filter, then page


@pytest.mark.parametrize(
    ("url", "params"), [("/messages/", {"page": 2}), ("/api/v1/messages", {"limit": 5})]
)
def test_the_outbox_is_still_refused_to_billing(client, clinic, url, params):
    _messages(clinic, 60)
    verified_login(client, clinic.billing_a)
    response = client.get(url, params)
    assert response.status_code == 403
    assert "Message" not in response.content.decode()


def test_the_portal_shows_the_patients_own_messages_50_a_page(client, clinic):
    _messages(clinic, 60)
    verified_login(client, clinic.patient_user_a)
    first, second = client.get("/messages/mine/"), client.get("/messages/mine/", {"page": 2})
    subjects = [m.subject for m in [*first.context["rows"], *second.context["rows"]]]
    assert subjects == [f"Message{n:02d}" for n in reversed(range(60))]
    assert len(first.context["rows"]) == 50


@pytest.mark.parametrize("count", [3, 60])
@pytest.mark.parametrize(
    ("who", "url", "bound"),
    [
        ("clinician_a", "/messages/", 13),
        ("clinician_a", "/api/v1/messages", 11),
        ("patient_user_a", "/messages/mine/", 12),
    ],
)
def test_the_queries_do_not_grow_with_the_rows(
    client, clinic, django_assert_max_num_queries, count, who, url, bound
):
    _messages(clinic, count)
    verified_login(client, getattr(clinic, who))
    client.get(url)  # per-process caches
    with django_assert_max_num_queries(bound):
        response = client.get(url)
    assert response.status_code == 200
