"""Messages reach a real SMTP server (aiosmtpd on a local port); a refused address
bounces, an unreachable server is retried and then fails; the kept body loses its link."""

from __future__ import annotations

import socket
from datetime import timedelta

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP
from django.utils import timezone

from stepwell.core.errors import AccessDenied
from stepwell.messaging import delivery
from stepwell.messaging.models import Message
from stepwell.messaging.services import contact_preference_set, follow_up_link_send
from stepwell.privacy.actors import system_actor
from stepwell.privacy.models import AuditEvent

LINK = "https://stepwell.test/check-in/abc123"


class Inbox:
    def __init__(self):
        self.received = []

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.startswith("nobody@"):
            return "550 No such user here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session, envelope):
        self.received.append((envelope.rcpt_tos, envelope.content.decode()))
        return "250 Message accepted for delivery"


@pytest.fixture
def smtp(settings):
    inbox = Inbox()
    with socket.socket() as probe:  # a free local port
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = port
    settings.EMAIL_USE_TLS = False
    yield inbox
    controller.stop()


def queue(clinic, email="avery@example.org"):
    clinic.patient_a.email = email
    clinic.patient_a.save()
    return follow_up_link_send(
        actor=system_actor("follow-ups"), patient_id=clinic.patient_a.pk, link=LINK
    )


def test_a_message_reaches_the_smtp_server_and_names_nothing_clinical(clinic, smtp):
    message = queue(clinic)
    sent = delivery.message_deliver(message.pk)
    assert sent.state == "sent" and sent.sent_at is not None
    [(to, content)] = smtp.received
    assert to == ["avery@example.org"]
    assert "Stepwell" in content and LINK in content
    for word in (clinic.program_a.name, "alcohol", "depression", "substance", "diagnos"):
        assert word.lower() not in content.lower()
    assert LINK not in Message.objects.get(pk=message.pk).body  # the kept copy has no link


def test_a_refused_address_bounces_without_retry(clinic, smtp):
    message = queue(clinic, email="nobody@example.org")
    bounced = delivery.message_deliver(message.pk)
    assert (bounced.state, bounced.next_attempt_at, bounced.attempts) == ("bounced", None, 1)
    assert smtp.received == []


def test_an_unreachable_server_is_retried_then_fails(clinic, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = 9  # discard: nothing listens
    settings.EMAIL_TIMEOUT = 2
    settings.STEPWELL_MESSAGE_ATTEMPTS = 2
    settings.STEPWELL_MESSAGE_RETRY_MINUTES = 5
    message = queue(clinic)
    now = timezone.now()
    first = delivery.message_deliver(message.pk, now=now)
    assert (first.state, first.attempts) == ("queued", 1)
    assert first.next_attempt_at == now + timedelta(minutes=5)
    assert delivery.message_deliver(message.pk, now=now + timedelta(minutes=1)) is None
    second = delivery.message_deliver(message.pk, now=now + timedelta(minutes=6))
    assert (second.state, second.attempts) == ("failed", 2)


def test_the_patient_who_chose_neither_gets_nothing(clinic):
    clinic.patient_a.email = "avery@example.org"
    clinic.patient_a.save()
    contact_preference_set(
        actor=clinic.patient_user_a, patient_id=clinic.patient_a.pk, channel="none", reminders=False
    )
    sent = follow_up_link_send(
        actor=system_actor("follow-ups"), patient_id=clinic.patient_a.pk, link=LINK
    )
    assert sent is None and not Message.objects.exists()


def test_contact_preferences_refused_to_billing(clinic):
    seq = AuditEvent.objects.order_by("-seq").values_list("seq", flat=True).first() or 0
    with pytest.raises(AccessDenied):
        contact_preference_set(
            actor=clinic.billing_a, patient_id=clinic.patient_a.pk, channel="none", reminders=False
        )
    new = AuditEvent.objects.filter(seq__gt=seq)
    assert [e.outcome for e in new] == ["denied"]


def test_a_link_job_not_named_is_refused(clinic):
    with pytest.raises(AccessDenied):
        follow_up_link_send(
            actor=system_actor("audit-export"), patient_id=clinic.patient_a.pk, link=LINK
        )
    assert not Message.objects.exists()
