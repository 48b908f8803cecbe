"""Follow-ups after discharge: each program's follow-up settings, the follow-ups due at
30, 60 and 90 days (by default) with their attempts, one-time links and results, and the
readmissions linked to the earlier episode.

A follow-up's questionnaire scores are kept here, not as measures administrations of the
episode: a score months after discharge is not the score at discharge, which the outcome
reports read from the episode's administrations.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q

from stepwell.clinic.models import Program
from stepwell.patients.models import Episode, Patient

from .rules import DEFAULT_MAX_ATTEMPTS, DEFAULT_WAIT_DAYS, EMPLOYMENT_LABELS, Employment


class FollowUpPolicy(models.Model):
    """A program's follow-up settings; a program without one uses the defaults."""

    program = models.OneToOneField(
        Program, on_delete=models.CASCADE, related_name="follow_up_policy"
    )
    days = models.JSONField(help_text="Days after discharge, sorted: [30, 60, 90].")
    instruments = models.JSONField(help_text="Instrument keys: ['phq9', 'gad7'].")
    max_attempts = models.PositiveSmallIntegerField(default=DEFAULT_MAX_ATTEMPTS)
    wait_days = models.PositiveSmallIntegerField(default=DEFAULT_WAIT_DAYS)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(max_attempts__gte=1, max_attempts__lte=10),
                name="follow_up_policy_attempts_range",
            ),
            models.CheckConstraint(
                condition=Q(wait_days__gte=1, wait_days__lte=60),
                name="follow_up_policy_wait_range",
            ),
        ]

    def __str__(self) -> str:
        return f"follow-ups of {self.program}"


class FollowUpStatus(models.TextChoices):
    DUE = "due", "Due"
    SENT = "sent", "Sent"
    COMPLETED = "completed", "Completed"
    UNREACHABLE = "unreachable", "Unreachable"


class FollowUpMethod(models.TextChoices):
    LINK = "link", "One-time link"
    PHONE = "phone", "Phone call by staff"


class FollowUp(models.Model):
    """One check-in after discharge, due a number of days after the discharge day."""

    episode = models.ForeignKey(Episode, on_delete=models.PROTECT, related_name="follow_ups")
    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="follow_ups")
    program = models.ForeignKey(Program, on_delete=models.PROTECT, related_name="follow_ups")
    days_after_discharge = models.PositiveSmallIntegerField()
    due_on = models.DateField(help_text="Program-local date.")
    instruments = models.JSONField(help_text="What it asks, fixed when it is created.")
    status = models.CharField(
        max_length=16, choices=FollowUpStatus.choices, default=FollowUpStatus.DUE
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    method = models.CharField(max_length=8, choices=FollowUpMethod.choices, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    in_treatment = models.BooleanField(null=True)
    in_treatment_where = models.CharField(max_length=200, blank=True)
    readmitted_higher_level = models.BooleanField(null=True)
    days_of_use_last_30 = models.PositiveSmallIntegerField(null=True, blank=True)
    employment = models.CharField(
        max_length=16, choices=[(e.value, EMPLOYMENT_LABELS[e]) for e in Employment], blank=True
    )
    safety_answer = models.BooleanField(
        default=False, help_text="A questionnaire answer asks for a call today."
    )
    recorded_by = models.CharField(max_length=150, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["episode", "days_after_discharge"], name="follow_up_once_per_day"
            ),
            models.CheckConstraint(
                condition=Q(status__in=FollowUpStatus.values), name="follow_up_status_valid"
            ),
            models.CheckConstraint(
                condition=~Q(status="completed") | (Q(completed_at__isnull=False) & ~Q(method="")),
                name="follow_up_completed_has_time",
            ),
        ]
        indexes = [models.Index(fields=["program", "status", "due_on"])]
        ordering = ["due_on", "pk"]

    def __str__(self) -> str:
        return f"{self.days_after_discharge}-day follow-up of episode {self.episode_id}"


class FollowUpScore(models.Model):
    """One questionnaire answered at a follow-up, scored by the measures engine."""

    follow_up = models.ForeignKey(FollowUp, on_delete=models.CASCADE, related_name="scores")
    instrument_key = models.CharField(max_length=64)
    instrument_version = models.CharField(max_length=32)
    answers = models.JSONField()
    total = models.IntegerField(null=True)
    band = models.CharField(max_length=64, blank=True)
    flags = models.JSONField(default=list)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["follow_up", "instrument_key"], name="follow_up_score_once"
            )
        ]
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"{self.instrument_key} at follow-up {self.follow_up_id}"


class AttemptOutcome(models.TextChoices):
    LINK_SENT = "link_sent", "Link sent"
    NO_ANSWER = "no_answer", "Called, nobody reached"
    REACHED = "reached", "Called and answered"


class FollowUpAttempt(models.Model):
    """A try at reaching the person: a link sent, or a phone call."""

    follow_up = models.ForeignKey(FollowUp, on_delete=models.CASCADE, related_name="tries")
    outcome = models.CharField(max_length=16, choices=AttemptOutcome.choices)
    note = models.CharField(max_length=300, blank=True)
    at = models.DateTimeField()
    by = models.CharField(max_length=150, help_text="Username or system job.")

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.get_outcome_display()} for follow-up {self.follow_up_id}"


class FollowUpLink(models.Model):
    """A one-time link that opens one follow-up without a login. Only the SHA-256 hash of
    its token is stored (measures.models.token_hash); the page shows no name."""

    follow_up = models.ForeignKey(FollowUp, on_delete=models.CASCADE, related_name="links")
    token_hash = models.CharField(max_length=64, unique=True)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"link for follow-up {self.follow_up_id}"


class Readmission(models.Model):
    """A later admission of the same patient to the same program, linked to the episode
    it follows."""

    episode = models.OneToOneField(Episode, on_delete=models.PROTECT, related_name="readmission")
    earlier_episode = models.ForeignKey(
        Episode, on_delete=models.PROTECT, related_name="readmissions_after"
    )
    days_after_discharge = models.PositiveIntegerField()
    detected_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-detected_at"]

    def __str__(self) -> str:
        return f"episode {self.episode_id} readmits after {self.earlier_episode_id}"
