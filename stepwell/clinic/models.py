"""The clinic's structure: organization, sites, programs and who works where."""

from __future__ import annotations

import zoneinfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models

# Weekly hours of structured programming for ASAM Level 2.1 (IOP): 9-19 h for adults,
# 6-19 h for adolescents (Aetna's reproduction of the ASAM criteria; docs/clinical-sources.md
# §1.2). Programs may set their own window (payer/state rules).
ADULT_WEEKLY_MINUTES = (9 * 60, 19 * 60)
ADOLESCENT_WEEKLY_MINUTES = (6 * 60, 19 * 60)


def validate_timezone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(f"{value!r} is not an IANA time zone such as America/Chicago.")


class Track(models.TextChoices):
    MENTAL_HEALTH = "mental_health", "Mental health"
    SUBSTANCE_USE = "substance_use", "Substance use"
    DUAL_DIAGNOSIS = "dual_diagnosis", "Dual diagnosis"
    ADOLESCENT = "adolescent", "Adolescent"


class LevelOfCare(models.TextChoices):
    OUTPATIENT = "outpatient", "Outpatient"
    INTENSIVE_OUTPATIENT = "intensive_outpatient", "Intensive outpatient (IOP)"
    PARTIAL_HOSPITALIZATION = "partial_hospitalization", "Partial hospitalization (PHP)"
    RESIDENTIAL = "residential", "Residential"
    MEDICALLY_MONITORED_INPATIENT = (
        "medically_monitored_inpatient",
        "Medically monitored inpatient",
    )
    INPATIENT = "inpatient", "Inpatient"
    WITHDRAWAL_MANAGEMENT = "withdrawal_management", "Withdrawal management"


def default_weekly_minutes(track: str) -> tuple[int, int]:
    return ADOLESCENT_WEEKLY_MINUTES if track == Track.ADOLESCENT else ADULT_WEEKLY_MINUTES


class Organization(models.Model):
    name = models.CharField(max_length=200, unique=True)

    def __str__(self) -> str:
        return self.name


class Site(models.Model):
    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="sites")
    name = models.CharField(max_length=200)
    address = models.CharField(max_length=300, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organization", "name"], name="site_name_unique")
        ]

    def __str__(self) -> str:
        return self.name


class Program(models.Model):
    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="programs")
    name = models.CharField(max_length=200)
    track = models.CharField(max_length=32, choices=Track.choices)
    timezone = models.CharField(
        max_length=64, default="America/Chicago", validators=[validate_timezone]
    )
    level_of_care = models.CharField(
        max_length=32, choices=LevelOfCare.choices, default=LevelOfCare.INTENSIVE_OUTPATIENT
    )
    min_weekly_minutes = models.PositiveIntegerField(help_text="Minimum structured minutes a week.")
    max_weekly_minutes = models.PositiveIntegerField(help_text="Maximum structured minutes a week.")
    default_length_of_stay_days = models.PositiveIntegerField(default=56)
    part2_program = models.BooleanField(
        "42 CFR Part 2 program",
        default=False,
        help_text="A federally assisted substance-use program: its records are Part 2 records.",
    )
    on_call_clinician = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="Notified at once of a suicide-risk answer given away from the clinic.",
    )
    asq_in_session_only = models.BooleanField(
        "ASQ in session only",
        default=True,
        help_text="The ASQ suicide screen is given only in session, not by link or portal.",
    )
    offers_outpatient_withdrawal_care = models.BooleanField(
        default=False,
        help_text="The program's prescriber monitors mild to moderate withdrawal as an outpatient.",
    )
    attendance_grace_minutes = models.PositiveIntegerField(
        default=10,
        help_text="How many minutes before a session starts its attendance may be taken.",
    )
    staff = models.ManyToManyField(
        settings.AUTH_USER_MODEL, through="ProgramStaff", related_name="programs", blank=True
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["site", "name"], name="program_name_unique"),
            models.CheckConstraint(
                condition=models.Q(min_weekly_minutes__lte=models.F("max_weekly_minutes")),
                name="program_weekly_window_ordered",
            ),
            models.CheckConstraint(
                condition=models.Q(default_length_of_stay_days__gte=1),
                name="program_length_of_stay_positive",
            ),
        ]
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def weekly_hours_window(self) -> tuple[float, float]:
        return (self.min_weekly_minutes / 60, self.max_weekly_minutes / 60)


class ProgramStaff(models.Model):
    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="program_memberships"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["program", "user"], name="program_staff_unique")
        ]

    def __str__(self) -> str:
        return f"{self.user} in {self.program}"
