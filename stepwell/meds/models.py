"""Medications, allergies, reconciliation, prescriber visits, adherence, addiction
medicine records, drug tests and the random testing draw.

Rules live in the services (meds/services) and the engines (formulary.py,
testing_rules.py); the tables hold the invariants the database can keep.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from stepwell.care.models import ClinicalNote
from stepwell.clinic.models import Program
from stepwell.patients.models import Episode, Patient

from .formulary import SCHEDULES
from .testing_rules import SUBSTANCE_LABELS, Confirmation, Outcome

USER = settings.AUTH_USER_MODEL


class RxNormConcept(models.Model):
    """An ingredient concept loaded from a clinic's RxNorm release (RXNCONSO.RRF)."""

    rxcui = models.CharField(max_length=12, unique=True)
    name = models.CharField(max_length=200)
    term_type = models.CharField(max_length=4)
    loaded_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name} (RxNorm {self.rxcui})"


class Route(models.TextChoices):
    ORAL = "oral", "By mouth"
    SUBLINGUAL = "sublingual", "Under the tongue"
    BUCCAL = "buccal", "Buccal"
    TRANSDERMAL = "transdermal", "Patch on the skin"
    INTRAMUSCULAR = "intramuscular", "Injection into a muscle"
    SUBCUTANEOUS = "subcutaneous", "Injection under the skin"
    INTRANASAL = "intranasal", "In the nose"
    INHALED = "inhaled", "Inhaled"
    OTHER = "other", "Other"


class MedicationStatus(models.TextChoices):
    ACTIVE = "active", "Active"
    ON_HOLD = "on_hold", "On hold"
    STOPPED = "stopped", "Stopped"


SCHEDULE_CHOICES = [("", "Not controlled"), *[(s, f"Schedule {s}") for s in SCHEDULES]]


class Medication(models.Model):
    """One medication on a patient's list, prescribed here or elsewhere."""

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="medications")
    formulary_key = models.CharField(max_length=40, blank=True)
    name = models.CharField(max_length=200)
    rxnorm_code = models.CharField(max_length=12, blank=True)
    code_verified = models.BooleanField(default=False)
    dose = models.DecimalField(max_digits=10, decimal_places=3)
    unit = models.CharField(max_length=20)
    route = models.CharField(max_length=16, choices=Route.choices, default=Route.ORAL)
    frequency = models.CharField(max_length=100)
    start_date = models.DateField()
    stop_date = models.DateField(null=True, blank=True)
    prescriber = models.ForeignKey(
        USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    prescriber_name = models.CharField(
        max_length=200, blank=True, help_text="A prescriber outside the program."
    )
    opioid_treatment_program = models.CharField(
        "opioid treatment program", max_length=200, blank=True
    )
    reason_code = models.CharField(max_length=8, blank=True)
    reason_text = models.CharField(max_length=300, blank=True)
    status = models.CharField(
        max_length=16, choices=MedicationStatus.choices, default=MedicationStatus.ACTIVE
    )
    status_reason = models.CharField(max_length=300, blank=True)
    controlled_schedule = models.CharField(max_length=4, choices=SCHEDULE_CHOICES, blank=True)
    detected_as = models.CharField(max_length=24, blank=True)
    moud = models.CharField(max_length=16, blank=True)
    recorded_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["status", "name", "pk"]
        constraints = [
            models.CheckConstraint(condition=models.Q(dose__gt=0), name="medication_dose_positive"),
            models.CheckConstraint(
                condition=models.Q(stop_date__isnull=True)
                | models.Q(stop_date__gte=models.F("start_date")),
                name="medication_stop_after_start",
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=MedicationStatus.values),
                name="medication_status_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(controlled_schedule="")
                | models.Q(prescriber__isnull=False)
                | ~models.Q(prescriber_name=""),
                name="medication_controlled_has_prescriber",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} {self.dose_text}"

    @property
    def coded(self) -> bool:
        return bool(self.rxnorm_code)

    @property
    def dose_text(self) -> str:
        dose = f"{self.dose.normalize():f}"
        return f"{dose} {self.unit} {self.get_route_display().lower()}, {self.frequency}"

    @property
    def prescriber_label(self) -> str:
        if self.prescriber_id:
            return f"{self.prescriber} (this program)"
        return f"{self.prescriber_name} (outside)" if self.prescriber_name else "Not recorded"


class MedicationChange(models.Model):
    """The medication's history: every start, dose change and status change, and the
    visit or reconciliation it was made in."""

    class Kind(models.TextChoices):
        STARTED = "started", "Started"
        DOSE = "dose", "Dose changed"
        STATUS = "status", "Status changed"

    medication = models.ForeignKey(Medication, on_delete=models.PROTECT, related_name="changes")
    kind = models.CharField(max_length=8, choices=Kind.choices)
    before = models.CharField(max_length=300, blank=True)
    after = models.CharField(max_length=300)
    reason = models.CharField(max_length=300, blank=True)
    visit_note = models.ForeignKey(
        ClinicalNote, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reconciliation = models.ForeignKey(
        "Reconciliation", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    changed_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    changed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["changed_at", "pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.after}"


class AllergySeverity(models.TextChoices):
    MILD = "mild", "Mild"
    MODERATE = "moderate", "Moderate"
    SEVERE = "severe", "Severe"


class AllergyKind(models.TextChoices):
    ALLERGY = "allergy", "Allergy"
    INTOLERANCE = "intolerance", "Intolerance"
    NO_KNOWN_ALLERGIES = "no_known_allergies", "No known allergies"


class Allergy(models.Model):
    """An allergy or intolerance, or the explicit statement "no known allergies" (an
    empty list means nobody asked)."""

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="allergies")
    kind = models.CharField(max_length=20, choices=AllergyKind.choices)
    substance = models.CharField(max_length=200, blank=True)
    reaction = models.CharField(max_length=300, blank=True)
    severity = models.CharField(max_length=10, choices=AllergySeverity.choices, blank=True)
    active = models.BooleanField(default=True)
    recorded_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-active", "kind", "substance", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind="no_known_allergies", substance="")
                | (~models.Q(kind="no_known_allergies") & ~models.Q(substance="")),
                name="allergy_substance_unless_none_known",
            )
        ]

    def __str__(self) -> str:
        return self.substance or self.get_kind_display()


class ReconciliationOccasion(models.TextChoices):
    ADMISSION = "admission", "Admission"
    LEVEL_CHANGE = "level_change", "Level-of-care change"
    DISCHARGE = "discharge", "Discharge"


class Reconciliation(models.Model):
    """Going through every medication at a transition of care, then signing."""

    episode = models.ForeignKey(Episode, on_delete=models.PROTECT, related_name="reconciliations")
    occasion = models.CharField(max_length=16, choices=ReconciliationOccasion.choices)
    started_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    started_at = models.DateTimeField(auto_now_add=True)
    signed_by = models.ForeignKey(
        USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    signer_name = models.CharField(max_length=200, blank=True)
    signed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-started_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["episode", "occasion"],
                condition=models.Q(signed_at__isnull=True),
                name="reconciliation_one_open_per_occasion",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_occasion_display()} reconciliation"

    @property
    def is_signed(self) -> bool:
        return self.signed_at is not None


class Decision(models.TextChoices):
    CONTINUE = "continue", "Continue"
    CHANGE = "change", "Change"
    STOP = "stop", "Stop"
    NEW = "new", "New"


class ReconciliationItem(models.Model):
    reconciliation = models.ForeignKey(
        Reconciliation, on_delete=models.CASCADE, related_name="items"
    )
    medication = models.ForeignKey(Medication, on_delete=models.PROTECT, related_name="+")
    decision = models.CharField(max_length=10, choices=Decision.choices, blank=True)
    new_dose = models.DecimalField(max_digits=10, decimal_places=3, null=True, blank=True)
    new_frequency = models.CharField(max_length=100, blank=True)
    note = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["reconciliation", "medication"], name="reconciliation_item_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.medication.name}: {self.decision or 'undecided'}"


class SideEffect(models.TextChoices):
    SEDATION = "sedation", "Sedation"
    WEIGHT_GAIN = "weight_gain", "Weight gain"
    SEXUAL_DYSFUNCTION = "sexual_dysfunction", "Sexual dysfunction"
    GI_UPSET = "gi_upset", "GI upset (nausea, diarrhoea)"
    ACTIVATION = "activation", "Activation / insomnia"
    TREMOR = "tremor", "Tremor"
    DIZZINESS = "dizziness", "Dizziness"


class SideEffectSeverity(models.TextChoices):
    NONE = "none", "None"
    MILD = "mild", "Mild"
    MODERATE = "moderate", "Moderate"
    SEVERE = "severe", "Severe"


class MedicationVisit(models.Model):
    """The structured part of a prescriber visit; the visit's text is its medication
    note (care.ClinicalNote of kind medication), never duplicated here."""

    note = models.OneToOneField(ClinicalNote, on_delete=models.PROTECT, related_name="med_visit")
    side_effects = models.JSONField(default=dict, blank=True)  # effect -> severity
    side_effect_notes = models.TextField(blank=True)
    recorded_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"Medication visit {self.note_id}"


class AdherenceAnswer(models.TextChoices):
    NONE = "none", "No days"
    SOME = "some", "Some days"
    MOST = "most", "Most days"
    ALL = "all", "Every day"


class Adherence(models.Model):
    """The patient's own answer: did you take your medications as prescribed this week?"""

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="adherence")
    week = models.CharField(max_length=8)
    answer = models.CharField(max_length=8, choices=AdherenceAnswer.choices)
    why_not = models.TextField(blank=True)
    answered_at = models.DateTimeField()

    class Meta:
        ordering = ["-week"]
        constraints = [
            models.UniqueConstraint(fields=["patient", "week"], name="adherence_once_a_week")
        ]

    def __str__(self) -> str:
        return f"{self.week}: {self.get_answer_display()}"

    @property
    def needs_attention(self) -> bool:
        return self.answer in (AdherenceAnswer.NONE, AdherenceAnswer.SOME)


class NaloxoneAction(models.TextChoices):
    OFFERED = "offered", "Offered, not taken"
    PROVIDED = "provided", "Kit provided"
    HAS_KIT = "has_kit", "Already has a kit"


class NaloxoneRecord(models.Model):
    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="naloxone")
    action = models.CharField(max_length=10, choices=NaloxoneAction.choices)
    on = models.DateField()
    recorded_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-on", "-pk"]

    def __str__(self) -> str:
        return f"Naloxone {self.get_action_display().lower()} {self.on}"


class PdmpCheck(models.Model):
    """A prescriber's attestation that they checked the state PDMP (no connection)."""

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="pdmp_checks")
    checked_on = models.DateField()
    state = models.CharField(max_length=2)
    findings = models.CharField(max_length=300, blank=True)
    attested_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    attestation = models.CharField(max_length=300)
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-checked_on", "-pk"]

    def __str__(self) -> str:
        return self.attestation


class TestingSchedule(models.Model):
    """A program's random testing: how many random days a week each patient is tested."""

    program = models.OneToOneField(Program, on_delete=models.CASCADE, related_name="+")
    tests_per_week = models.PositiveSmallIntegerField(default=1)
    weekdays = models.CharField(max_length=20, default="0,1,2,3,4")
    active = models.BooleanField(default=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(tests_per_week__gte=1, tests_per_week__lte=5),
                name="testing_schedule_tests_per_week_range",
            )
        ]

    def __str__(self) -> str:
        return f"Random testing in {self.program}"

    @property
    def weekday_list(self) -> list[int]:
        return [int(w) for w in self.weekdays.split(",") if w.strip().isdigit()]


class RandomDraw(models.Model):
    """One week's draw for one program: the seed, who was eligible and who was drawn,
    so anyone can run the draw again and get the same answer."""

    program = models.ForeignKey(Program, on_delete=models.PROTECT, related_name="+")
    week = models.CharField(max_length=8)
    seed = models.CharField(max_length=64)
    eligible = models.JSONField(default=list)
    days = models.JSONField(default=list)  # the dates the draw chose from
    picks = models.JSONField(default=list)  # [[patient_id, "YYYY-MM-DD"], ...]
    tests_per_week = models.PositiveSmallIntegerField()
    drawn_by = models.CharField(max_length=150)
    drawn_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-week", "program"]
        constraints = [
            models.UniqueConstraint(fields=["program", "week"], name="random_draw_once_a_week")
        ]

    def __str__(self) -> str:
        return f"Random draw {self.week}"

    @property
    def drawn_by_label(self) -> str:
        """The daily job (or the demo builder) as "the system", a person by name."""
        if self.drawn_by.startswith("system:"):
            return f"the system ({self.drawn_by.removeprefix('system:')})"
        return self.drawn_by


class TestMethod(models.TextChoices):
    POINT_OF_CARE = "point_of_care", "Point-of-care cup"
    LABORATORY = "laboratory", "Laboratory"


class TestReason(models.TextChoices):
    RANDOM = "random", "Random (drawn by the system)"
    SCHEDULED = "scheduled", "Scheduled"
    CLINICAL = "clinical", "Clinical reason"


class TestStatus(models.TextChoices):
    ORDERED = "ordered", "Ordered"
    RESULTED = "resulted", "Resulted"
    CANCELLED = "cancelled", "Cancelled"


class DrugTest(models.Model):
    """A urine drug screen: ordered, collected, resulted per substance. A Part 2 record
    of the program it was done in."""

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="drug_tests")
    episode = models.ForeignKey(Episode, on_delete=models.PROTECT, related_name="drug_tests")
    program = models.ForeignKey(Program, on_delete=models.PROTECT, related_name="+")
    method = models.CharField(max_length=16, choices=TestMethod.choices)
    reason = models.CharField(max_length=12, choices=TestReason.choices)
    panel = models.JSONField(default=list)
    scheduled_on = models.DateField()
    ordered_by = models.ForeignKey(USER, on_delete=models.PROTECT, null=True, related_name="+")
    random_draw = models.ForeignKey(
        RandomDraw, on_delete=models.PROTECT, null=True, blank=True, related_name="tests"
    )
    status = models.CharField(max_length=10, choices=TestStatus.choices, default="ordered")
    collected_at = models.DateTimeField(null=True, blank=True)
    observed = models.BooleanField(null=True, blank=True)
    resulted_by = models.ForeignKey(
        USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reviewed_by = models.ForeignKey(
        USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    review_note = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-scheduled_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(status="resulted") | models.Q(collected_at__isnull=False),
                name="drug_test_resulted_was_collected",
            )
        ]

    def __str__(self) -> str:
        return f"Drug screen {self.scheduled_on}"


SUBSTANCE_CHOICES = [(s.value, label) for s, label in SUBSTANCE_LABELS.items()]


class DrugTestResult(models.Model):
    test = models.ForeignKey(DrugTest, on_delete=models.CASCADE, related_name="results")
    substance = models.CharField(max_length=24, choices=SUBSTANCE_CHOICES)
    outcome = models.CharField(max_length=10, choices=[(o.value, o.value) for o in Outcome])
    expected = models.BooleanField(default=False)
    confirmation = models.CharField(
        max_length=16, blank=True, choices=[(c.value, c.value or "not sent") for c in Confirmation]
    )

    class Meta:
        ordering = ["substance"]
        constraints = [
            models.UniqueConstraint(fields=["test", "substance"], name="drug_test_result_once")
        ]

    def __str__(self) -> str:
        return f"{self.substance}: {self.outcome}"

    @property
    def unexpected_positive(self) -> bool:
        return (
            self.outcome == Outcome.POSITIVE
            and not self.expected
            and self.confirmation != Confirmation.NOT_CONFIRMED
        )
