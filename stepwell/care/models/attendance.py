"""Attendance: who came to a session or appointment, for how long, and every change to it."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from stepwell.care.attendance.states import STATUS_LABELS, AttendanceStatus
from stepwell.patients.models import Patient
from stepwell.schedule.models import Appointment, SessionOccurrence

ATTENDANCE_CHOICES = [(s.value, STATUS_LABELS[s]) for s in AttendanceStatus]


class AttendanceSource(models.TextChoices):
    SCHEDULED = "scheduled", "On the schedule"
    WALK_IN = "walk_in", "Walk-in / late joiner"


class Attendance(models.Model):
    """One patient's attendance at one group occurrence or one appointment."""

    occurrence = models.ForeignKey(
        SessionOccurrence,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="attendance",
    )
    appointment = models.ForeignKey(
        Appointment, on_delete=models.PROTECT, null=True, blank=True, related_name="attendance"
    )
    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="attendance")
    status = models.CharField(
        max_length=24, choices=ATTENDANCE_CHOICES, default=AttendanceStatus.EXPECTED
    )
    source = models.CharField(
        max_length=16, choices=AttendanceSource.choices, default=AttendanceSource.SCHEDULED
    )
    check_in_at = models.DateTimeField(null=True, blank=True)
    check_out_at = models.DateTimeField(null=True, blank=True)
    minutes_attended = models.PositiveIntegerField(default=0)
    session_starts_at = models.DateTimeField(help_text="Copied from the session, UTC.")
    session_ends_at = models.DateTimeField()
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    recorded_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(occurrence__isnull=False) & models.Q(appointment__isnull=True))
                | (models.Q(occurrence__isnull=True) & models.Q(appointment__isnull=False)),
                name="attendance_one_session",
            ),
            models.UniqueConstraint(
                fields=["occurrence", "patient"],
                condition=models.Q(occurrence__isnull=False),
                name="attendance_once_per_occurrence",
            ),
            models.UniqueConstraint(
                fields=["appointment", "patient"],
                condition=models.Q(appointment__isnull=False),
                name="attendance_once_per_appointment",
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=[s.value for s in AttendanceStatus]),
                name="attendance_status_valid",
            ),
        ]
        indexes = [models.Index(fields=["patient", "session_starts_at"])]
        ordering = ["patient__legal_last_name", "patient__legal_first_name", "pk"]

    def __str__(self) -> str:
        return f"{self.patient} {self.get_status_display()}"

    @property
    def session(self):
        return self.occurrence or self.appointment


class AttendanceChange(models.Model):
    """History: every change of status or times, who made it, when and why."""

    attendance = models.ForeignKey(Attendance, on_delete=models.PROTECT, related_name="changes")
    from_status = models.CharField(max_length=24, choices=ATTENDANCE_CHOICES)
    to_status = models.CharField(max_length=24, choices=ATTENDANCE_CHOICES)
    from_check_in_at = models.DateTimeField(null=True, blank=True)
    to_check_in_at = models.DateTimeField(null=True, blank=True)
    from_check_out_at = models.DateTimeField(null=True, blank=True)
    to_check_out_at = models.DateTimeField(null=True, blank=True)
    is_correction = models.BooleanField(
        default=False, help_text="Changed after the session ended or after it was first taken."
    )
    reason = models.TextField(blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    changed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["changed_at", "pk"]

    def __str__(self) -> str:
        return f"{self.from_status} -> {self.to_status}"
