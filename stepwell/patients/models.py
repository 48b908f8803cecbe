"""Patients, their episodes of care, level-of-care history and care teams."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models.functions import Lower

from stepwell.clinic.models import LevelOfCare, Program


class SexAssignedAtBirth(models.TextChoices):
    FEMALE = "female", "Female"
    MALE = "male", "Male"
    INTERSEX = "intersex", "Intersex"
    UNKNOWN = "unknown", "Unknown"
    DECLINED = "declined", "Declined to answer"


class Patient(models.Model):
    mrn = models.CharField("record number", max_length=20, unique=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="patient_record",
        help_text="The patient's own login for the portal.",
    )
    legal_first_name = models.CharField(max_length=100)
    legal_last_name = models.CharField(max_length=100)
    preferred_name = models.CharField(max_length=100, blank=True)
    pronouns = models.CharField(max_length=40, blank=True)
    date_of_birth = models.DateField()
    sex_assigned_at_birth = models.CharField(max_length=16, choices=SexAssignedAtBirth.choices)
    gender_identity = models.CharField(max_length=100, blank=True)
    phone = models.CharField(max_length=32, blank=True)
    email = models.EmailField(blank=True)
    address = models.CharField(max_length=300, blank=True)
    emergency_contact_name = models.CharField(max_length=200, blank=True)
    emergency_contact_relationship = models.CharField(max_length=100, blank=True)
    emergency_contact_phone = models.CharField(max_length=32, blank=True)
    emergency_contact_consented = models.BooleanField(
        "patient consented to the emergency contact's involvement",
        default=False,
        help_text="Whether the patient agreed that this person may be involved in their care "
        "(42 CFR Part 2 and HIPAA: ask before sharing).",
    )
    insurance_payer = models.CharField(max_length=200, blank=True)
    insurance_member_id = models.CharField(max_length=64, blank=True)
    insurance_group_number = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )

    class Meta:
        indexes = [
            models.Index(
                Lower("legal_last_name"),
                Lower("legal_first_name"),
                "date_of_birth",
                name="patient_identity_idx",
            )
        ]
        ordering = ["legal_last_name", "legal_first_name"]

    def __str__(self) -> str:
        return f"{self.display_name} ({self.mrn})"

    # The columns display_name reads (for a list that reads only those).
    DISPLAY_NAME_FIELDS = ("preferred_name", "legal_first_name", "legal_last_name")

    @property
    def display_name(self) -> str:
        first = self.preferred_name or self.legal_first_name
        return f"{first} {self.legal_last_name}"

    @property
    def legal_name(self) -> str:
        return f"{self.legal_first_name} {self.legal_last_name}"


class EpisodeState(models.TextChoices):
    REFERRED = "referred", "Referred"
    SCREENING = "screening", "Screening"
    ASSESSED = "assessed", "Assessed"
    ADMITTED = "admitted", "Admitted"
    ACTIVE = "active", "Active"
    ON_HOLD = "on_hold", "On hold"
    DISCHARGED = "discharged", "Discharged"


class Disposition(models.TextChoices):
    COMPLETED = "completed", "Completed the program"
    STEPPED_DOWN = "stepped_down", "Stepped down to a lower level of care"
    STEPPED_UP = "stepped_up", "Stepped up to a higher level of care"
    LEFT_AGAINST_ADVICE = "left_against_advice", "Left against clinical advice"
    TRANSFERRED = "transferred", "Transferred to another program"
    ADMINISTRATIVE = "administrative", "Administrative discharge"


OPEN_STATES = [s for s in EpisodeState.values if s != EpisodeState.DISCHARGED]


class Episode(models.Model):
    """A patient's stay in one program, from referral to discharge."""

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="episodes")
    program = models.ForeignKey(Program, on_delete=models.PROTECT, related_name="episodes")
    state = models.CharField(
        max_length=16, choices=EpisodeState.choices, default=EpisodeState.REFERRED
    )
    referred_on = models.DateField()
    admitted_on = models.DateField(null=True, blank=True)
    discharged_on = models.DateField(null=True, blank=True)
    discharge_reason = models.TextField(blank=True)
    discharge_disposition = models.CharField(max_length=32, choices=Disposition.choices, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["patient", "program"],
                condition=~models.Q(state="discharged"),
                name="episode_one_open_per_program",
            ),
            models.CheckConstraint(
                condition=models.Q(state__in=EpisodeState.values), name="episode_state_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(state="discharged", discharged_on__isnull=False)
                | (~models.Q(state="discharged") & models.Q(discharged_on__isnull=True)),
                name="episode_discharge_date_iff_discharged",
            ),
        ]
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.program} episode {self.pk} ({self.get_state_display()})"


class EpisodeEvent(models.Model):
    """One transition of an episode's state: who, when, why."""

    episode = models.ForeignKey(Episode, on_delete=models.PROTECT, related_name="events")
    from_state = models.CharField(max_length=16, choices=EpisodeState.choices, blank=True)
    to_state = models.CharField(max_length=16, choices=EpisodeState.choices)
    effective_date = models.DateField()
    reason = models.TextField(blank=True)
    disposition = models.CharField(max_length=32, choices=Disposition.choices, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    occurred_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["occurred_at", "pk"]

    def __str__(self) -> str:
        return f"{self.from_state or 'new'} -> {self.to_state} on {self.effective_date}"


class LevelOfCareDirection(models.TextChoices):
    ADMITTED_FROM = "admitted_from", "Admitted from"
    TRANSFERRED_TO = "transferred_to", "Transferred to"
    STEPPED_DOWN_TO = "stepped_down_to", "Stepped down to"
    STEPPED_UP_TO = "stepped_up_to", "Stepped up to"


class LevelOfCareChange(models.Model):
    episode = models.ForeignKey(
        Episode, on_delete=models.PROTECT, related_name="level_of_care_changes"
    )
    direction = models.CharField(max_length=16, choices=LevelOfCareDirection.choices)
    level_of_care = models.CharField(max_length=32, choices=LevelOfCare.choices)
    effective_date = models.DateField()
    reason = models.TextField()
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["effective_date", "pk"]

    def __str__(self) -> str:
        return f"{self.get_direction_display()} {self.get_level_of_care_display()} on {self.effective_date}"


class CareTeamRole(models.TextChoices):
    PRIMARY_CLINICIAN = "primary_clinician", "Primary clinician"
    CLINICIAN = "clinician", "Clinician"
    PRESCRIBER = "prescriber", "Prescriber"
    NURSE = "nurse", "Nurse"
    CASE_MANAGER = "case_manager", "Case manager"


class CareTeamMember(models.Model):
    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="care_team")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="care_team_memberships"
    )
    team_role = models.CharField(max_length=32, choices=CareTeamRole.choices)
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["patient", "user"], name="care_team_member_unique")
        ]
        ordering = ["team_role", "pk"]

    def __str__(self) -> str:
        return f"{self.user} ({self.get_team_role_display()})"


class PatientDetailChange(models.Model):
    """One field of a patient's details changed: who, when, from what to what."""

    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="detail_changes")
    field = models.CharField(max_length=64)
    old_value = models.TextField(blank=True)
    new_value = models.TextField(blank=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    changed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-changed_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.field} of patient {self.patient_id} at {self.changed_at:%Y-%m-%d %H:%M}"


class FamilyContact(models.Model):
    """A relative or friend the patient names for family involvement in their care, and
    whether the patient consented to that involvement (ask before sharing: 42 CFR Part 2
    and HIPAA, docs/clinical-sources.md §5)."""

    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="family_contacts")
    name = models.CharField(max_length=200)
    relationship = models.CharField(max_length=100)
    phone = models.CharField(max_length=32, blank=True)
    email = models.EmailField(blank=True)
    consented_to_involvement = models.BooleanField(
        "patient consented to their involvement",
        default=False,
        help_text="Whether the patient agreed that this person may be involved in their care.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )

    class Meta:
        ordering = ["name", "pk"]

    def __str__(self) -> str:
        return f"{self.name} ({self.relationship})"
