"""The daily jobs of the outbox, as plain functions of the day they run for, so a daily
runner can call them: each acts as its named system actor.

- appointment_reminders(today): queue the reminders for the sessions of the day after
  `today`, to the patients who asked for them (reminders.py; a second run sends nothing
  twice).
- outbox_retry(today): deliver every queued message that is due (retries after a failed
  try, and messages whose delivery job was lost).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time

from django.utils import timezone

from stepwell.privacy.access.messaging import REMINDER_JOB
from stepwell.privacy.actors import system_actor

from . import delivery
from .reminders import appointment_reminders_queue


def _moment(today: date) -> datetime:
    """Now, when `today` is today; else noon UTC of `today` (a replay of another day)."""
    now = timezone.now()
    if now.astimezone(UTC).date() == today:
        return now
    return datetime.combine(today, time(12, 0), tzinfo=UTC)


def appointment_reminders(today: date) -> int:
    queued = appointment_reminders_queue(actor=system_actor(REMINDER_JOB), now=_moment(today))
    return len(queued)


def outbox_retry(today: date) -> int:
    return delivery.outbox_sweep(now=_moment(today))
