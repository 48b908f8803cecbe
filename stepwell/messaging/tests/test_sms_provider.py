"""Text messages go through the HTTP provider backend (Twilio's Messages API) to a real
local HTTP server the test starts (http.server in a thread), not a mock: a message is
accepted and sent; a provider error is kept as the reason and retried, then fails; a
refused number bounces without a retry."""

from __future__ import annotations

import json
import threading
import urllib.parse
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.utils import timezone

from stepwell.messaging import delivery
from stepwell.messaging.models import Message
from stepwell.messaging.services import contact_preference_set, follow_up_link_send
from stepwell.privacy.actors import system_actor

LINK = "https://stepwell.test/check-in/abc123"
ACCOUNT = "AC0123456789"
TOKEN = "test-token-not-a-secret"


class Provider:
    """What the fake provider answers next, and what it received."""

    def __init__(self):
        self.requests: list[dict] = []
        self.answers: list[tuple[int, dict]] = []

    def answer(self) -> tuple[int, dict]:
        if self.answers:
            return self.answers.pop(0)
        return 201, {"sid": f"SM{len(self.requests):032d}", "status": "queued"}


def handler_for(provider: Provider):
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            length = int(self.headers.get("Content-Length") or 0)
            form = urllib.parse.parse_qs(self.rfile.read(length).decode())
            provider.requests.append(
                {
                    "path": self.path,
                    "authorization": self.headers.get("Authorization", ""),
                    "form": {k: v[0] for k, v in form.items()},
                }
            )
            status, payload = provider.answer()
            body = json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    return Handler


@pytest.fixture
def provider(settings):
    state = Provider()
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler_for(state))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    settings.STEPWELL_SMS_BACKEND = "stepwell.messaging.sms.TwilioBackend"
    settings.STEPWELL_SMS_API_URL = f"http://127.0.0.1:{server.server_address[1]}"
    settings.STEPWELL_SMS_ACCOUNT = ACCOUNT
    settings.STEPWELL_SMS_TOKEN = TOKEN
    settings.STEPWELL_SMS_FROM = "+15550100"
    yield state
    server.shutdown()
    server.server_close()


def queue_text(clinic) -> Message:
    clinic.patient_a.phone = "+15550123"
    clinic.patient_a.save()
    contact_preference_set(
        actor=clinic.patient_user_a, patient_id=clinic.patient_a.pk, channel="text", reminders=False
    )
    message = follow_up_link_send(
        actor=system_actor("follow-ups"), patient_id=clinic.patient_a.pk, link=LINK
    )
    assert message.channel == "text"
    return message


def test_a_text_reaches_the_provider_and_is_sent(clinic, provider):
    import base64

    message = queue_text(clinic)
    sent = delivery.message_deliver(message.pk)
    assert (sent.state, sent.attempts, sent.last_error) == ("sent", 1, "")
    assert sent.provider_id == "SM" + "1".zfill(32)
    [request] = provider.requests
    assert request["path"] == f"/2010-04-01/Accounts/{ACCOUNT}/Messages.json"
    expected = base64.b64encode(f"{ACCOUNT}:{TOKEN}".encode()).decode()
    assert request["authorization"] == f"Basic {expected}"
    assert request["form"] == {
        "To": "+15550123",
        "From": "+15550100",
        "Body": f"Stepwell: you have a short check-in to answer. {LINK}",
    }
    assert LINK not in Message.objects.get(pk=message.pk).body


def test_a_provider_error_keeps_the_reason_and_is_retried_then_fails(clinic, provider, settings):
    settings.STEPWELL_MESSAGE_ATTEMPTS = 2
    settings.STEPWELL_MESSAGE_RETRY_MINUTES = 5
    provider.answers = [
        (503, {"code": 20503, "message": "Service unavailable"}),
        (500, {"code": 20500, "message": "Internal error"}),
    ]
    message = queue_text(clinic)
    now = timezone.now()
    first = delivery.message_deliver(message.pk, now=now)
    assert (first.state, first.attempts) == ("queued", 1)
    assert first.last_error == "503: Service unavailable"
    assert first.next_attempt_at == now + timedelta(minutes=5)
    assert delivery.message_deliver(message.pk, now=now + timedelta(minutes=1)) is None
    second = delivery.message_deliver(message.pk, now=now + timedelta(minutes=6))
    assert (second.state, second.attempts, second.last_error) == (
        "failed",
        2,
        "500: Internal error",
    )
    assert len(provider.requests) == 2


def test_a_provider_error_then_success_on_the_retry(clinic, provider):
    provider.answers = [(429, {"code": 20429, "message": "Too many requests"})]
    message = queue_text(clinic)
    now = timezone.now()
    first = delivery.message_deliver(message.pk, now=now)
    assert (first.state, first.last_error) == ("queued", "429: Too many requests")
    second = delivery.message_deliver(message.pk, now=first.next_attempt_at)
    assert (second.state, second.attempts, second.last_error) == ("sent", 2, "")


def test_a_refused_number_bounces_without_retry(clinic, provider):
    provider.answers = [
        (400, {"code": 21211, "message": "The 'To' number +15550123 is not a valid phone number."})
    ]
    message = queue_text(clinic)
    bounced = delivery.message_deliver(message.pk)
    assert (bounced.state, bounced.next_attempt_at, bounced.attempts) == ("bounced", None, 1)
    assert bounced.last_error.startswith("400: The 'To' number")
    assert LINK not in bounced.body
    assert len(provider.requests) == 1


def test_no_provider_listening_is_retried(clinic, settings):
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    settings.STEPWELL_SMS_BACKEND = "stepwell.messaging.sms.TwilioBackend"
    settings.STEPWELL_SMS_API_URL = f"http://127.0.0.1:{port}"
    settings.STEPWELL_SMS_ACCOUNT = ACCOUNT
    settings.STEPWELL_SMS_TOKEN = TOKEN
    settings.STEPWELL_SMS_FROM = "+15550100"
    message = queue_text(clinic)
    first = delivery.message_deliver(message.pk)
    assert first.state == "queued" and first.last_error.startswith("No answer from the provider")


def test_an_unconfigured_provider_says_what_to_set(clinic, settings):
    settings.STEPWELL_SMS_BACKEND = "stepwell.messaging.sms.TwilioBackend"
    settings.STEPWELL_SMS_ACCOUNT = ""
    message = queue_text(clinic)
    first = delivery.message_deliver(message.pk)
    assert first.state == "queued"
    assert "STEPWELL_SMS_ACCOUNT" in first.last_error
