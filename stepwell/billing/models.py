"""Payers and the patient's coverages: who pays, under which rules.

A payer's rules decide what a week of treatment must hold (its hours rule and the
rule's numbers) and, later, how a day is billed. The rules differ by payer
(docs/clinical-sources.md §2), so they are data here, not constants in code; a new
payer starts from its rule's defaults (care/hours.py RULE_DEFAULTS). Patients without
coverage, or paying themselves, follow their program's own rule (ProgramHoursRule).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from stepwell.clinic.models import Program
from stepwell.patients.models import Patient


class PayerKind(models.TextChoices):
    MEDICARE = "medicare", "Medicare"
    MEDICAID = "medicaid", "Medicaid"
    COMMERCIAL = "commercial", "Commercial"
    SELF_PAY = "self_pay", "Self-pay"


class HoursRule(models.TextChoices):
    """Which weekly-hours rule a payer applies (docs/clinical-sources.md §2)."""

    H0015 = "h0015", "H0015 per diem: at least 3 hours a day on at least 3 days a week"
    MEDICARE_IOP = "medicare_iop", "Medicare IOP: at least 9 hours a week, services per day"
    S9480 = "s9480", "S9480 per diem: the payer's own day and week minimums"
    PROGRAM_DEFAULT = "program_default", "The program's own weekly window"


class Payer(models.Model):
    name = models.CharField(max_length=200, unique=True)
    kind = models.CharField(max_length=16, choices=PayerKind.choices)
    hours_rule = models.CharField(
        max_length=24, choices=HoursRule.choices, default=HoursRule.PROGRAM_DEFAULT
    )
    min_weekly_minutes = models.PositiveIntegerField(
        null=True, blank=True, help_text="Minutes a week. Blank: the program's weekly minimum."
    )
    min_daily_minutes = models.PositiveIntegerField(
        null=True,
        blank=True,
        help_text="A day of group programming under this many minutes is a short day. "
        "Blank: no daily minimum.",
    )
    min_days = models.PositiveSmallIntegerField(
        default=0, help_text="Counted days a week the rule asks for (0: none)."
    )
    day_counts_from_minutes = models.PositiveIntegerField(
        default=90, help_text="A day counts toward the days a week from this many minutes."
    )

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind__in=PayerKind.values), name="payer_kind_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(hours_rule__in=HoursRule.values), name="payer_hours_rule_valid"
            ),
            models.CheckConstraint(condition=models.Q(min_days__lte=7), name="payer_min_days_week"),
            models.CheckConstraint(
                condition=models.Q(day_counts_from_minutes__gte=1),
                name="payer_day_counts_positive",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class CoveragePriority(models.TextChoices):
    PRIMARY = "primary", "Primary"
    SECONDARY = "secondary", "Secondary"
    TERTIARY = "tertiary", "Tertiary"


class SubscriberRelationship(models.TextChoices):
    SELF = "self", "Self"
    SPOUSE = "spouse", "Spouse or partner"
    CHILD = "child", "Child"
    OTHER = "other", "Other"


class Coverage(models.Model):
    """One insurance coverage of a patient, primary or secondary, over a date range."""

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="coverages")
    payer = models.ForeignKey(Payer, on_delete=models.PROTECT, related_name="coverages")
    priority = models.CharField(
        max_length=16, choices=CoveragePriority.choices, default=CoveragePriority.PRIMARY
    )
    plan_name = models.CharField(max_length=200, blank=True)
    member_id = models.CharField(max_length=64, blank=True)
    group_number = models.CharField(max_length=64, blank=True)
    subscriber_name = models.CharField(max_length=200, blank=True)
    subscriber_relationship = models.CharField(
        max_length=16, choices=SubscriberRelationship.choices, default=SubscriberRelationship.SELF
    )
    effective_from = models.DateField(null=True, blank=True)
    effective_to = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )

    class Meta:
        ordering = ["patient", "priority", "-effective_from", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(priority__in=CoveragePriority.values),
                name="coverage_priority_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(effective_to__isnull=True)
                | models.Q(effective_from__isnull=True)
                | models.Q(effective_to__gte=models.F("effective_from")),
                name="coverage_dates_ordered",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.payer} ({self.get_priority_display()})"

    def covers(self, day) -> bool:
        if self.effective_from and day < self.effective_from:
            return False
        return not (self.effective_to and day > self.effective_to)


class ProgramHoursRule(models.Model):
    """A program's own rule for patients without coverage or paying themselves.

    The weekly minimum is the program's; this adds the day rule the program keeps (for
    example three days of at least three hours). The optimizer also plans every patient
    to it, together with their payer's rule (schedule/planning.py).
    """

    program = models.OneToOneField(Program, on_delete=models.CASCADE, related_name="hours_rule")
    min_daily_minutes = models.PositiveIntegerField(
        null=True,
        blank=True,
        help_text="A day of group programming under this many minutes is a short day. "
        "Blank: no daily minimum.",
    )
    min_days = models.PositiveSmallIntegerField(
        default=0, help_text="Counted days a week (0: none)."
    )
    day_counts_from_minutes = models.PositiveIntegerField(
        default=90, help_text="A day counts toward the days a week from this many minutes."
    )

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(min_days__lte=7), name="program_hours_min_days_week"
            ),
            models.CheckConstraint(
                condition=models.Q(day_counts_from_minutes__gte=1),
                name="program_hours_day_counts_positive",
            ),
        ]

    def __str__(self) -> str:
        return f"Hours rule of {self.program}"
