"""What `stepwell daily` ran: one row per job, program and local date.

The unique constraints are the lock between servers: two `stepwell daily` started at once
both try to insert the row, and only one insert succeeds, so only one of them runs the job.
A clinic-wide job (no program) has its own constraint, since NULLs never collide.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q

from stepwell.clinic.models import Program


class DailyRunStatus(models.TextChoices):
    RUNNING = "running", "Running"
    DONE = "done", "Done"
    FAILED = "failed", "Failed"


class DailyRun(models.Model):
    job = models.CharField(max_length=64)
    program = models.ForeignKey(
        Program, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    local_date = models.DateField(help_text="The program's date (its time zone) the job ran for.")
    status = models.CharField(max_length=16, choices=DailyRunStatus.choices)
    attempts = models.PositiveIntegerField(default=1)
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    runner = models.CharField(max_length=200, blank=True, help_text="host:process id")
    summary = models.CharField(max_length=500, blank=True)
    error = models.TextField(blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["job", "program", "local_date"],
                condition=Q(program__isnull=False),
                name="daily_run_once_per_program_day",
            ),
            models.UniqueConstraint(
                fields=["job", "local_date"],
                condition=Q(program__isnull=True),
                name="daily_run_once_per_clinic_day",
            ),
        ]
        ordering = ["-local_date", "job", "program_id"]

    def __str__(self) -> str:
        where = f"program {self.program_id}" if self.program_id else "clinic-wide"
        return f"{self.job} {where} {self.local_date}: {self.status}"
