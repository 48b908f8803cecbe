"""Step-down weeks: an ISO week in which an episode may fall below the weekly minimum."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from stepwell.patients.models import Episode


class EpisodeTransitionWeek(models.Model):
    """An ISO week in which an episode is stepping down: below-minimum hours allowed."""

    episode = models.ForeignKey(Episode, on_delete=models.CASCADE, related_name="+")
    week = models.CharField(max_length=8, help_text="ISO week, e.g. 2026-W50")
    reason = models.TextField()
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["episode", "week"], name="transition_week_unique")
        ]
        ordering = ["week"]

    def __str__(self) -> str:
        return f"Transition week {self.week}"
