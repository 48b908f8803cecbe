"""The program calendar: rooms, recurring group sessions, occurrences, enrolments,
individual and medication appointments, staff availability and leave.

Double booking is impossible in the database: every booked minute of a patient, a staff
member or a room claims its 5-minute slots in `BookingClaim`, whose unique constraint
refuses a second claim on the same slot, on SQLite and PostgreSQL alike, also when two
requests race. Group capacity is a check constraint on a counter updated with F().
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from stepwell.clinic.models import Program, Site
from stepwell.patients.models import Patient

CLAIM_MINUTES = 5


class SessionKind(models.TextChoices):
    PROCESS_GROUP = "process_group", "Process group"
    PSYCHOEDUCATION = "psychoeducation", "Psychoeducation"
    SKILLS_GROUP = "skills_group", "Skills group"
    FAMILY_GROUP = "family_group", "Family group"
    ALUMNI_GROUP = "alumni_group", "Alumni group"


class Weekday(models.IntegerChoices):
    MON = 0, "Monday"
    TUE = 1, "Tuesday"
    WED = 2, "Wednesday"
    THU = 3, "Thursday"
    FRI = 4, "Friday"
    SAT = 5, "Saturday"
    SUN = 6, "Sunday"


class Room(models.Model):
    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="rooms")
    name = models.CharField(max_length=100)
    capacity = models.PositiveIntegerField(default=14)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["site", "name"], name="room_name_unique")]
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class CurriculumModule(models.Model):
    """A psychoeducation module; the modules of a program cycle in `position` order."""

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="curriculum")
    position = models.PositiveIntegerField()
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["program", "position"], name="curriculum_position_unique"
            )
        ]
        ordering = ["program", "position"]

    def __str__(self) -> str:
        return f"{self.position}. {self.title}"


class GroupSeries(models.Model):
    """A recurring group session, e.g. 'Process group, Mon/Wed 09:00-10:30'."""

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="group_series")
    kind = models.CharField(max_length=32, choices=SessionKind.choices)
    title = models.CharField(max_length=200)
    track = models.CharField(max_length=32, default="all", help_text="'all' or a program track.")
    facilitators = models.ManyToManyField(
        settings.AUTH_USER_MODEL, related_name="facilitated_series"
    )
    room = models.ForeignKey(Room, on_delete=models.PROTECT, null=True, blank=True)
    telehealth_url = models.URLField(blank=True)
    capacity = models.PositiveIntegerField(default=12)
    start_time = models.TimeField(help_text="Local time in the program's time zone.")
    duration_minutes = models.PositiveIntegerField()
    recurrence = models.CharField(
        max_length=300, help_text="RFC 5545 RRULE, e.g. FREQ=WEEKLY;BYDAY=MO,WE"
    )
    starts_on = models.DateField()
    ends_on = models.DateField(null=True, blank=True)
    excluded_dates = models.JSONField(
        default=list, blank=True, help_text="Dates (YYYY-MM-DD) with no session."
    )
    active = models.BooleanField(default=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(duration_minutes__gte=15), name="series_duration_min"
            ),
            models.CheckConstraint(
                condition=models.Q(capacity__gte=1), name="series_capacity_positive"
            ),
        ]
        ordering = ["program", "start_time"]
        verbose_name = "recurring group"
        verbose_name_plural = "recurring groups"

    def __str__(self) -> str:
        return self.title


class Holiday(models.Model):
    """A day the program does not meet; no occurrence is generated on it."""

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="holidays")
    date = models.DateField()
    name = models.CharField(max_length=100)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["program", "date"], name="holiday_unique")]

    def __str__(self) -> str:
        return f"{self.name} ({self.date})"


class OccurrenceStatus(models.TextChoices):
    SCHEDULED = "scheduled", "Scheduled"
    CANCELLED = "cancelled", "Cancelled by program"


class SessionOccurrence(models.Model):
    """One meeting of a group on one day (times in UTC)."""

    series = models.ForeignKey(
        GroupSeries, on_delete=models.PROTECT, related_name="occurrences", null=True, blank=True
    )
    program = models.ForeignKey(Program, on_delete=models.PROTECT, related_name="occurrences")
    kind = models.CharField(max_length=32, choices=SessionKind.choices)
    title = models.CharField(max_length=200)
    track = models.CharField(max_length=32, default="all")
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    room = models.ForeignKey(Room, on_delete=models.PROTECT, null=True, blank=True)
    telehealth_url = models.URLField(blank=True)
    capacity = models.PositiveIntegerField(default=12)
    enrolled_count = models.PositiveIntegerField(default=0)
    curriculum_module = models.ForeignKey(
        CurriculumModule, on_delete=models.SET_NULL, null=True, blank=True
    )
    facilitators = models.ManyToManyField(
        settings.AUTH_USER_MODEL, related_name="facilitated_occurrences"
    )
    status = models.CharField(
        max_length=16, choices=OccurrenceStatus.choices, default=OccurrenceStatus.SCHEDULED
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["series", "starts_at"], name="occurrence_unique_per_series"
            ),
            models.CheckConstraint(
                condition=models.Q(starts_at__lt=models.F("ends_at")),
                name="occurrence_start_before_end",
            ),
            models.CheckConstraint(
                condition=models.Q(enrolled_count__lte=models.F("capacity")),
                name="occurrence_within_capacity",
            ),
        ]
        indexes = [models.Index(fields=["program", "starts_at"])]
        ordering = ["starts_at"]

    def __str__(self) -> str:
        return f"{self.title} {self.starts_at:%Y-%m-%d %H:%M}Z"

    @property
    def minutes(self) -> int:
        return int((self.ends_at - self.starts_at).total_seconds() // 60)


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


class StaffAvailability(models.Model):
    """When a staff member works, each week, in the program's local time."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="availability"
    )
    weekday = models.PositiveSmallIntegerField(choices=Weekday.choices)
    start = models.TimeField()
    end = models.TimeField()

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(start__lt=models.F("end")), name="staff_availability_ordered"
            )
        ]
        ordering = ["user", "weekday", "start"]
        verbose_name = "staff working hours"
        verbose_name_plural = "staff working hours"

    def __str__(self) -> str:
        return f"{self.user} {self.get_weekday_display()} {self.start:%H:%M}-{self.end:%H:%M}"


class StaffLeave(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="leave"
    )
    starts_on = models.DateField()
    ends_on = models.DateField()
    reason = models.CharField(max_length=200, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(starts_on__lte=models.F("ends_on")), name="leave_ordered"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} away {self.starts_on}..{self.ends_on}"


class StaffSchedulingProfile(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="scheduling_profile"
    )
    max_individual_minutes = models.PositiveIntegerField(
        default=1200, help_text="Individual/medication minutes a week."
    )

    def __str__(self) -> str:
        return f"{self.user}: {self.max_individual_minutes} min/week"


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
