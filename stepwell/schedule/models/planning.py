"""An optimizer run of a program week: what was asked, its progress and its result."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from stepwell.clinic.models import Program


class PlanRunStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    DONE = "done", "Done"
    FAILED = "failed", "Failed"
    ACCEPTED = "accepted", "Accepted"


class PlanRunMode(models.TextChoices):
    """What a run may change in a week that already has bookings."""

    KEEP = "keep", "Keep everyone's bookings; plan only patients without any"
    FIT = "fit", "Fit chosen patients into the week; change no one else"
    FULL = "full", "Re-plan everyone (booked patients may move)"


class SchedulePlanRun(models.Model):
    """One optimizer run for a program and ISO week; the page polls its progress."""

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="plan_runs")
    week = models.CharField(max_length=8, help_text="ISO week, e.g. 2026-W50")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(
        max_length=16, choices=PlanRunStatus.choices, default=PlanRunStatus.QUEUED
    )
    mode = models.CharField(max_length=8, choices=PlanRunMode.choices, default=PlanRunMode.KEEP)
    # the patients a "fit" run places (patient pks); everyone else stays as booked
    fit_patient_ids = models.JSONField(default=list, blank=True)
    progress = models.PositiveSmallIntegerField(default=0)
    message = models.CharField(max_length=300, blank=True)
    instance = models.JSONField(default=dict, blank=True)
    plan = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    accepted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.program} {self.week} ({self.status})"
