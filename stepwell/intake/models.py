"""Referrals, intake assessments, availability windows and level-of-care placement decisions."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from stepwell.clinic.models import LevelOfCare
from stepwell.patients.models import Episode, Patient
from stepwell.privacy.signed_documents import (
    Addendum,
    SignedDocument,
    SignedStatus,
    signed_iff_signed_at,
)


class ReferralState(models.TextChoices):
    NEW = "new", "New"
    CONTACTED = "contacted", "Contacted"
    SCREENING_BOOKED = "screening_booked", "Screening booked"
    ASSESSED = "assessed", "Assessed"
    ADMITTED = "admitted", "Admitted"
    REFERRED_ELSEWHERE = "referred_elsewhere", "Referred elsewhere"
    DECLINED = "declined", "Declined"


class ReferralSource(models.TextChoices):
    SELF = "self", "Self"
    FAMILY = "family", "Family"
    HOSPITAL_STEP_DOWN = "hospital_step_down", "Hospital step-down"
    PHP_OR_RESIDENTIAL_STEP_DOWN = (
        "php_or_residential_step_down",
        "PHP or residential step-down",
    )
    COURT = "court", "Court"
    EMPLOYER = "employer", "Employer"
    PRIMARY_CARE = "primary_care", "Primary care"


class Urgency(models.TextChoices):
    ROUTINE = "routine", "Routine"
    PRIORITY = "priority", "Priority (within a week)"
    URGENT = "urgent", "Urgent (within 48 hours)"


class Referral(models.Model):
    """One referral to a program; it drives its episode from referred to admitted."""

    episode = models.OneToOneField(Episode, on_delete=models.PROTECT, related_name="referral")
    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="referrals")
    state = models.CharField(
        max_length=24, choices=ReferralState.choices, default=ReferralState.NEW
    )
    source = models.CharField(max_length=40, choices=ReferralSource.choices)
    source_detail = models.CharField(
        max_length=200, blank=True, help_text="Who referred: a person, practice or facility."
    )
    reason = models.TextField()
    urgency = models.CharField(max_length=16, choices=Urgency.choices, default=Urgency.ROUTINE)
    insurance = models.CharField(
        max_length=300, blank=True, help_text="Payer and verification notes."
    )
    received_on = models.DateField()
    screening_at = models.DateTimeField(null=True, blank=True)
    admitted_on = models.DateField(null=True, blank=True)
    closed_on = models.DateField(null=True, blank=True)
    closed_reason = models.TextField(blank=True)
    referred_to = models.CharField(max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(state__in=ReferralState.values), name="referral_state_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(source__in=ReferralSource.values), name="referral_source_valid"
            ),
            models.CheckConstraint(
                condition=~models.Q(state__in=["declined", "referred_elsewhere"])
                | ~models.Q(closed_reason=""),
                name="referral_closed_has_reason",
            ),
        ]
        ordering = ["-received_on", "-pk"]

    def __str__(self) -> str:
        return f"Referral {self.pk} ({self.get_state_display()})"

    @property
    def days_to_admission(self) -> int | None:
        if self.admitted_on is None:
            return None
        return (self.admitted_on - self.received_on).days


class ReferralEventKind(models.TextChoices):
    TRANSITION = "transition", "State change"
    CONTACT_ATTEMPT = "contact_attempt", "Contact attempt"


class ContactMethod(models.TextChoices):
    PHONE = "phone", "Phone"
    TEXT = "text", "Text message"
    EMAIL = "email", "Email"
    LETTER = "letter", "Letter"
    IN_PERSON = "in_person", "In person"


class ContactOutcome(models.TextChoices):
    REACHED = "reached", "Reached"
    LEFT_MESSAGE = "left_message", "Left a message"
    NO_ANSWER = "no_answer", "No answer"
    WRONG_NUMBER = "wrong_number", "Wrong number"


class ReferralEvent(models.Model):
    """Append-only history of a referral: state changes and contact attempts."""

    referral = models.ForeignKey(Referral, on_delete=models.PROTECT, related_name="events")
    kind = models.CharField(max_length=16, choices=ReferralEventKind.choices)
    from_state = models.CharField(max_length=24, choices=ReferralState.choices, blank=True)
    to_state = models.CharField(max_length=24, choices=ReferralState.choices, blank=True)
    method = models.CharField(max_length=16, choices=ContactMethod.choices, blank=True)
    outcome = models.CharField(max_length=16, choices=ContactOutcome.choices, blank=True)
    note = models.TextField(blank=True)
    effective_date = models.DateField()
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    occurred_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["occurred_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(kind="contact_attempt")
                | (~models.Q(method="") & ~models.Q(outcome="")),
                name="referral_contact_has_method_and_outcome",
            ),
        ]

    def __str__(self) -> str:
        if self.kind == ReferralEventKind.CONTACT_ATTEMPT:
            return f"{self.get_method_display()}: {self.get_outcome_display()}"
        return f"{self.from_state or 'new'} -> {self.to_state}"


# Draft or signed, as every signed document (privacy/signed_documents.py).
AssessmentStatus = SignedStatus


class RiskLevel(models.TextChoices):
    NONE = "none", "None identified"
    LOW = "low", "Low"
    MODERATE = "moderate", "Moderate"
    HIGH = "high", "High"
    IMMINENT = "imminent", "Imminent"


class SymptomSeverity(models.TextChoices):
    """The clinician's overall rating of mental-health symptoms (as the placement engine's)."""

    NONE = "none", "None"
    MILD = "mild", "Mild"
    MODERATE = "moderate", "Moderate"
    MODERATELY_SEVERE = "moderately_severe", "Moderately severe"
    SEVERE = "severe", "Severe"


class FunctionalImpairment(models.TextChoices):
    """How much the symptoms get in the way of work, school, family and self-care."""

    NONE = "none", "None"
    MILD = "mild", "Mild"
    MODERATE = "moderate", "Moderate"
    SEVERE = "severe", "Severe"


class IntakeAssessment(SignedDocument):
    """The intake assessment. Saved as a draft, then signed; a signed one changes only by
    addenda. `status`, `signed_by` and `signed_at` come from SignedDocument."""

    episode = models.ForeignKey(Episode, on_delete=models.PROTECT, related_name="assessments")
    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="assessments")
    presenting_problems = models.TextField(blank=True)
    substance_use_history = models.TextField(blank=True)
    psychiatric_history = models.TextField(blank=True)
    medical_history = models.TextField(blank=True)
    living_situation = models.TextField(blank=True)
    supports = models.TextField(blank=True)
    obligations = models.TextField("work, school and family obligations", blank=True)
    risk_level = models.CharField(max_length=16, choices=RiskLevel.choices, blank=True)
    risk_screening = models.TextField(
        "risk screening", blank=True, help_text="Summary of the screening questionnaires."
    )
    symptom_severity = models.CharField(
        "severity of mental-health symptoms",
        max_length=20,
        choices=SymptomSeverity.choices,
        blank=True,
        help_text="Your overall rating; questionnaire bands (PHQ-9, GAD-7) can guide it.",
    )
    functional_impairment = models.CharField(
        max_length=10,
        choices=FunctionalImpairment.choices,
        blank=True,
        help_text="How much the symptoms get in the way of work, school, family and self-care.",
    )
    strengths = models.TextField(blank=True)
    patient_goals = models.TextField("what the patient wants, in their own words", blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["episode"],
                condition=models.Q(status="draft"),
                name="assessment_one_draft_per_episode",
            ),
            signed_iff_signed_at("assessment_signed_iff_signed_at"),
        ]

    def __str__(self) -> str:
        return f"Intake assessment {self.pk} ({self.get_status_display()})"


class AssessmentDiagnosis(models.Model):
    """An ICD-10-CM code on an assessment; description and code set are kept as coded then.

    `code_set` names the release the code was chosen from ("ICD-10-CM FY2026"); it is
    blank for diagnoses coded from the hand-built list that came before.
    """

    assessment = models.ForeignKey(
        IntakeAssessment, on_delete=models.CASCADE, related_name="diagnoses"
    )
    code = models.CharField(max_length=8)
    description = models.CharField(max_length=300)
    code_set = models.CharField(max_length=40, blank=True)
    primary = models.BooleanField(default=False)

    class Meta:
        ordering = ["-primary", "code"]
        constraints = [
            models.UniqueConstraint(fields=["assessment", "code"], name="assessment_code_unique"),
            models.UniqueConstraint(
                fields=["assessment"],
                condition=models.Q(primary=True),
                name="assessment_one_primary_diagnosis",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.description}"


class TreatmentOutcome(models.TextChoices):
    COMPLETED = "completed", "Completed"
    HELPED = "helped", "Helped"
    PARTLY_HELPED = "partly_helped", "Partly helped"
    DID_NOT_HELP = "did_not_help", "Did not help"
    LEFT_EARLY = "left_early", "Left early"


class PreviousTreatment(models.Model):
    assessment = models.ForeignKey(
        IntakeAssessment, on_delete=models.CASCADE, related_name="previous_treatments"
    )
    level_of_care = models.CharField(max_length=32, choices=LevelOfCare.choices)
    provider = models.CharField(max_length=200, blank=True)
    when = models.CharField(max_length=100, blank=True, help_text="e.g. 2023, or spring 2024")
    outcome = models.CharField(max_length=16, choices=TreatmentOutcome.choices)
    notes = models.TextField(blank=True)

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"{self.get_level_of_care_display()}: {self.get_outcome_display()}"


class AssessmentAddendum(Addendum):
    """A correction or addition to a signed assessment; the assessment itself is not edited.
    `author` and `text` come from Addendum."""

    assessment = models.ForeignKey(
        IntakeAssessment, on_delete=models.PROTECT, related_name="addenda"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"Addendum {self.pk} to assessment {self.assessment_id}"


class Weekday(models.IntegerChoices):
    """Same numbering as Python's date.weekday(): Monday is 0."""

    MONDAY = 0, "Monday"
    TUESDAY = 1, "Tuesday"
    WEDNESDAY = 2, "Wednesday"
    THURSDAY = 3, "Thursday"
    FRIDAY = 4, "Friday"
    SATURDAY = 5, "Saturday"
    SUNDAY = 6, "Sunday"


class AvailabilityWindow(models.Model):
    """When the patient can attend, each week, in the program's local time.

    The scheduler reads these: `weekday` (0 = Monday), `start` and `end` (local wall-clock
    times, start < end, windows on one day never overlap).
    """

    patient = models.ForeignKey(
        Patient, on_delete=models.CASCADE, related_name="availability_windows"
    )
    weekday = models.PositiveSmallIntegerField(choices=Weekday.choices)
    start = models.TimeField()
    end = models.TimeField()

    class Meta:
        ordering = ["weekday", "start"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(start__lt=models.F("end")), name="availability_start_before_end"
            ),
            models.CheckConstraint(
                condition=models.Q(weekday__gte=0, weekday__lte=6),
                name="availability_weekday_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.start:%H:%M}-{self.end:%H:%M}"

    @property
    def minutes(self) -> int:
        return (self.end.hour * 60 + self.end.minute) - (self.start.hour * 60 + self.start.minute)


class PlacementDecision(models.Model):
    """The engine's recommendation and the clinician's decision, kept side by side."""

    assessment = models.ForeignKey(
        IntakeAssessment, on_delete=models.PROTECT, related_name="placement_decisions"
    )
    episode = models.ForeignKey(
        Episode, on_delete=models.PROTECT, related_name="placement_decisions"
    )
    engine_input = models.JSONField()
    engine_output = models.JSONField()
    rule_set = models.CharField(max_length=64)
    recommended_level = models.CharField(max_length=32, choices=LevelOfCare.choices)
    decided_level = models.CharField(max_length=32, choices=LevelOfCare.choices)
    overridden = models.BooleanField(default=False)
    override_reason = models.TextField(blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-decided_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(overridden=False) | ~models.Q(override_reason=""),
                name="placement_override_has_reason",
            ),
            models.CheckConstraint(
                condition=models.Q(overridden=True)
                | models.Q(recommended_level=models.F("decided_level")),
                name="placement_confirm_keeps_level",
            ),
        ]

    def __str__(self) -> str:
        how = "overridden" if self.overridden else "confirmed"
        return f"Placement {self.decided_level} ({how})"
