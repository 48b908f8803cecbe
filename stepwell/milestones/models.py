"""Milestones of an episode of care, and the patient's say-so to be named in group.

A computed milestone is written once per episode and code (engine.py decides which are
earned); a milestone recorded by staff carries their words. Neither is edited afterwards.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from stepwell.patients.models import Episode, Patient


class MilestoneKind(models.TextChoices):
    COMPUTED = "computed", "Earned from the record"
    RECORDED = "recorded", "Recorded by the care team"


RECORDED_CODE = "recorded"


class Milestone(models.Model):
    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="milestones")
    episode = models.ForeignKey(Episode, on_delete=models.PROTECT, related_name="milestones")
    kind = models.CharField(max_length=16, choices=MilestoneKind.choices)
    code = models.CharField(max_length=80, help_text='e.g. "response:phq9" or "recorded"')
    title = models.CharField(max_length=200)
    text = models.TextField(blank=True, help_text="What the care team wrote (recorded ones).")
    achieved_on = models.DateField(help_text="Program-local date.")
    evidence = models.JSONField(default=dict, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["achieved_on", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["episode", "code"],
                condition=models.Q(kind="computed"),
                name="milestone_computed_once",
            ),
            models.CheckConstraint(
                condition=models.Q(kind="computed") | models.Q(code=RECORDED_CODE),
                name="milestone_recorded_code",
            ),
        ]
        indexes = [models.Index(fields=["patient", "achieved_on"])]

    def __str__(self) -> str:
        return f"{self.title} ({self.achieved_on})"


class MilestoneSharing(models.Model):
    """Whether the patient said their milestones may be named in group. No row: no."""

    patient = models.OneToOneField(
        Patient, on_delete=models.CASCADE, related_name="milestone_sharing"
    )
    named_in_group = models.BooleanField(default=False)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return "may be named in group" if self.named_in_group else "not named in group"
