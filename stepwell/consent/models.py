"""Consents, disclosures, emergency access (break-glass) and amendment requests.

- Consent: a consent to treatment, a 42 CFR Part 2 consent or a HIPAA release, with each
  element as data and the exact HTML that was signed (`signed_html`), from which its PDF
  is printed. A signed consent is never edited: it is revoked (docs/consent.md).
- Disclosure: one release of part of a record to someone outside the program, with the
  consent it relied on (or the emergency), what it held and the document that left.
  Disclosures are the accounting the patient can ask for.
- BreakGlassGrant: a staff member outside the care team who opened a chart in an
  emergency, with their reason; it expires, and a director reviews it.
- AmendmentRequest: the patient asks for a correction; staff accept or deny with a reason.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from stepwell.clinic.models import Program
from stepwell.patients.models import Patient

from .terms import (
    BASIS_LABELS,
    CONSENT_KIND_LABELS,
    PURPOSE_LABELS,
    RECIPIENT_KIND_LABELS,
    SECTION_LABELS,
)

CONSENT_KINDS = [(k.value, v) for k, v in CONSENT_KIND_LABELS.items()]
RECIPIENT_KINDS = [(k.value, v) for k, v in RECIPIENT_KIND_LABELS.items()]
PURPOSES = [(k.value, v) for k, v in PURPOSE_LABELS.items()]
SECTIONS = [(k.value, v) for k, v in SECTION_LABELS.items()]
BASES = [(k.value, v) for k, v in BASIS_LABELS.items()]


class ConsentStatus(models.TextChoices):
    AWAITING_SIGNATURE = "awaiting_signature", "Waiting for the patient's signature"
    SIGNED = "signed", "Signed"
    REVOKED = "revoked", "Revoked"


class SignatureMethod(models.TextChoices):
    PORTAL = "portal", "Signed by the patient on the portal"
    PAPER = "paper", "Signed on paper (scan kept)"


class EndReason(models.TextChoices):
    REVOKED = "revoked", "Revoked by the patient"
    EXPIRY_EVENT = "expiry_event", "The expiry event happened"


class Consent(models.Model):
    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="consents")
    kind = models.CharField(max_length=16, choices=CONSENT_KINDS)
    status = models.CharField(
        max_length=24, choices=ConsentStatus.choices, default=ConsentStatus.AWAITING_SIGNATURE
    )
    # §2.31(a)(2): who may disclose
    disclosing_programs = models.ManyToManyField(Program, related_name="+")
    # §2.31(a)(4): to whom
    recipient_kind = models.CharField(max_length=8, choices=RECIPIENT_KINDS, blank=True)
    recipients = models.TextField(blank=True, help_text="One person or organization a line.")
    # §2.31(a)(5): why
    purpose = models.CharField(max_length=32, choices=PURPOSES, blank=True)
    purpose_detail = models.CharField(max_length=300, blank=True)
    # §2.31(a)(3): how much and what kind of information
    sections = models.JSONField(default=list, blank=True)
    information_description = models.TextField(blank=True)
    date_from = models.DateField(null=True, blank=True)
    date_to = models.DateField(null=True, blank=True)
    # §2.31(a)(7): until when
    expires_on = models.DateField(null=True, blank=True)
    expiry_event = models.CharField(max_length=300, blank=True)
    # §2.31(a)(8): signature and date
    signature_method = models.CharField(max_length=8, choices=SignatureMethod.choices)
    signer_name = models.CharField(max_length=200, blank=True)
    signed_at = models.DateTimeField(null=True, blank=True)
    witnessed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    scan = models.BinaryField(null=True, blank=True, editable=False)
    scan_name = models.CharField(max_length=200, blank=True)
    scan_content_type = models.CharField(max_length=100, blank=True)
    signed_html = models.TextField(blank=True, help_text="Exactly what was signed.")
    signed_html_sha256 = models.CharField(max_length=64, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    ended_reason = models.CharField(max_length=16, choices=EndReason.choices, blank=True)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    end_note = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status="awaiting_signature", signed_at__isnull=True)
                | (
                    Q(status__in=["signed", "revoked"], signed_at__isnull=False)
                    & ~Q(signed_html="")
                ),
                name="consent_signed_with_text",
            ),
            models.CheckConstraint(
                condition=Q(status="revoked", ended_at__isnull=False)
                | (~Q(status="revoked") & Q(ended_at__isnull=True)),
                name="consent_ended_iff_revoked",
            ),
            models.CheckConstraint(
                condition=Q(kind="treatment") | ~Q(expires_on__isnull=True, expiry_event=""),
                name="consent_disclosure_has_expiry",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.pk} ({self.get_status_display()})"

    @property
    def recipient_list(self) -> list[str]:
        return [line.strip() for line in self.recipients.splitlines() if line.strip()]


class Disclosure(models.Model):
    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="disclosures")
    basis = models.CharField(max_length=24, choices=BASES)
    consent = models.ForeignKey(
        Consent, on_delete=models.PROTECT, null=True, blank=True, related_name="disclosures"
    )
    recipient = models.CharField(max_length=300)
    recipient_affiliation = models.CharField(max_length=300, blank=True)
    purpose = models.CharField(max_length=32, choices=PURPOSES)
    purpose_detail = models.CharField(max_length=300, blank=True)
    sections = models.JSONField(default=list)
    date_from = models.DateField()
    date_to = models.DateField()
    document_format = models.CharField(
        max_length=8, choices=[("pdf", "PDF"), ("fhir", "FHIR bundle (JSON)")]
    )
    through = models.CharField(
        max_length=16,
        choices=[("chart", "The chart"), ("api", "The API"), ("fhir", "FHIR $everything")],
    )
    part2 = models.BooleanField(help_text="Includes 42 CFR Part 2 records.")
    part2_reasons = models.JSONField(default=list, blank=True)
    document = models.TextField(help_text="The disclosed document: HTML for a PDF, or JSON.")
    document_sha256 = models.CharField(max_length=64)
    made_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    made_at = models.DateTimeField()
    # §2.51 medical emergencies
    emergency = models.TextField(blank=True, help_text="The nature of the medical emergency.")
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    review_note = models.TextField(blank=True)
    patient_notified_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-made_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(basis="consent") | Q(consent__isnull=False),
                name="disclosure_consent_basis_names_consent",
            ),
            models.CheckConstraint(
                condition=~Q(basis="medical_emergency") | ~Q(emergency=""),
                name="disclosure_emergency_described",
            ),
            models.CheckConstraint(
                condition=Q(date_from__lte=models.F("date_to")), name="disclosure_dates_ordered"
            ),
        ]

    def __str__(self) -> str:
        return f"disclosure {self.pk} to {self.recipient}"


class BreakGlassGrant(models.Model):
    """Emergency access to a chart by staff outside the care team: reasoned, audited,
    reviewed by a director, and over at `expires_at` (STEPWELL_BREAK_GLASS_MINUTES)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="break_glass_grants"
    )
    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="+")
    reason = models.TextField()
    opened_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    review_note = models.TextField(blank=True)

    class Meta:
        ordering = ["-opened_at", "-pk"]
        indexes = [models.Index(fields=["user", "expires_at"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(expires_at__gt=models.F("opened_at")),
                name="break_glass_expires_after_opening",
            ),
            models.CheckConstraint(condition=~Q(reason=""), name="break_glass_has_reason"),
        ]

    def __str__(self) -> str:
        return f"emergency access {self.pk} by {self.user_id} to patient {self.patient_id}"


class AmendmentStatus(models.TextChoices):
    PENDING = "pending", "Waiting for a decision"
    ACCEPTED = "accepted", "Accepted"
    DENIED = "denied", "Denied"


class AmendmentRequest(models.Model):
    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="amendments")
    section = models.CharField(max_length=32, choices=SECTIONS)
    request = models.TextField(help_text="What should change, and why, in the patient's words.")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField()
    status = models.CharField(
        max_length=16, choices=AmendmentStatus.choices, default=AmendmentStatus.PENDING
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["-requested_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status="pending", decided_at__isnull=True)
                | (
                    Q(status__in=["accepted", "denied"], decided_at__isnull=False)
                    & ~Q(decision_reason="")
                ),
                name="amendment_decided_with_reason",
            )
        ]

    def __str__(self) -> str:
        return f"amendment request {self.pk} ({self.status})"
