"""Authorizations of days by a payer, and the utilization reviews that extend them.

Units used are never stored: they are counted from billable days as they happen
(billing/utilization.py), so they are right after a late note is signed or an
attendance time is corrected.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from stepwell.clinic.models import LevelOfCare, Program
from stepwell.patients.models import Patient

from ..utilization import AuthorizationStatus as Status
from ..utilization import UnitKind as Kind
from .payers import Payer


class AuthorizationStatus(models.TextChoices):
    PENDING = Status.PENDING.value, "Requested, waiting for the payer"
    APPROVED = Status.APPROVED.value, "Approved"
    DENIED = Status.DENIED.value, "Denied"


class UnitKind(models.TextChoices):
    DAYS = Kind.DAYS.value, "Days"
    SESSIONS = Kind.SESSIONS.value, "Sessions"


class Authorization(models.Model):
    program = models.ForeignKey(Program, on_delete=models.PROTECT, related_name="+")
    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="authorizations")
    payer = models.ForeignKey(Payer, on_delete=models.PROTECT, related_name="authorizations")
    number = models.CharField(
        "authorization number", max_length=50, blank=True, help_text="Blank while pending."
    )
    level_of_care = models.CharField(
        max_length=32, choices=LevelOfCare.choices, default=LevelOfCare.INTENSIVE_OUTPATIENT
    )
    unit_kind = models.CharField(max_length=16, choices=UnitKind.choices, default=UnitKind.DAYS)
    units_approved = models.PositiveIntegerField(default=0)
    starts_on = models.DateField()
    ends_on = models.DateField()
    status = models.CharField(
        max_length=16, choices=AuthorizationStatus.choices, default=AuthorizationStatus.PENDING
    )
    next_review_on = models.DateField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-starts_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__gte=models.F("starts_on")),
                name="authorization_dates_ordered",
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=AuthorizationStatus.values),
                name="authorization_status_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(unit_kind__in=UnitKind.values),
                name="authorization_unit_kind_valid",
            ),
            models.CheckConstraint(
                condition=~models.Q(status="approved")
                | (~models.Q(number="") & models.Q(units_approved__gte=1)),
                name="authorization_approved_has_number_and_units",
            ),
            models.UniqueConstraint(
                fields=["payer", "number"],
                condition=~models.Q(number=""),
                name="authorization_number_unique_per_payer",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.payer} {self.number or '(pending)'}"


class ReviewOutcome(models.TextChoices):
    PENDING = "pending", "Scheduled, not decided yet"
    PEER_TO_PEER = "peer_to_peer", "Peer-to-peer review scheduled"
    APPROVED = "approved", "Approved more units"
    DENIED = "denied", "Denied"


OPEN_OUTCOMES = (ReviewOutcome.PENDING, ReviewOutcome.PEER_TO_PEER)


class UtilizationReview(models.Model):
    """One review call with the payer about an authorization, and what came of it."""

    authorization = models.ForeignKey(
        Authorization, on_delete=models.PROTECT, related_name="reviews"
    )
    due_on = models.DateField(help_text="The day of the review call.")
    outcome = models.CharField(
        max_length=16, choices=ReviewOutcome.choices, default=ReviewOutcome.PENDING
    )
    units_added = models.PositiveIntegerField(default=0)
    approved_through = models.DateField(null=True, blank=True)
    peer_to_peer_on = models.DateField(null=True, blank=True)
    payer_reference = models.CharField(max_length=80, blank=True)
    reviewer_name = models.CharField("payer's reviewer", max_length=120, blank=True)
    comment = models.CharField(max_length=300, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    requested_at = models.DateTimeField(auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-due_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(outcome__in=ReviewOutcome.values),
                name="review_outcome_valid",
            ),
            models.UniqueConstraint(
                fields=["authorization"],
                condition=models.Q(outcome__in=["pending", "peer_to_peer"]),
                name="review_one_open_per_authorization",
            ),
            models.CheckConstraint(
                condition=~models.Q(outcome="approved") | models.Q(units_added__gte=1),
                name="review_approved_adds_units",
            ),
        ]

    def __str__(self) -> str:
        return f"Review {self.due_on} ({self.get_outcome_display()})"

    @property
    def is_open(self) -> bool:
        return self.outcome in OPEN_OUTCOMES
