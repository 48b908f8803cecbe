"""The calendar's records: rooms, the curriculum, recurring group series, holidays, the
session occurrences they generate, and staff availability, leave and scheduling profiles."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from stepwell.clinic.models import Program, Site


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
