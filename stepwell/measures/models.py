"""Measurement-based care in the database: stored definitions, which instruments the clinic
uses, schedules, administrations, one-time questionnaire links, safety alerts and the pages
to the on-call clinician.

The scoring rules live in the pure engine (``instruments.py``, ``change.py``); these tables
keep what was asked, what was answered, the score the engine gave at the time, and what
the care team did about it.
"""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.db import models
from django.db.models import Q

from stepwell.clinic.models import Program
from stepwell.patients.models import Episode, Patient


class InstrumentDefinition(models.Model):
    """A licensed definition loaded with ``stepwell instruments load FILE``. Versioned:
    a new version is a new row, and administrations keep the version they were scored with."""

    key = models.CharField(max_length=64)
    version = models.CharField(max_length=32)
    name = models.CharField(max_length=200)
    abbreviation = models.CharField(max_length=40)
    definition = models.JSONField(help_text="The definition file as loaded (format 1).")
    loaded_at = models.DateTimeField(auto_now_add=True)
    loaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["key", "version"], name="instrument_definition_version_unique"
            )
        ]
        ordering = ["key", "-loaded_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.abbreviation} {self.version}"


class InstrumentSetting(models.Model):
    """Whether the clinic uses an instrument. Switched off, it cannot be scheduled, sent or
    administered (the reason is shown); its past administrations stay readable."""

    instrument_key = models.CharField(max_length=64, unique=True)
    enabled = models.BooleanField(default=True)
    reason = models.CharField(
        max_length=300,
        blank=True,
        help_text="Shown to staff when they try to use it, e.g. 'No CAMH licence for commercial use'.",
    )
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    changed_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["instrument_key"]

    def __str__(self) -> str:
        return f"{self.instrument_key}: {'in use' if self.enabled else 'switched off'}"


class ScheduleRule(models.Model):
    """When a program gives an instrument: at admission, every N days, at discharge."""

    program = models.ForeignKey(
        Program, on_delete=models.CASCADE, related_name="measurement_schedule"
    )
    instrument_key = models.CharField(max_length=64)
    at_admission = models.BooleanField(default=False)
    every_days = models.PositiveIntegerField(
        null=True, blank=True, help_text="Repeat every N days from admission (7 = weekly)."
    )
    at_discharge = models.BooleanField(default=False)
    active = models.BooleanField(default=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["program", "instrument_key"], name="schedule_rule_one_per_instrument"
            ),
            models.CheckConstraint(
                condition=Q(every_days__isnull=True) | Q(every_days__gte=1),
                name="schedule_rule_every_days_positive",
            ),
            models.CheckConstraint(
                condition=Q(at_admission=True) | Q(at_discharge=True) | Q(every_days__isnull=False),
                name="schedule_rule_has_a_time",
            ),
        ]
        ordering = ["program", "instrument_key"]

    def __str__(self) -> str:
        parts = []
        if self.at_admission:
            parts.append("at admission")
        if self.every_days:
            parts.append("weekly" if self.every_days == 7 else f"every {self.every_days} days")
        if self.at_discharge:
            parts.append("at discharge")
        return f"{self.instrument_key}: {', '.join(parts)}"


class AdministrationStatus(models.TextChoices):
    DUE = "due", "Due"
    COMPLETED = "completed", "Completed"
    # Submitted with items missing or invalid, kept because it carries a safety answer:
    # no total or band, the flags and the valid answers kept.
    INCOMPLETE = "incomplete", "Incomplete (safety answer kept)"
    MISSED = "missed", "Missed"
    CANCELLED = "cancelled", "Cancelled"


class AdministrationSource(models.TextChoices):
    CLINICIAN = "clinician", "Recorded by a clinician"
    LINK = "link", "One-time link"
    PORTAL = "portal", "Patient portal"


class Administration(models.Model):
    """One questionnaire for one patient: due (scheduled or sent), then completed and scored."""

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="administrations")
    episode = models.ForeignKey(
        Episode, on_delete=models.PROTECT, null=True, blank=True, related_name="administrations"
    )
    instrument_key = models.CharField(max_length=64)
    instrument_version = models.CharField(max_length=32, blank=True)
    status = models.CharField(
        max_length=16, choices=AdministrationStatus.choices, default=AdministrationStatus.DUE
    )
    occurrence = models.CharField(
        max_length=32,
        blank=True,
        help_text="Which scheduled occurrence this is (admission, day-14, discharge); blank when ad hoc.",
    )
    due_on = models.DateField(null=True, blank=True, help_text="Program-local date.")
    source = models.CharField(max_length=16, choices=AdministrationSource.choices, blank=True)
    answers = models.JSONField(null=True, blank=True, help_text="Item key -> answer value.")
    item_scores = models.JSONField(null=True, blank=True)
    total = models.IntegerField(null=True, blank=True)
    band = models.CharField(max_length=64, blank=True)
    suggested_band = models.CharField(
        max_length=64,
        blank=True,
        help_text="One band higher than the total's when item answers call for it (AUDIT).",
    )
    subscales = models.JSONField(null=True, blank=True)
    flags = models.JSONField(default=list, blank=True)
    problems = models.JSONField(
        default=list, blank=True, help_text="What was missing or invalid (incomplete only)."
    )
    completed_at = models.DateTimeField(null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=AdministrationStatus.values),
                name="administration_status_valid",
            ),
            models.CheckConstraint(
                condition=~Q(status__in=["completed", "incomplete"])
                | (Q(completed_at__isnull=False) & Q(answers__isnull=False)),
                name="administration_completed_has_answers",
            ),
            models.CheckConstraint(
                condition=~Q(status="incomplete") | Q(total__isnull=True, band=""),
                name="administration_incomplete_has_no_score",
            ),
            models.UniqueConstraint(
                fields=["episode", "instrument_key", "occurrence"],
                condition=~Q(occurrence=""),
                name="administration_occurrence_once",
            ),
        ]
        indexes = [models.Index(fields=["patient", "instrument_key", "completed_at"])]
        ordering = ["-completed_at", "-due_on", "-pk"]

    def __str__(self) -> str:
        return f"{self.instrument_key} for patient {self.patient_id} ({self.status})"


def token_hash(token: str) -> str:
    """What is stored of a one-time link's token: its SHA-256 hash."""
    return hashlib.sha256(token.encode()).hexdigest()


class QuestionnaireLink(models.Model):
    """A one-time link that opens one due questionnaire without a login.

    Only a SHA-256 hash of the token is stored; the token itself is shown once to the
    clinician who sends it.
    """

    administration = models.ForeignKey(
        Administration, on_delete=models.CASCADE, related_name="links"
    )
    token_hash = models.CharField(max_length=64, unique=True)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"link for administration {self.administration_id}"


class AlertKind(models.TextChoices):
    SUICIDE_RISK = "suicide_risk", "Suicide risk answer"
    # No longer raised: a severe score is a clinical finding for the care team (shown on
    # the chart and caseload), not a safety alert. Kept for the alerts raised before.
    SEVERE_BAND = "severe_band", "Severe score (now a clinical finding)"


class AlertStatus(models.TextChoices):
    OPEN = "open", "Open"
    ACKNOWLEDGED = "acknowledged", "Acknowledged"
    RECLASSIFIED = "reclassified", "Reclassified as a clinical finding"


class Alert(models.Model):
    """A safety alert raised by an administration, open until a clinician acknowledges it
    with a note of the action taken."""

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="measure_alerts")
    administration = models.ForeignKey(
        Administration, on_delete=models.PROTECT, related_name="alerts"
    )
    kind = models.CharField(max_length=32, choices=AlertKind.choices)
    reason = models.CharField(max_length=300)
    immediate = models.BooleanField(
        default=False,
        help_text="Needs an immediate response: the on-call clinician is paged and a banner "
        "shows on the program's staff pages until the alert is acknowledged.",
    )
    status = models.CharField(max_length=16, choices=AlertStatus.choices, default=AlertStatus.OPEN)
    created_at = models.DateTimeField(auto_now_add=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    action_note = models.TextField(blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["administration", "kind"], name="alert_one_per_kind_per_administration"
            ),
            models.CheckConstraint(
                condition=Q(status="open", acknowledged_at__isnull=True)
                | (
                    Q(status__in=["acknowledged", "reclassified"], acknowledged_at__isnull=False)
                    & ~Q(action_note="")
                ),
                name="alert_acknowledged_with_note",
            ),
        ]
        indexes = [models.Index(fields=["status", "immediate"])]
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} for patient {self.patient_id} ({self.status})"


class OnCallPageChannel(models.TextChoices):
    # Until messaging exists the page is the banner on the program's staff pages; a
    # messaging outbox will deliver pages by text or phone and set ``delivered_at``.
    BANNER = "banner", "Banner on the program's staff pages"


class OnCallPage(models.Model):
    """The record that the on-call clinician was paged for an immediate safety alert: who,
    when, through what. Written in the same transaction as the alert (an outbox row)."""

    alert = models.ForeignKey(Alert, on_delete=models.PROTECT, related_name="pages")
    program = models.ForeignKey(
        Program, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    clinician = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="Empty when the program has no on-call clinician set.",
    )
    channel = models.CharField(
        max_length=16, choices=OnCallPageChannel.choices, default=OnCallPageChannel.BANNER
    )
    paged_at = models.DateTimeField()
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-paged_at", "-pk"]

    def __str__(self) -> str:
        return f"page for alert {self.alert_id} to {self.clinician_id or 'nobody set'}"


class LinkLookupFailure(models.Model):
    """A one-time-link token that matched no usable link, by client address: guessing is
    throttled per address (the table keeps only the current window)."""

    client_address = models.CharField(max_length=64)
    occurred_at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["client_address", "occurred_at"])]

    def __str__(self) -> str:
        return f"failed link lookup from {self.client_address}"
