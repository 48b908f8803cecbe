"""Measurement-based care in the database: stored definitions, schedules, administrations,
one-time questionnaire links and safety alerts.

The scoring rules live in the pure engine (``instruments.py``, ``change.py``); these tables
keep what was asked, what was answered, the score the engine gave at the time, and what
the care team did about it.
"""

from __future__ import annotations

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
    subscales = models.JSONField(null=True, blank=True)
    flags = models.JSONField(default=list, blank=True)
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
                condition=~Q(status="completed")
                | (Q(completed_at__isnull=False) & Q(answers__isnull=False)),
                name="administration_completed_has_answers",
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
    SEVERE_BAND = "severe_band", "Severe score"


class AlertStatus(models.TextChoices):
    OPEN = "open", "Open"
    ACKNOWLEDGED = "acknowledged", "Acknowledged"


class Alert(models.Model):
    """A safety alert raised by an administration, open until a clinician acknowledges it
    with a note of the action taken."""

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="measure_alerts")
    administration = models.ForeignKey(
        Administration, on_delete=models.PROTECT, related_name="alerts"
    )
    kind = models.CharField(max_length=32, choices=AlertKind.choices)
    reason = models.CharField(max_length=300)
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
                | (Q(status="acknowledged", acknowledged_at__isnull=False) & ~Q(action_note="")),
                name="alert_acknowledged_with_note",
            ),
        ]
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} for patient {self.patient_id} ({self.status})"
