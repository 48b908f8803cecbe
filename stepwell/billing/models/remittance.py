"""Remittance advice (835) as imported: the file, and each claim payment in it matched to
a claim Stepwell wrote. What each line was paid (or why denied) is kept on the claim line
(ClaimLine.remit_outcome, paid_amount, reason_codes)."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from stepwell.clinic.models import Program

from .claims import Claim


class Remittance(models.Model):
    program = models.ForeignKey(Program, on_delete=models.PROTECT, related_name="+")
    payer_name = models.CharField(max_length=60)
    payer_identifier = models.CharField(max_length=80, blank=True)
    trace_number = models.CharField(
        max_length=50, help_text="TRN02: the check or EFT trace number."
    )
    paid_on = models.DateField(null=True, blank=True)
    total_paid = models.DecimalField(max_digits=11, decimal_places=2)
    file_name = models.CharField(max_length=200, blank=True)
    content = models.TextField()
    unknown_claims = models.JSONField(default=list, blank=True)
    unmatched_lines = models.JSONField(default=list, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    created_by_name = models.CharField(max_length=150)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["program", "payer_name", "trace_number"], name="remittance_imported_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.payer_name} {self.trace_number}"


class ClaimPayment(models.Model):
    remittance = models.ForeignKey(Remittance, on_delete=models.CASCADE, related_name="payments")
    claim = models.ForeignKey(Claim, on_delete=models.PROTECT, related_name="payments")
    status_code = models.CharField(max_length=2, help_text="CLP02: 1-3 processed, 4 denied.")
    charge = models.DecimalField(max_digits=11, decimal_places=2)
    paid = models.DecimalField(max_digits=11, decimal_places=2)
    patient_responsibility = models.DecimalField(max_digits=11, decimal_places=2)
    payer_claim_number = models.CharField(max_length=50, blank=True)
    reason_codes = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["remittance", "pk"]

    def __str__(self) -> str:
        return f"{self.claim} paid {self.paid}"
