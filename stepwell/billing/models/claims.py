"""What was billed: claim files, claims, their lines and the days they bill.

A patient's day is billed once: `BilledDay` holds one active row per patient and day, in
the database itself. A corrected claim (frequency code 7) names the claim it replaces;
that claim's days are released in the same transaction and billed again by the
correction.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from stepwell.clinic.models import Program
from stepwell.patients.models import Patient

from .coverage import Coverage
from .payers import Payer


class ClaimFormat(models.TextChoices):
    X12_837I = "837i", "837I (X12 005010X223A2)"
    CSV = "csv", "CSV for a clearinghouse"


class ClaimBatch(models.Model):
    """One claims file, as it was written."""

    program = models.ForeignKey(Program, on_delete=models.PROTECT, related_name="+")
    date_from = models.DateField()
    date_to = models.DateField()
    file_format = models.CharField(max_length=8, choices=ClaimFormat.choices)
    content = models.TextField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    created_by_name = models.CharField(max_length=150)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(date_to__gte=models.F("date_from")),
                name="claim_batch_dates_ordered",
            ),
            models.CheckConstraint(
                condition=models.Q(file_format__in=ClaimFormat.values),
                name="claim_batch_format_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"Claims {self.date_from}..{self.date_to} ({self.get_file_format_display()})"

    @property
    def filename(self) -> str:
        extension = "837" if self.file_format == ClaimFormat.X12_837I else "csv"
        return f"claims-{self.program_id}-{self.date_from:%Y%m%d}-{self.date_to:%Y%m%d}-{self.pk}.{extension}"


class ClaimStatus(models.TextChoices):
    SUBMITTED = "submitted", "Submitted"
    REPLACED = "replaced", "Replaced by a corrected claim"
    VOIDED = "voided", "Voided"
    PAID = "paid", "Paid (remittance received)"
    DENIED = "denied", "Denied (remittance received)"


# A claim that may still be corrected, voided or paid: it stands with the payer.
STANDING = (ClaimStatus.SUBMITTED, ClaimStatus.PAID, ClaimStatus.DENIED)


class Claim(models.Model):
    batch = models.ForeignKey(ClaimBatch, on_delete=models.PROTECT, related_name="claims")
    program = models.ForeignKey(Program, on_delete=models.PROTECT, related_name="+")
    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="claims")
    coverage = models.ForeignKey(Coverage, on_delete=models.PROTECT, related_name="claims")
    payer = models.ForeignKey(Payer, on_delete=models.PROTECT, related_name="claims")
    claim_number = models.CharField(max_length=20, unique=True)
    frequency_code = models.CharField(max_length=1, default="1")
    original = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="replacement"
    )
    # A secondary claim names the primary's claim whose payment it carries (COB).
    primary_claim = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="secondary_claim"
    )
    statement_from = models.DateField()
    statement_to = models.DateField()
    total_charge = models.DecimalField(max_digits=11, decimal_places=2)
    prior_authorization = models.CharField(max_length=50, blank=True)
    status = models.CharField(
        max_length=16, choices=ClaimStatus.choices, default=ClaimStatus.SUBMITTED
    )
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(frequency_code="1") & models.Q(original__isnull=True))
                | (models.Q(frequency_code__in=["7", "8"]) & models.Q(original__isnull=False)),
                name="claim_replacement_names_original",
            ),
            models.CheckConstraint(
                condition=models.Q(statement_to__gte=models.F("statement_from")),
                name="claim_statement_dates_ordered",
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=ClaimStatus.values), name="claim_status_valid"
            ),
        ]

    def __str__(self) -> str:
        return self.claim_number

    @property
    def is_void(self) -> bool:
        return self.frequency_code == "8"


class RemitOutcome(models.TextChoices):
    NONE = "", "No remittance yet"
    PAID = "paid", "Paid"
    DENIED = "denied", "Denied"


class ClaimLine(models.Model):
    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="lines")
    line_number = models.PositiveIntegerField()
    service_date = models.DateField()
    revenue_code = models.CharField(max_length=4)
    procedure_code = models.CharField(max_length=5)
    units = models.PositiveIntegerField()
    charge = models.DecimalField(max_digits=9, decimal_places=2)
    # What the payer's latest remittance said of the line (billing/services/remittance.py).
    remit_outcome = models.CharField(
        max_length=8, choices=RemitOutcome.choices, default=RemitOutcome.NONE, blank=True
    )
    paid_amount = models.DecimalField(max_digits=9, decimal_places=2, null=True, blank=True)
    reason_codes = models.CharField(
        max_length=200, blank=True, help_text="Adjustments: group code, CARC and amount."
    )

    class Meta:
        ordering = ["claim", "line_number"]
        constraints = [
            models.UniqueConstraint(fields=["claim", "line_number"], name="claim_line_unique")
        ]

    def __str__(self) -> str:
        return f"{self.service_date} {self.revenue_code} {self.procedure_code}"


class BilledDay(models.Model):
    """A patient's day on a claim. Active until a corrected claim replaces the claim."""

    claim = models.ForeignKey(Claim, on_delete=models.PROTECT, related_name="days")
    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="+")
    day = models.DateField()
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["day"]
        constraints = [
            models.UniqueConstraint(
                fields=["patient", "day"],
                condition=models.Q(active=True),
                name="billed_day_once",
            )
        ]

    def __str__(self) -> str:
        return f"{self.day} on {self.claim}"
