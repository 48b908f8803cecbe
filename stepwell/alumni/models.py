"""Alumni: people whose care has ended and who stay connected to their program.

A patient is an alumnus while they have a discharged episode, no open one, and have not
opted out (privacy.access.alumni). Opting out is stored here; the status itself is read
from the episodes, so a readmitted alumnus is a patient again with nothing to undo.

Alumni events and their meetings, RSVPs and attendance live in their own tables: they
are not treatment. Nothing in billing or in the weekly hours reads them, so alumni
attendance never counts as a service and never appears on a claim.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from stepwell.clinic.models import Program
from stepwell.patients.models import Patient


class AlumniChoice(models.Model):
    """A former patient's choice about the alumni community (and their portal login)."""

    patient = models.OneToOneField(Patient, on_delete=models.CASCADE, related_name="alumni_choice")
    opted_out = models.BooleanField(default=False)
    reason = models.CharField(max_length=300, blank=True)
    decided_at = models.DateTimeField()
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )

    def __str__(self) -> str:
        return f"{'Opted out' if self.opted_out else 'In'} ({self.patient_id})"


class EventFormat(models.TextChoices):
    IN_PERSON = "in_person", "In person"
    VIDEO = "video", "By video link"


class Recurrence(models.TextChoices):
    ONCE = "once", "One-off"
    WEEKLY = "weekly", "Every week"
    FORTNIGHTLY = "fortnightly", "Every other week"
    MONTHLY = "monthly", "Every month (same date)"


class AlumniEvent(models.Model):
    """An alumni group (recurring) or event (one-off) of a program."""

    program = models.ForeignKey(Program, on_delete=models.PROTECT, related_name="alumni_events")
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    format = models.CharField(max_length=16, choices=EventFormat.choices)
    place = models.CharField(max_length=300, blank=True)
    video_url = models.URLField(max_length=500, blank=True)
    recurrence = models.CharField(max_length=16, choices=Recurrence.choices)
    first_starts_at = models.DateTimeField()
    duration_minutes = models.PositiveSmallIntegerField()
    repeats_until = models.DateField(null=True, blank=True)
    host = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["first_starts_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(format__in=EventFormat.values), name="alumni_event_format_valid"
            ),
            models.CheckConstraint(
                condition=Q(recurrence__in=Recurrence.values), name="alumni_event_recurrence_valid"
            ),
            models.CheckConstraint(
                condition=(Q(format="in_person") & ~Q(place=""))
                | (Q(format="video") & ~Q(video_url="")),
                name="alumni_event_place_or_link",
            ),
            models.CheckConstraint(
                condition=Q(recurrence="once", repeats_until__isnull=True)
                | (~Q(recurrence="once") & Q(repeats_until__isnull=False)),
                name="alumni_event_until_iff_recurring",
            ),
            models.CheckConstraint(
                condition=Q(duration_minutes__gte=15, duration_minutes__lte=480),
                name="alumni_event_duration_range",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class AlumniMeeting(models.Model):
    """One date of an event: what alumni RSVP to and staff take attendance at."""

    event = models.ForeignKey(AlumniEvent, on_delete=models.CASCADE, related_name="meetings")
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    cancelled = models.BooleanField(default=False)

    class Meta:
        ordering = ["starts_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["event", "starts_at"], name="alumni_meeting_once"),
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")), name="alumni_meeting_ends_after"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.event} at {self.starts_at:%Y-%m-%d %H:%M} UTC"


class RsvpAnswer(models.TextChoices):
    YES = "yes", "I'll be there"
    MAYBE = "maybe", "Maybe"
    NO = "no", "I can't come"


class AlumniRsvp(models.Model):
    meeting = models.ForeignKey(AlumniMeeting, on_delete=models.CASCADE, related_name="rsvps")
    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="alumni_rsvps")
    answer = models.CharField(max_length=8, choices=RsvpAnswer.choices)
    answered_at = models.DateTimeField()

    class Meta:
        ordering = ["meeting", "patient"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "patient"], name="alumni_rsvp_once"),
            models.CheckConstraint(
                condition=Q(answer__in=RsvpAnswer.values), name="alumni_rsvp_answer_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_answer_display()} ({self.patient_id} to {self.meeting_id})"


class AlumniAttendance(models.Model):
    """Who came to an alumni meeting. Not treatment: no minutes, no note, no claim."""

    meeting = models.ForeignKey(AlumniMeeting, on_delete=models.CASCADE, related_name="attendance")
    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="alumni_attendance")
    present = models.BooleanField()
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True
    )
    recorded_at = models.DateTimeField()

    class Meta:
        ordering = ["meeting", "patient"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "patient"], name="alumni_attendance_once")
        ]

    def __str__(self) -> str:
        return f"{'Present' if self.present else 'Absent'} ({self.patient_id} at {self.meeting_id})"


class MentorStatus(models.TextChoices):
    VOLUNTEERED = "volunteered", "Volunteered, waiting for staff"
    APPROVED = "approved", "Approved peer mentor"
    WITHDRAWN = "withdrawn", "No longer mentoring"


class PeerMentor(models.Model):
    """An alumnus who volunteered to mentor current patients of their program."""

    patient = models.OneToOneField(Patient, on_delete=models.CASCADE, related_name="peer_mentor")
    program = models.ForeignKey(Program, on_delete=models.PROTECT, related_name="peer_mentors")
    about = models.TextField(help_text="What the mentor offers, in their words.")
    status = models.CharField(max_length=16, choices=MentorStatus.choices)
    volunteered_at = models.DateTimeField()
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True
    )
    approved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["program", "patient"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=MentorStatus.values), name="peer_mentor_status_valid"
            )
        ]

    def __str__(self) -> str:
        return f"Peer mentor {self.patient_id} ({self.get_status_display()})"


class AgreementWay(models.TextChoices):
    IN_PERSON = "in_person", "Said yes in person"
    PHONE = "phone", "Said yes by phone"
    PAPER = "paper", "Signed on paper"


class MentorPairing(models.Model):
    """A peer mentor paired with a current patient who agreed to it."""

    mentor = models.ForeignKey(PeerMentor, on_delete=models.PROTECT, related_name="pairings")
    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="mentor_pairings")
    program = models.ForeignKey(Program, on_delete=models.PROTECT, related_name="+")
    patient_agreed_on = models.DateField()
    agreed_how = models.CharField(max_length=16, choices=AgreementWay.choices)
    paired_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True
    )
    paired_at = models.DateTimeField()
    ended_at = models.DateTimeField(null=True, blank=True)
    end_reason = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-paired_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["patient"],
                condition=Q(ended_at__isnull=True),
                name="mentor_pairing_one_open_per_patient",
            ),
            models.CheckConstraint(
                condition=Q(agreed_how__in=AgreementWay.values),
                name="mentor_pairing_agreed_how_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"Mentor {self.mentor_id} with {self.patient_id}"
