"""Clinical notes: group and individual notes, co-signatures, addenda, psychotherapy notes.

A signed note is never edited (docs/care.md): the services refuse, and `save()`/`delete()`
refuse too as a last guard. Corrections are addenda; co-signatures are their own rows.
Psychotherapy notes (HIPAA §164.501, docs/clinical-sources.md §4) live in their own table with
no session times and no attendance, and are read only by their author.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from stepwell.care.notes.formats import FORMAT_LABELS, NoteFormat
from stepwell.core.errors import ApplicationError
from stepwell.patients.models import Patient
from stepwell.plans.models import Goal, Objective
from stepwell.privacy.signed_documents import Addendum
from stepwell.schedule.models import Appointment, CurriculumModule, SessionOccurrence

SIGNED_NOTE_MESSAGE = "This note is signed and locked; add an addendum to correct it."


class SignedRecordGuard(models.Model):
    """Refuses to write or delete a row whose stored version is signed."""

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if self._stored_signed():
            raise ApplicationError(SIGNED_NOTE_MESSAGE)
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        if self._stored_signed():
            raise ApplicationError(SIGNED_NOTE_MESSAGE)
        return super().delete(*args, **kwargs)

    def _stored_signed(self) -> bool:
        if self.pk is None:
            return False
        return type(self).objects.filter(pk=self.pk, signed_at__isnull=False).exists()


FORMAT_CHOICES = [(f.value, FORMAT_LABELS[f]) for f in NoteFormat]


class Modality(models.TextChoices):
    IN_PERSON = "in_person", "In person"
    TELEHEALTH = "telehealth", "Telehealth"


class GroupNote(SignedRecordGuard):
    """The shared section of a group session's documentation, written once."""

    occurrence = models.OneToOneField(
        SessionOccurrence, on_delete=models.PROTECT, related_name="group_note"
    )
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    topic = models.CharField(max_length=300, blank=True)
    curriculum_module = models.ForeignKey(
        CurriculumModule, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    interventions = models.TextField(blank=True)
    facilitators = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="+")
    started_at = models.DateTimeField()
    ended_at = models.DateTimeField()
    modality = models.CharField(max_length=16, choices=Modality.choices, default=Modality.IN_PERSON)
    note_format = models.CharField(max_length=8, choices=FORMAT_CHOICES, default=NoteFormat.BIRP)
    participant_count = models.PositiveIntegerField(
        null=True, blank=True, help_text="Frozen from attendance when signed."
    )
    facilitator_names = models.JSONField(
        default=list, blank=True, help_text="Name and credentials, frozen when signed."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    signed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(started_at__lt=models.F("ended_at")),
                name="group_note_start_before_end",
            )
        ]

    def __str__(self) -> str:
        return f"Group note for {self.occurrence}"

    @property
    def is_signed(self) -> bool:
        return self.signed_at is not None


class NoteKind(models.TextChoices):
    GROUP = "group", "Group session (individual section)"
    INDIVIDUAL = "individual", "Individual session"
    MEDICATION = "medication", "Medication management"


class RiskCheck(models.TextChoices):
    NOT_ASSESSED = "not_assessed", "Not yet assessed"
    NO_RISK = "no_risk", "Screened: no risk indicated"
    RISK_ADDRESSED = "risk_addressed", "Risk indicated: safety plan reviewed / addressed"
    RISK_ESCALATED = "risk_escalated", "Risk indicated: escalated"


class ClinicalNote(SignedRecordGuard):
    """One patient's note in one format: a group member's individual section, an
    individual session note or a medication-management note."""

    kind = models.CharField(max_length=16, choices=NoteKind.choices)
    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="clinical_notes")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    group_note = models.ForeignKey(
        GroupNote, on_delete=models.PROTECT, null=True, blank=True, related_name="sections"
    )
    appointment = models.ForeignKey(
        Appointment, on_delete=models.PROTECT, null=True, blank=True, related_name="notes"
    )
    note_format = models.CharField(max_length=8, choices=FORMAT_CHOICES, default=NoteFormat.BIRP)
    behavior = models.TextField(blank=True)
    goal = models.TextField(blank=True)
    intervention = models.TextField(blank=True)
    response = models.TextField(blank=True)
    data = models.TextField(blank=True)
    subjective = models.TextField(blank=True)
    objective = models.TextField(blank=True)
    assessment = models.TextField(blank=True)
    plan = models.TextField(blank=True)
    goals = models.ManyToManyField(Goal, blank=True, related_name="+")
    objectives = models.ManyToManyField(Objective, blank=True, related_name="+")
    risk_check = models.CharField(
        max_length=16, choices=RiskCheck.choices, default=RiskCheck.NOT_ASSESSED
    )
    risk_notes = models.TextField(blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    modality = models.CharField(max_length=16, choices=Modality.choices, default=Modality.IN_PERSON)
    medication_changes = models.TextField(
        blank=True, help_text="Medication changes discussed (prescribers)."
    )
    participant_absent = models.BooleanField(
        default=False, help_text="Group section kept while the participant is marked absent."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    signed_at = models.DateTimeField(null=True, blank=True)
    cosign_required = models.BooleanField(default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["group_note", "patient"],
                condition=models.Q(group_note__isnull=False),
                name="clinical_note_one_section_per_patient",
            ),
            models.CheckConstraint(
                condition=~models.Q(kind="group") | models.Q(group_note__isnull=False),
                name="clinical_note_group_has_session",
            ),
            models.CheckConstraint(
                condition=models.Q(kind="group")
                | (models.Q(started_at__isnull=False) & models.Q(ended_at__isnull=False)),
                name="clinical_note_session_times",
            ),
        ]
        indexes = [models.Index(fields=["patient", "created_at"])]
        ordering = ["-created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} note {self.pk}"

    @property
    def is_signed(self) -> bool:
        return self.signed_at is not None


class NoteCosignature(models.Model):
    """A supervisor's co-signature on a signed note (credential rule in settings)."""

    note = models.OneToOneField(ClinicalNote, on_delete=models.PROTECT, related_name="cosignature")
    cosigner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    cosigner_name = models.CharField(max_length=200)
    signed_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"Co-signed by {self.cosigner_name}"


class NoteAddendum(Addendum):
    """A dated correction or addition to a signed note, by the note's author (`author` and
    `text` from Addendum)."""

    note = models.ForeignKey(
        ClinicalNote, on_delete=models.PROTECT, null=True, blank=True, related_name="addenda"
    )
    group_note = models.ForeignKey(
        GroupNote, on_delete=models.PROTECT, null=True, blank=True, related_name="addenda"
    )
    written_at = models.DateTimeField()

    class Meta:
        ordering = ["written_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(note__isnull=False) & models.Q(group_note__isnull=True))
                | (models.Q(note__isnull=True) & models.Q(group_note__isnull=False)),
                name="addendum_one_target",
            )
        ]

    def __str__(self) -> str:
        return f"Addendum {self.written_at:%Y-%m-%d}"


class PsychotherapyNote(models.Model):
    """Private process notes (HIPAA §164.501): author-only, outside the record.

    Deliberately no session start/stop times, attendance, modality or link to a session
    (those belong in the progress note, docs/clinical-sources.md §4).
    """

    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="+")
    text = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "pk"]

    def __str__(self) -> str:
        return f"Psychotherapy note {self.pk}"
