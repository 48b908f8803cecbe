"""Deliver one queued message: by email through Django's email backend (SMTP in
production), or by text through the SMS backend (stepwell.messaging.sms).

The delivery claims the message first (a short lease on `next_attempt_at`, so two workers
never send it twice), sends outside any database transaction, then records what happened:
- sent: `sent_at`, the provider's id; a safety page marks its OnCallPage delivered;
- bounced: the server or provider refused the address or the message for good (SMTP 5xx,
  a provider's 4xx): no retry;
- otherwise the attempt is counted and the message waits STEPWELL_MESSAGE_RETRY_MINUTES,
  doubled after each try, until STEPWELL_MESSAGE_ATTEMPTS tries have failed: failed.
Once sent, bounced or failed, the link is taken out of the kept body.
"""

from __future__ import annotations

import logging
import re
import smtplib
from datetime import datetime, timedelta

from django.conf import settings
from django.core.mail import EmailMessage
from django.utils import timezone

from .models import Channel, Message, MessageState
from .sms import SmsRejected, SmsUnavailable, TextMessage, sms_backend

logger = logging.getLogger(__name__)
LEASE = timedelta(minutes=10)
LINK = re.compile(r"https?://\S+")


class Bounced(Exception):
    """Refused for good: no retry."""


class TryLater(Exception):
    """Not delivered now; another attempt may work."""


def max_attempts() -> int:
    return max(1, int(getattr(settings, "STEPWELL_MESSAGE_ATTEMPTS", 5)))


def retry_delay(attempts: int) -> timedelta:
    minutes = max(1, int(getattr(settings, "STEPWELL_MESSAGE_RETRY_MINUTES", 5)))
    return timedelta(minutes=minutes * 2 ** max(0, attempts - 1))


def _smtp_code(error: smtplib.SMTPException) -> int | None:
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _ in error.recipients.values()]
        return min(codes) if codes else None
    return getattr(error, "smtp_code", None)


def _send_email(message: Message) -> str:
    email = EmailMessage(
        subject=message.subject,
        body=message.body,
        to=[message.address],
        from_email=settings.DEFAULT_FROM_EMAIL,
    )
    try:
        email.send(fail_silently=False)
    except smtplib.SMTPException as error:
        code = _smtp_code(error)
        text = f"SMTP {code or ''}: {error}".strip()[:250]
        if code is not None and 500 <= code < 600:
            raise Bounced(text) from error
        raise TryLater(text) from error
    except OSError as error:  # connection refused, timeout, DNS
        raise TryLater(f"No answer from the mail server: {error}"[:250]) from error
    return ""


def _send_text(message: Message) -> str:
    try:
        return sms_backend().send(TextMessage(to=message.address, body=message.body))
    except SmsRejected as error:
        raise Bounced(str(error)) from error
    except SmsUnavailable as error:
        raise TryLater(str(error)) from error


def _claim(message_id: int, now: datetime) -> Message | None:
    claimed = Message.objects.filter(
        pk=message_id, state=MessageState.QUEUED, next_attempt_at__lte=now
    ).update(next_attempt_at=now + LEASE)
    return Message.objects.get(pk=message_id) if claimed else None


def _finish_body(message: Message) -> None:
    message.body = LINK.sub("[link removed]", message.body)
    message.link_removed = True


def message_deliver(message_id: int, *, now: datetime | None = None) -> Message | None:
    """Try to deliver the message once, if it is due; None when it was not due or taken."""
    now = now or timezone.now()
    message = _claim(message_id, now)
    if message is None:
        return None
    message.attempts += 1
    try:
        send = _send_email if message.channel == Channel.EMAIL else _send_text
        message.provider_id = send(message)[:100]
    except Bounced as error:
        message.state = MessageState.BOUNCED
        message.last_error = str(error)[:300]
        message.next_attempt_at = None
        _finish_body(message)
    except TryLater as error:
        message.last_error = str(error)[:300]
        if message.attempts >= max_attempts():
            message.state = MessageState.FAILED
            message.next_attempt_at = None
            _finish_body(message)
        else:
            message.next_attempt_at = now + retry_delay(message.attempts)
    else:
        message.state = MessageState.SENT
        message.sent_at = now
        message.next_attempt_at = None
        message.last_error = ""
        _finish_body(message)
    message.save()
    if message.state == MessageState.SENT:
        _after_sent(message)
    if message.state != MessageState.SENT:
        logger.warning(
            "Message %s not delivered (%s): %s", message.pk, message.state, message.last_error
        )
    return message


def _after_sent(message: Message) -> None:
    """A safety page that went out marks its OnCallPage delivered."""
    kind, _, pk = message.related.partition(":")
    if kind == "on_call_page" and pk.isdigit():
        from stepwell.measures.models import OnCallPage

        OnCallPage.objects.filter(pk=int(pk), delivered_at__isnull=True).update(
            delivered_at=message.sent_at
        )


def due_message_ids(now: datetime) -> list[int]:
    return list(
        Message.objects.filter(state=MessageState.QUEUED, next_attempt_at__lte=now)
        .order_by("next_attempt_at", "pk")
        .values_list("pk", flat=True)[:500]
    )


def outbox_sweep(*, now: datetime | None = None) -> int:
    """Deliver every message that is due (new ones whose job was lost, and retries)."""
    now = now or timezone.now()
    done = 0
    for pk in due_message_ids(now):
        if message_deliver(pk, now=now) is not None:
            done += 1
    return done
