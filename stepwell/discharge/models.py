"""Discharge summaries (with addenda), aftercare plans (contacts, support groups, next
appointments), the support-group directory a program keeps, and the program's discharge
policy (the gate and the after-hours line)."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from stepwell.clinic.models import Program
from stepwell.patients.models import Disposition, Episode
from stepwell.privacy.signed_documents import (
    Addendum,
    SignedDocument,
    SignedStatus,
    signed_iff_signed_at,
)

USER = settings.AUTH_USER_MODEL

# Dispositions a discharge may have without a signed summary and plan (issue 13): the
# patient left, or was discharged for an administrative reason, before they could be written.
DEFAULT_EXEMPT_DISPOSITIONS = [Disposition.LEFT_AGAINST_ADVICE, Disposition.ADMINISTRATIVE]


def default_exempt_dispositions() -> list[str]:
    return [str(d) for d in DEFAULT_EXEMPT_DISPOSITIONS]


class DischargePolicy(models.Model):
    """How one program discharges: whether a discharge needs a signed summary and aftercare
    plan (and which dispositions are exempt), and the after-hours line the plan names."""

    program = models.OneToOneField(
        Program, on_delete=models.CASCADE, related_name="discharge_policy"
    )
    documents_required = models.BooleanField(
        "discharge needs a signed summary and aftercare plan", default=True
    )
    exempt_dispositions = models.JSONField(default=default_exempt_dispositions, blank=True)
    after_hours_line = models.CharField("the clinic's after-hours line", max_length=32, blank=True)
    updated_by = models.ForeignKey(USER, on_delete=models.PROTECT, null=True, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"Discharge policy of {self.program}"


class SupportGroupKind(models.TextChoices):
    AA = "aa", "Alcoholics Anonymous (AA)"
    NA = "na", "Narcotics Anonymous (NA)"
    SMART = "smart", "SMART Recovery"
    DBSA = "dbsa", "Depression and Bipolar Support Alliance (DBSA)"
    AL_ANON = "al_anon", "Al-Anon"
    LOCAL = "local", "Local group"


class Weekday(models.IntegerChoices):
    MONDAY = 0, "Monday"
    TUESDAY = 1, "Tuesday"
    WEDNESDAY = 2, "Wednesday"
    THURSDAY = 3, "Thursday"
    FRIDAY = 4, "Friday"
    SATURDAY = 5, "Saturday"
    SUNDAY = 6, "Sunday"


class SupportGroup(models.Model):
    """One meeting in the directory a program keeps: a mutual-help group and when it meets."""

    program = models.ForeignKey(Program, on_delete=models.PROTECT, related_name="support_groups")
    kind = models.CharField(max_length=16, choices=SupportGroupKind.choices)
    name = models.CharField(max_length=200)
    meeting_day = models.PositiveSmallIntegerField(choices=Weekday.choices)
    meeting_time = models.TimeField()
    place = models.CharField(
        max_length=300, help_text="An address, or 'Online' with the link below."
    )
    link = models.URLField(blank=True)
    phone = models.CharField(max_length=32, blank=True)
    active = models.BooleanField(default=True)
    created_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["meeting_day", "meeting_time", "name", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(meeting_day__gte=0, meeting_day__lte=6),
                name="support_group_day_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(kind__in=SupportGroupKind.values),
                name="support_group_kind_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_meeting_day_display()} {self.meeting_time:%H:%M})"


# Draft or signed, as every signed document (privacy/signed_documents.py).
DocumentStatus = SignedStatus


class DischargeSummary(SignedDocument):
    """The discharge summary of one episode: `facts` drafted from the record (dates,
    levels of care, diagnoses, attendance, measures, goals, medications), the narrative
    the clinician writes, and the signature that locks it (`status`, `signed_by`,
    `signed_at` from SignedDocument). Corrections are addenda."""

    episode = models.OneToOneField(
        Episode, on_delete=models.PROTECT, related_name="discharge_summary"
    )
    facts = models.JSONField(default=dict)
    facts_drafted_at = models.DateTimeField()
    discharge_date = models.DateField(null=True, blank=True)
    disposition = models.CharField(max_length=32, choices=Disposition.choices, blank=True)
    disposition_reason = models.TextField(blank=True)
    presenting_problem = models.TextField(blank=True)
    course_of_treatment = models.TextField(blank=True)
    condition_at_discharge = models.TextField(blank=True)
    recommendations = models.TextField(blank=True)
    referrals = models.TextField("referrals made", blank=True)
    drafted_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [signed_iff_signed_at("discharge_summary_signed_iff_signed_at")]

    def __str__(self) -> str:
        return f"Discharge summary of episode {self.episode_id} ({self.status})"


class SummaryAddendum(Addendum):
    """A correction or late entry added to a signed summary; never edited (`author` and
    `text` from Addendum)."""

    summary = models.ForeignKey(DischargeSummary, on_delete=models.PROTECT, related_name="addenda")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"Addendum to summary {self.summary_id} at {self.created_at:%Y-%m-%d %H:%M}"


class SignatureMethod(models.TextChoices):
    PORTAL = "portal", "On the portal"
    PAPER = "paper", "On paper (kept in the record)"


class AftercarePlan(models.Model):
    """The aftercare and relapse-prevention plan the team writes with the patient. The
    patient's signature (on the portal, or on paper recorded by staff) locks it."""

    episode = models.OneToOneField(Episode, on_delete=models.PROTECT, related_name="aftercare_plan")
    warning_signs = models.TextField(blank=True)
    triggers = models.TextField(blank=True)
    coping_strategies = models.TextField("coping strategies that worked", blank=True)
    alumni_group = models.TextField(
        "the alumni group", blank=True, help_text="When and where the alumni group meets."
    )
    support_groups = models.ManyToManyField(SupportGroup, blank=True, related_name="+")
    status = models.CharField(
        max_length=8, choices=DocumentStatus.choices, default=DocumentStatus.DRAFT
    )
    patient_signed_at = models.DateTimeField(null=True, blank=True)
    signature_method = models.CharField(max_length=8, choices=SignatureMethod.choices, blank=True)
    signature_recorded_by = models.ForeignKey(
        USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(status="signed")
                    & models.Q(patient_signed_at__isnull=False)
                    & ~models.Q(signature_method="")
                )
                | (models.Q(status="draft") & models.Q(patient_signed_at__isnull=True)),
                name="aftercare_plan_signed_iff_signature",
            ),
        ]

    def __str__(self) -> str:
        return f"Aftercare plan of episode {self.episode_id} ({self.status})"

    @property
    def is_signed(self) -> bool:
        return self.status == DocumentStatus.SIGNED


class AftercareContact(models.Model):
    """Someone the patient can call. Listed only with the patient's consent (42 CFR Part 2
    and HIPAA: ask before involving anyone)."""

    plan = models.ForeignKey(AftercarePlan, on_delete=models.CASCADE, related_name="contacts")
    name = models.CharField(max_length=200)
    relationship = models.CharField(max_length=100)
    phone = models.CharField(max_length=32)
    consent_given = models.BooleanField(default=False)
    consent_recorded_on = models.DateField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(consent_given=True), name="aftercare_contact_consented"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.relationship})"


class AppointmentKind(models.TextChoices):
    THERAPIST = "therapist", "Outpatient therapist"
    PRESCRIBER = "prescriber", "Prescriber"
    PRIMARY_CARE = "primary_care", "Primary care"
    OTHER = "other", "Other"


class AftercareAppointment(models.Model):
    """A next appointment after discharge, with whom, when and where."""

    plan = models.ForeignKey(AftercarePlan, on_delete=models.CASCADE, related_name="appointments")
    kind = models.CharField(max_length=16, choices=AppointmentKind.choices)
    provider = models.CharField(max_length=200)
    starts_at = models.DateTimeField()
    place = models.CharField(max_length=300)
    phone = models.CharField(max_length=32, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["starts_at", "pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.provider}"
