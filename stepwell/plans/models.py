"""Treatment plans: versioned, signed, immutable once signed; revisions are new versions.

Plan content follows the written plan of treatment Medicare asks for (diagnosis; the
type, amount, duration and frequency of services; treatment goals) and the physician
certification and recertification rule (default every 60 days, configurable): see
docs/clinical-sources.md §2.1. The first plan is due within a number of days of
admission set per program (§2.3).
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models

from stepwell.clinic.models import Program
from stepwell.intake.models import AssessmentDiagnosis
from stepwell.measures.definitions import instrument_registry
from stepwell.patients.models import Episode, Patient

DEFAULT_FIRST_PLAN_DUE_DAYS = 7
MAX_SESSIONS_PER_WEEK = 7
MAX_MINUTES_PER_SESSION = 480
MAX_DURATION_WEEKS = 52


class ProgramPlanPolicy(models.Model):
    """A program's own plan rules; without one the defaults apply."""

    program = models.OneToOneField(Program, on_delete=models.CASCADE, related_name="plan_policy")
    requires_physician_signature = models.BooleanField(
        default=False,
        help_text="Every plan needs a physician's signature. Patients with Medicare "
        "coverage need one whatever this says.",
    )
    review_days = models.PositiveIntegerField(
        null=True, blank=True, help_text="Days between plan reviews; blank uses the default."
    )
    first_plan_due_days = models.PositiveSmallIntegerField(
        default=DEFAULT_FIRST_PLAN_DUE_DAYS,
        help_text="The first plan is due this many days after admission.",
    )

    class Meta:
        verbose_name_plural = "program plan policies"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(first_plan_due_days__gte=1),
                name="plan_policy_first_plan_due_positive",
            )
        ]

    def __str__(self) -> str:
        return f"Plan policy for {self.program}"


class PlanStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    SIGNED = "signed", "Signed"


class TreatmentPlan(models.Model):
    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="treatment_plans")
    episode = models.ForeignKey(Episode, on_delete=models.PROTECT, related_name="treatment_plans")
    version = models.PositiveIntegerField()
    status = models.CharField(max_length=8, choices=PlanStatus.choices, default=PlanStatus.DRAFT)
    previous = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="superseded_by"
    )
    revision_reason = models.TextField(blank=True)
    review_days = models.PositiveIntegerField()
    requires_physician_signature = models.BooleanField(
        default=False,
        help_text="Set from the program's policy and the patient's Medicare coverage; "
        "fixed when the clinician signs.",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    signed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["episode", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["episode", "version"], name="plan_version_unique"),
            models.UniqueConstraint(
                fields=["episode"],
                condition=models.Q(status="draft"),
                name="plan_one_draft_per_episode",
            ),
            models.CheckConstraint(
                condition=(models.Q(status="signed") & models.Q(signed_at__isnull=False))
                | (models.Q(status="draft") & models.Q(signed_at__isnull=True)),
                name="plan_signed_iff_signed_at",
            ),
            models.CheckConstraint(
                condition=models.Q(version__gte=1), name="plan_version_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"Treatment plan v{self.version} ({self.get_status_display()})"

    @property
    def is_signed(self) -> bool:
        return self.status == PlanStatus.SIGNED


class GoalDomain(models.TextChoices):
    MENTAL_HEALTH = "mental_health", "Mental health"
    ADDICTION_RECOVERY = "addiction_recovery", "Addiction recovery"
    RELAPSE_PREVENTION = "relapse_prevention", "Relapse prevention"
    COPING_SKILLS = "coping_skills", "Coping skills"
    RELATIONSHIPS = "relationships", "Relationships"
    RESILIENCE = "resilience", "Resilience"
    CLINIC = "clinic", "The clinic's own domain"


class Problem(models.Model):
    plan = models.ForeignKey(TreatmentPlan, on_delete=models.CASCADE, related_name="problems")
    lineage = models.UUIDField(default=uuid.uuid4, help_text="Same item across plan versions.")
    position = models.PositiveIntegerField(default=0)
    statement = models.TextField()
    assessment_finding = models.TextField(blank=True)
    diagnoses = models.ManyToManyField(AssessmentDiagnosis, blank=True, related_name="problems")

    class Meta:
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return self.statement[:60]


class Goal(models.Model):
    problem = models.ForeignKey(Problem, on_delete=models.CASCADE, related_name="goals")
    lineage = models.UUIDField(default=uuid.uuid4)
    position = models.PositiveIntegerField(default=0)
    domain = models.CharField(max_length=32, choices=GoalDomain.choices)
    domain_label = models.CharField(
        max_length=100, blank=True, help_text="The clinic's own domain name."
    )
    patient_words = models.TextField("in the patient's words")
    clinical_wording = models.TextField()

    class Meta:
        ordering = ["position", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(domain="clinic") | ~models.Q(domain_label=""),
                name="goal_clinic_domain_named",
            )
        ]

    def __str__(self) -> str:
        return self.clinical_wording[:60]

    @property
    def domain_name(self) -> str:
        return self.domain_label if self.domain == GoalDomain.CLINIC else self.get_domain_display()


class ObjectiveStatus(models.TextChoices):
    NOT_STARTED = "not_started", "Not started"
    IN_PROGRESS = "in_progress", "In progress"
    ACHIEVED = "achieved", "Achieved"
    REVISED = "revised", "Revised"
    DISCONTINUED = "discontinued", "Discontinued"


class MeasureKind(models.TextChoices):
    NONE = "none", "No measure"
    QUESTIONNAIRE_TOTAL = "questionnaire_total", "Questionnaire total"
    ATTENDANCE_RATE = "attendance_rate", "Attendance rate (%)"
    DAYS_ABSTINENT = "days_abstinent", "Days abstinent"
    CURRICULUM_MODULE = "curriculum_module", "Curriculum module completed"


class Comparison(models.TextChoices):
    BELOW = "below", "below"
    AT_LEAST = "at_least", "at least"


class Objective(models.Model):
    """A SMART objective: specific text, a target date and, where possible, a measure."""

    goal = models.ForeignKey(Goal, on_delete=models.CASCADE, related_name="objectives")
    lineage = models.UUIDField(default=uuid.uuid4)
    position = models.PositiveIntegerField(default=0)
    description = models.TextField()
    target_date = models.DateField()
    status = models.CharField(
        max_length=16, choices=ObjectiveStatus.choices, default=ObjectiveStatus.NOT_STARTED
    )
    measure_kind = models.CharField(
        max_length=24, choices=MeasureKind.choices, default=MeasureKind.NONE
    )
    instrument = models.CharField(max_length=32, blank=True, help_text='e.g. "phq9"')
    comparison = models.CharField(max_length=8, choices=Comparison.choices, blank=True)
    target_value = models.DecimalField(max_digits=7, decimal_places=2, null=True, blank=True)
    module = models.CharField(max_length=100, blank=True)

    class Meta:
        ordering = ["position", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(measure_kind="questionnaire_total") | ~models.Q(instrument=""),
                name="objective_questionnaire_names_instrument",
            ),
            models.CheckConstraint(
                condition=~models.Q(measure_kind="curriculum_module") | ~models.Q(module=""),
                name="objective_module_named",
            ),
        ]

    def __str__(self) -> str:
        return self.description[:60]

    @property
    def measure_text(self) -> str:
        if self.measure_kind == MeasureKind.NONE:
            return ""
        if self.measure_kind == MeasureKind.CURRICULUM_MODULE:
            return f"complete module “{self.module}”"
        target = f"{float(self.target_value):g}" if self.target_value is not None else "?"
        subject = {
            MeasureKind.QUESTIONNAIRE_TOTAL: f"{_instrument_name(self.instrument)} total",
            MeasureKind.ATTENDANCE_RATE: "attendance rate (%)",
            MeasureKind.DAYS_ABSTINENT: "days abstinent",
        }[self.measure_kind]
        return f"{subject} {self.get_comparison_display()} {target}"


def _instrument_name(key: str) -> str:
    """The questionnaire's own short name (PHQ-9), not its stored key (phq9)."""
    shipped = instrument_registry().get(key or "")
    return shipped.abbreviation if shipped else (key or "").upper()


class ObjectiveStatusUpdate(models.Model):
    """Status changes on a signed plan are appended here; the signed objective is not edited."""

    objective = models.ForeignKey(
        Objective, on_delete=models.PROTECT, related_name="status_updates"
    )
    status = models.CharField(max_length=16, choices=ObjectiveStatus.choices)
    note = models.TextField(blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["recorded_at", "pk"]

    def __str__(self) -> str:
        return self.get_status_display()


class Modality(models.TextChoices):
    INDIVIDUAL_THERAPY = "individual_therapy", "Individual therapy"
    GROUP_THERAPY = "group_therapy", "Group therapy"
    PSYCHOEDUCATION = "psychoeducation", "Psychoeducation"
    MEDICATION_MANAGEMENT = "medication_management", "Medication management"
    FAMILY_SESSION = "family_session", "Family session"


class Intervention(models.Model):
    """A service the plan prescribes: its type, amount, frequency, duration and who gives it.

    The numbers are what Medicare's written plan states and what the scheduler reads
    (docs/clinical-sources.md §2.1). Interventions written before the numbers existed keep
    their free text in `legacy_frequency`; where it could not be read they are marked
    `needs_review` and a clinician states the numbers in the plan's next version.
    """

    goal = models.ForeignKey(Goal, on_delete=models.CASCADE, related_name="interventions")
    lineage = models.UUIDField(default=uuid.uuid4)
    position = models.PositiveIntegerField(default=0)
    modality = models.CharField("type of service", max_length=32, choices=Modality.choices)
    description = models.TextField(blank=True)
    minutes_per_session = models.PositiveSmallIntegerField(null=True, blank=True)
    sessions_per_week = models.PositiveSmallIntegerField(null=True, blank=True)
    duration_weeks = models.PositiveSmallIntegerField(null=True, blank=True)
    responsible = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    legacy_frequency = models.CharField(
        max_length=100,
        blank=True,
        help_text="The free-text frequency written before the structured numbers; kept as signed.",
    )
    needs_review = models.BooleanField(
        default=False, help_text="The old frequency text could not be read into numbers."
    )

    class Meta:
        ordering = ["position", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(needs_review=True)
                | (
                    models.Q(minutes_per_session__isnull=False)
                    & models.Q(sessions_per_week__isnull=False)
                    & models.Q(duration_weeks__isnull=False)
                ),
                name="intervention_numbers_stated",
            ),
            models.CheckConstraint(
                condition=models.Q(minutes_per_session__isnull=True)
                | models.Q(
                    minutes_per_session__gte=1, minutes_per_session__lte=MAX_MINUTES_PER_SESSION
                ),
                name="intervention_minutes_in_range",
            ),
            models.CheckConstraint(
                condition=models.Q(sessions_per_week__isnull=True)
                | models.Q(sessions_per_week__gte=1, sessions_per_week__lte=MAX_SESSIONS_PER_WEEK),
                name="intervention_sessions_in_range",
            ),
            models.CheckConstraint(
                condition=models.Q(duration_weeks__isnull=True)
                | models.Q(duration_weeks__gte=1, duration_weeks__lte=MAX_DURATION_WEEKS),
                name="intervention_duration_in_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_modality_display()}, {self.amount_text}"

    @property
    def amount_text(self) -> str:
        """'3 sessions a week, 180 minutes each, for 8 weeks'; the old text if not stated."""
        if None in (self.sessions_per_week, self.minutes_per_session, self.duration_weeks):
            return f"“{self.legacy_frequency}”" if self.legacy_frequency else "amount not stated"
        sessions = (
            "1 session" if self.sessions_per_week == 1 else f"{self.sessions_per_week} sessions"
        )
        weeks = "1 week" if self.duration_weeks == 1 else f"{self.duration_weeks} weeks"
        return f"{sessions} a week, {self.minutes_per_session} minutes each, for {weeks}"

    @property
    def missing_numbers(self) -> tuple[str, ...]:
        names = {
            "minutes per session": self.minutes_per_session,
            "sessions a week": self.sessions_per_week,
            "weeks": self.duration_weeks,
        }
        return tuple(name for name, value in names.items() if value is None)


class SignatureRole(models.TextChoices):
    CLINICIAN = "clinician", "Clinician"
    PATIENT = "patient", "Patient"
    PHYSICIAN = "physician", "Physician"


class SignatureMethod(models.TextChoices):
    ELECTRONIC = "electronic", "Electronic (staff login)"
    IN_PERSON = "in_person", "In person"
    PORTAL = "portal", "Patient portal"


class PlanSignature(models.Model):
    plan = models.ForeignKey(TreatmentPlan, on_delete=models.PROTECT, related_name="signatures")
    role = models.CharField(max_length=16, choices=SignatureRole.choices)
    method = models.CharField(max_length=16, choices=SignatureMethod.choices)
    signer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="Who signed; for an in-person patient signature, the staff member who witnessed it.",
    )
    signer_name = models.CharField(max_length=200)
    signed_at = models.DateTimeField()

    class Meta:
        ordering = ["signed_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "role"], name="plan_signature_one_per_role")
        ]

    def __str__(self) -> str:
        return f"{self.get_role_display()}: {self.signer_name}"


class CertificationKind(models.TextChoices):
    CERTIFICATION = "certification", "Certification"
    RECERTIFICATION = "recertification", "Recertification"


class PhysicianCertification(models.Model):
    """A physician's certification that the patient needs the program, with the statement
    the physician attested and their credential at the time (docs/clinical-sources.md §2.1).
    Certifications recorded before attestations existed have blank statement fields."""

    episode = models.ForeignKey(Episode, on_delete=models.PROTECT, related_name="certifications")
    plan = models.ForeignKey(TreatmentPlan, on_delete=models.PROTECT, related_name="certifications")
    physician = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(max_length=16, choices=CertificationKind.choices)
    certified_on = models.DateField()
    recertify_by = models.DateField()
    physician_credentials = models.CharField(max_length=100, blank=True)
    statement_version = models.CharField(max_length=64, blank=True)
    statement_text = models.TextField(blank=True)
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["certified_on", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(recertify_by__gt=models.F("certified_on")),
                name="certification_due_after_certified",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.certified_on}, due {self.recertify_by}"


class ReviewOutcome(models.TextChoices):
    CONTINUE = "continue", "Continue the plan as written"
    REVISE = "revise", "Revise the plan"


class PlanReview(models.Model):
    plan = models.ForeignKey(TreatmentPlan, on_delete=models.PROTECT, related_name="reviews")
    reviewed_on = models.DateField()
    outcome = models.CharField(max_length=16, choices=ReviewOutcome.choices)
    note = models.TextField()
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["reviewed_on", "pk"]

    def __str__(self) -> str:
        return f"Review {self.reviewed_on}: {self.get_outcome_display()}"
