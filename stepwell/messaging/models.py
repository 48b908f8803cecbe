"""The outbox: every message Stepwell sends, and how each patient wants to be reached.

A message is written (queued) in the transaction of the use case that sends it, and a
background job delivers it after the commit (tasks.py). Its state says what happened:
queued (waiting, or waiting to try again), sent, failed (gave up after the retries) or
bounced (the server or provider refused the address: no retry). Once a message is sent,
failed or bounced, its body is replaced by a copy with the link taken out, so the outbox
never keeps a working one-time link.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from stepwell.patients.models import Patient


class Channel(models.TextChoices):
    EMAIL = "email", "Email"
    TEXT = "text", "Text message"


class Preference(models.TextChoices):
    EMAIL = "email", "Email"
    TEXT = "text", "Text message"
    NONE = "none", "Neither: no messages"


class MessageState(models.TextChoices):
    QUEUED = "queued", "Queued"
    SENT = "sent", "Sent"
    FAILED = "failed", "Failed"
    BOUNCED = "bounced", "Bounced"


class MessagePurpose(models.TextChoices):
    PORTAL_INVITE = "portal_invite", "Portal invitation"
    QUESTIONNAIRE = "questionnaire", "Questionnaire link"
    FOLLOW_UP = "follow_up", "Follow-up link"
    APPOINTMENT_REMINDER = "appointment_reminder", "Appointment reminder"
    ALUMNI_EVENT = "alumni_event", "Alumni event reminder"
    SAFETY_PAGE = "safety_page", "Safety alert page to the on-call clinician"
    RECORD_NOTICE = "record_notice", "Notice about the patient's record"


class ContactPreference(models.Model):
    """How the patient wants messages, and whether they want reminders (opt-in)."""

    patient = models.OneToOneField(
        Patient, on_delete=models.CASCADE, related_name="contact_preference"
    )
    channel = models.CharField(max_length=8, choices=Preference.choices)
    reminders = models.BooleanField(
        default=False, help_text="Appointment reminders the day before (opt-in)."
    )
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    def __str__(self) -> str:
        return f"patient {self.patient_id}: {self.channel}"


class Message(models.Model):
    patient = models.ForeignKey(
        Patient, on_delete=models.PROTECT, null=True, blank=True, related_name="messages"
    )
    staff = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    purpose = models.CharField(max_length=32, choices=MessagePurpose.choices)
    channel = models.CharField(max_length=8, choices=Channel.choices)
    address = models.CharField(max_length=254)
    subject = models.CharField(max_length=200, blank=True)
    body = models.TextField()
    link_removed = models.BooleanField(default=False)
    state = models.CharField(
        max_length=8, choices=MessageState.choices, default=MessageState.QUEUED
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=300, blank=True)
    provider_id = models.CharField(max_length=100, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField()
    created_by = models.CharField(max_length=150, help_text="Username or system job.")
    related = models.CharField(
        max_length=64, blank=True, help_text='What the message is about, e.g. "on_call_page:7".'
    )
    dedupe_key = models.CharField(max_length=100, null=True, blank=True, unique=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["state", "next_attempt_at"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(patient__isnull=False) | Q(staff__isnull=False),
                name="message_has_a_recipient",
            ),
            models.CheckConstraint(
                condition=~Q(state="sent") | Q(sent_at__isnull=False),
                name="message_sent_has_time",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_purpose_display()} by {self.channel} ({self.state})"
