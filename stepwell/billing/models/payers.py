"""Payers and their rules: who pays, what a week must hold, how a day is billed.

A payer's rules decide what a week of treatment must hold (its hours rule and the
rule's numbers) and how a day is billed (its claim method, per-diem code, day minimum,
condition and revenue codes, and whether it authorizes days first). The rules differ by payer
(docs/clinical-sources.md §2), so they are data here, not constants in code; a new
payer starts from its rule's defaults (care/hours/rules.py RULE_DEFAULTS). Patients without
coverage, or paying themselves, follow their program's own rule (ProgramHoursRule).
"""

from __future__ import annotations

from django.db import models

from stepwell.clinic.models import Program


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


class ClaimMethod(models.TextChoices):
    """How a payer is billed for a day (docs/clinical-sources.md §2)."""

    PER_DIEM = "per_diem", "Per diem: one line a day with the per-diem code"
    MEDICARE_IOP = "medicare_iop", "Medicare IOP: one line per service, condition code 92"
    NOT_CLAIMED = "not_claimed", "Not claimed (self-pay)"


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
    # -- billing rules (billing/days.py) --
    payer_identifier = models.CharField(
        "payer ID",
        max_length=80,
        blank=True,
        help_text="The payer's ID on claims, from your clearinghouse's payer list.",
    )
    claim_method = models.CharField(
        max_length=16, choices=ClaimMethod.choices, default=ClaimMethod.PER_DIEM
    )
    per_diem_code = models.CharField(
        max_length=5, blank=True, help_text="HCPCS per-diem code, e.g. H0015 or S9480."
    )
    billable_day_minutes = models.PositiveIntegerField(
        null=True,
        blank=True,
        help_text="A per-diem day is billable from this many attended minutes (H0015: 180). "
        "Blank: no minimum.",
    )
    billable_day_services = models.PositiveSmallIntegerField(
        default=1, help_text="Services a day must hold to be billable."
    )
    condition_code = models.CharField(
        max_length=2, blank=True, help_text="Claim condition code, e.g. 92 for Medicare IOP."
    )
    revenue_code_mental_health = models.CharField(
        max_length=4,
        default="0905",
        help_text="Revenue code for a mental-health program (0905 by default; unverified, "
        "check the payer's manual).",
    )
    revenue_code_substance_use = models.CharField(
        max_length=4,
        default="0906",
        help_text="Revenue code for a substance-use program (0906 by default; unverified).",
    )
    requires_authorization = models.BooleanField(
        default=False, help_text="Days are billable only under an approved authorization."
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
            models.CheckConstraint(
                condition=models.Q(claim_method__in=ClaimMethod.values),
                name="payer_claim_method_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(billable_day_services__gte=1),
                name="payer_billable_day_services_positive",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def claim_filing_indicator(self) -> str:
        """SBR09 of an institutional claim: Medicare Part A, Medicaid, or commercial."""
        return {PayerKind.MEDICARE: "MA", PayerKind.MEDICAID: "MC"}.get(self.kind, "CI")


class ProgramHoursRule(models.Model):
    """A program's own rule for patients without coverage or paying themselves.

    The weekly minimum is the program's; this adds the day rule the program keeps (for
    example three days of at least three hours). The optimizer also plans every patient
    to it, together with their payer's rule (schedule/planning/export.py).
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


class BillingProvider(models.Model):
    """Who bills for a program: the facility on its claims and the interchange's sender.
    Set up by an administrator; claims are refused until it is complete."""

    program = models.OneToOneField(
        Program, on_delete=models.CASCADE, related_name="billing_provider"
    )
    name = models.CharField("billing name", max_length=200)
    npi = models.CharField("NPI", max_length=10, help_text="The facility's 10-digit NPI.")
    tax_id = models.CharField("tax ID (EIN)", max_length=10, help_text="9 digits.")
    taxonomy_code = models.CharField(max_length=10, blank=True)
    address_line = models.CharField(max_length=55)
    city = models.CharField(max_length=60)
    state = models.CharField(max_length=2)
    postal_code = models.CharField("ZIP code", max_length=10, help_text="ZIP+4, 9 digits.")
    facility_type_code = models.CharField(
        max_length=2,
        default="13",
        help_text="First two digits of the type of bill (13: hospital outpatient; 76: "
        "community mental health center; 89: other special facility).",
    )
    attending_first_name = models.CharField(max_length=35)
    attending_last_name = models.CharField(max_length=60)
    attending_npi = models.CharField("attending NPI", max_length=10)
    submitter_id = models.CharField(
        max_length=15, help_text="Your ID with the clearinghouse (ISA06, GS02)."
    )
    receiver_id = models.CharField(max_length=15, help_text="The clearinghouse's ID (ISA08).")
    receiver_name = models.CharField(max_length=60)
    contact_name = models.CharField(max_length=60)
    contact_phone = models.CharField(max_length=20)
    production = models.BooleanField(
        default=False, help_text="Off: files are marked as tests (ISA15 = T)."
    )

    def __str__(self) -> str:
        return f"{self.name} ({self.program})"


class Charge(models.Model):
    """The clinic's charge for a procedure code (its charge master)."""

    code = models.CharField(max_length=5, unique=True, help_text="HCPCS or CPT code.")
    description = models.CharField(max_length=200, blank=True)
    amount = models.DecimalField(max_digits=9, decimal_places=2)

    class Meta:
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="charge_positive")
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.amount}"
