"""Bulk exports: one row per program export, polled while the background job runs."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from stepwell.clinic.models import Program


class BulkExportStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    DONE = "done", "Done"
    FAILED = "failed", "Failed"
    EXPIRED = "expired", "Expired (files deleted)"


class BulkExport(models.Model):
    """A program's patients as NDJSON files, one per resource type.

    Asked for by a program director through the API (`requested_by`), or run from the
    shell as a named system job (`system_job`, no user). Files asked for through the API
    live under STEPWELL_EXPORT_DIR and are deleted STEPWELL_EXPORT_KEEP_HOURS after the job
    ends; a shell export writes to the folder the operator names and keeps no copy.
    """

    program = models.ForeignKey(Program, on_delete=models.PROTECT, related_name="+")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    system_job = models.CharField(max_length=200, blank=True)
    status = models.CharField(
        max_length=16, choices=BulkExportStatus.choices, default=BulkExportStatus.QUEUED
    )
    progress = models.PositiveSmallIntegerField(default=0)
    message = models.CharField(max_length=300, blank=True)
    directory = models.CharField(max_length=500, blank=True)
    output = models.JSONField(
        default=list, blank=True, help_text="[{type, file, count}], one per resource type."
    )
    patient_ids = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(requested_by__isnull=False) | ~models.Q(system_job=""),
                name="bulk_export_has_a_requester",
            ),
            models.CheckConstraint(
                condition=models.Q(progress__lte=100), name="bulk_export_progress_percent"
            ),
        ]

    def __str__(self) -> str:
        return f"FHIR export of {self.program} ({self.status})"
