"""Text-message backends, chosen by STEPWELL_SMS_BACKEND, like Django's email backends.

- TwilioBackend: an HTTP provider with Twilio's Messages API (POST a form to
  {STEPWELL_SMS_API_URL}/2010-04-01/Accounts/{account}/Messages.json with basic auth). Any
  provider with the same API works by changing STEPWELL_SMS_API_URL.
- ConsoleBackend: prints the message (the demo).
- MemoryBackend: keeps the messages in a list (tests that do not need the HTTP provider).

`send()` returns the provider's id of the message. It raises SmsRejected when the provider
refuses the number or the message for good (the message bounced), and SmsUnavailable when
trying later may work (a server error, no answer, no connection).
"""

from __future__ import annotations

import base64
import json
import sys
import urllib.error
import urllib.parse
import urllib.request
import uuid
from dataclasses import dataclass

from django.conf import settings
from django.utils.module_loading import import_string

TIMEOUT_SECONDS = 15


class SmsRejected(Exception):
    """The provider refused the message for good (bad number, unsubscribed, bad request)."""


class SmsUnavailable(Exception):
    """The provider could not take the message now; try again later."""


@dataclass(frozen=True)
class TextMessage:
    to: str
    body: str


class TwilioBackend:
    def __init__(self):
        self.base_url = settings.STEPWELL_SMS_API_URL.rstrip("/")
        self.account = settings.STEPWELL_SMS_ACCOUNT
        self.token = settings.STEPWELL_SMS_TOKEN
        self.sender = settings.STEPWELL_SMS_FROM

    def send(self, message: TextMessage) -> str:
        if not (self.account and self.token and self.sender):
            raise SmsUnavailable(
                "Text messages are not configured: set STEPWELL_SMS_ACCOUNT, "
                "STEPWELL_SMS_TOKEN and STEPWELL_SMS_FROM."
            )
        account = urllib.parse.quote(self.account, safe="")
        url = f"{self.base_url}/2010-04-01/Accounts/{account}/Messages.json"
        form = urllib.parse.urlencode(
            {"To": message.to, "From": self.sender, "Body": message.body}
        ).encode()
        credentials = base64.b64encode(f"{self.account}:{self.token}".encode()).decode()
        request = urllib.request.Request(  # noqa: S310 - the configured provider's https URL
            url,
            data=form,
            method="POST",
            headers={
                "Authorization": f"Basic {credentials}",
                "Content-Type": "application/x-www-form-urlencoded",
                "Accept": "application/json",
            },
        )
        try:
            with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as answer:  # noqa: S310
                payload = _json(answer.read())
        except urllib.error.HTTPError as error:
            detail = _json(error.read())
            text = f"{error.code}: {detail.get('message') or error.reason}"[:250]
            if 400 <= error.code < 500 and error.code != 429:
                raise SmsRejected(text) from error
            raise SmsUnavailable(text) from error
        except (urllib.error.URLError, TimeoutError, OSError) as error:
            raise SmsUnavailable(f"No answer from the provider: {error}"[:250]) from error
        return str(payload.get("sid") or "")


def _json(raw: bytes) -> dict:
    try:
        value = json.loads(raw or b"{}")
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


class ConsoleBackend:
    def send(self, message: TextMessage) -> str:
        sys.stdout.write(f"Text message to {message.to}:\n{message.body}\n{'-' * 40}\n")
        sys.stdout.flush()
        return f"console-{uuid.uuid4().hex[:12]}"


class MemoryBackend:
    outbox: list[TextMessage] = []

    def send(self, message: TextMessage) -> str:
        type(self).outbox.append(message)
        return f"memory-{len(type(self).outbox)}"


def sms_backend():
    return import_string(settings.STEPWELL_SMS_BACKEND)()
