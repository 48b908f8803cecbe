"""A patient's coverages and the eligibility checks recorded against them."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from stepwell.patients.models import Patient

from .payers import Payer


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
    end_reason = models.CharField(max_length=200, blank=True)
    # The subscriber's address as the payer has it (claims need it in parts).
    address_line = models.CharField(max_length=55, blank=True)
    city = models.CharField(max_length=60, blank=True)
    state = models.CharField(max_length=2, blank=True)
    postal_code = models.CharField("ZIP code", max_length=10, blank=True)
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

    @property
    def address_complete(self) -> bool:
        return all((self.address_line, self.city, self.state, self.postal_code))

    @property
    def subscriber_is_patient(self) -> bool:
        return self.subscriber_relationship == SubscriberRelationship.SELF

    def covers(self, day) -> bool:
        if self.effective_from and day < self.effective_from:
            return False
        return not (self.effective_to and day > self.effective_to)


class EligibilityResult(models.TextChoices):
    ACTIVE = "active", "Active: coverage confirmed"
    INACTIVE = "inactive", "Not active"
    UNCONFIRMED = "unconfirmed", "Could not be confirmed"


class EligibilityMethod(models.TextChoices):
    PORTAL = "portal", "Payer's website"
    PHONE = "phone", "Phone call"
    CLEARINGHOUSE = "clearinghouse", "Clearinghouse check"


class EligibilityCheck(models.Model):
    """An eligibility check someone made with the payer (no live connection)."""

    coverage = models.ForeignKey(
        Coverage, on_delete=models.PROTECT, related_name="eligibility_checks"
    )
    checked_on = models.DateField()
    method = models.CharField(max_length=16, choices=EligibilityMethod.choices)
    result = models.CharField(max_length=16, choices=EligibilityResult.choices)
    reference = models.CharField(
        max_length=80, blank=True, help_text="The payer's call or transaction reference."
    )
    comment = models.CharField(max_length=300, blank=True)
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-checked_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(result__in=EligibilityResult.values),
                name="eligibility_result_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(method__in=EligibilityMethod.values),
                name="eligibility_method_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_result_display()} on {self.checked_on}"
