"""Who is booked into the calendar: enrolments in group occurrences, individual and
medication appointments, the slot claims that keep them apart, and calendar feeds.

Double booking is impossible in the database: every booked minute of a patient, a staff
member or a room claims its 5-minute slots in `BookingClaim`, whose unique constraint
refuses a second claim on the same slot, on SQLite and PostgreSQL alike, also when two
requests race. Group capacity is a check constraint on a counter updated with F().
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from stepwell.clinic.models import Program
from stepwell.patients.models import Patient
from stepwell.schedule.models.calendar import OccurrenceStatus, Room, SessionOccurrence

CLAIM_MINUTES = 5


class BookingSource(models.TextChoices):
    OPTIMIZER = "optimizer", "Optimizer plan"
    MANUAL = "manual", "Manual booking"


class Enrollment(models.Model):
    occurrence = models.ForeignKey(
        SessionOccurrence, on_delete=models.CASCADE, related_name="enrollments"
    )
    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="enrollments")
    source = models.CharField(
        max_length=16, choices=BookingSource.choices, default=BookingSource.MANUAL
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["occurrence", "patient"], name="enrollment_unique")
        ]

    def __str__(self) -> str:
        return f"{self.patient} in {self.occurrence}"


class AppointmentKind(models.TextChoices):
    INDIVIDUAL = "individual", "Individual therapy"
    MEDICATION = "medication", "Medication management"


class Appointment(models.Model):
    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="appointments")
    staff = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="appointments"
    )
    program = models.ForeignKey(Program, on_delete=models.PROTECT, related_name="appointments")
    kind = models.CharField(max_length=16, choices=AppointmentKind.choices)
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    room = models.ForeignKey(Room, on_delete=models.PROTECT, null=True, blank=True)
    source = models.CharField(
        max_length=16, choices=BookingSource.choices, default=BookingSource.MANUAL
    )
    status = models.CharField(
        max_length=16, choices=OccurrenceStatus.choices, default=OccurrenceStatus.SCHEDULED
    )

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(starts_at__lt=models.F("ends_at")),
                name="appointment_start_before_end",
            ),
        ]
        ordering = ["starts_at"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.starts_at:%Y-%m-%d %H:%M}Z"

    @property
    def minutes(self) -> int:
        return int((self.ends_at - self.starts_at).total_seconds() // 60)


class ResourceType(models.TextChoices):
    PATIENT = "patient", "Patient"
    STAFF = "staff", "Staff member"
    ROOM = "room", "Room"


class BookingClaim(models.Model):
    """One 5-minute slot of one patient, staff member or room, held by one booking."""

    resource_type = models.CharField(max_length=8, choices=ResourceType.choices)
    resource_id = models.BigIntegerField()
    slot_start = models.DateTimeField()
    occurrence = models.ForeignKey(
        SessionOccurrence, on_delete=models.CASCADE, null=True, blank=True, related_name="claims"
    )
    appointment = models.ForeignKey(
        Appointment, on_delete=models.CASCADE, null=True, blank=True, related_name="claims"
    )
    enrollment = models.ForeignKey(
        Enrollment, on_delete=models.CASCADE, null=True, blank=True, related_name="claims"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["resource_type", "resource_id", "slot_start"],
                name="booking_claim_no_double_booking",
            ),
            models.CheckConstraint(
                condition=models.Q(occurrence__isnull=False) | models.Q(appointment__isnull=False),
                name="booking_claim_has_owner",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.resource_type}:{self.resource_id}@{self.slot_start:%Y-%m-%d %H:%M}"


class CalendarFeed(models.Model):
    """A secret, revocable iCalendar URL for a patient or a staff member."""

    token = models.CharField(max_length=64, unique=True)
    patient = models.ForeignKey(
        Patient, on_delete=models.CASCADE, null=True, blank=True, related_name="calendar_feeds"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="calendar_feeds",
    )
    show_details = models.BooleanField(
        default=False, help_text="Patient opted in to session titles in the feed."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(patient__isnull=False) & models.Q(user__isnull=True))
                | (models.Q(patient__isnull=True) & models.Q(user__isnull=False)),
                name="calendar_feed_one_owner",
            )
        ]

    def __str__(self) -> str:
        return f"feed {self.pk}"
