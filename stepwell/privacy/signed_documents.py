"""The shape of a signed clinical document, written once for every app that keeps one.

- `SignedDocument`: a draft that is signed once. `status` is draft or signed, `signed_by`
  and `signed_at` say who signed and when, and the check constraint made by
  `signed_iff_signed_at(name)` keeps "signed" and "has a signature time" the same thing.
  Used by intake assessments and discharge summaries.
- `Addendum`: a correction or late entry added to a signed document, by its author, never
  changed. Used by assessment, note and discharge-summary addenda; each concrete model adds
  the document it belongs to and its own time column.

Both are abstract: each app keeps its own tables and constraint names (the migrations
saw no change when the apps moved onto them). The lock itself is in the database
(privacy/signed_records.py): the services refuse first, with the user's message; the
triggers refuse every other SQL path.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models


class SignedStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    SIGNED = "signed", "Signed"


def signed_iff_signed_at(name: str) -> models.CheckConstraint:
    """The constraint every signed document carries: signed with a signature time, or a
    draft without one. `name` is the app's constraint name (kept as it was)."""
    return models.CheckConstraint(
        condition=(models.Q(status="signed") & models.Q(signed_at__isnull=False))
        | (models.Q(status="draft") & models.Q(signed_at__isnull=True)),
        name=name,
    )


class SignedDocument(models.Model):
    """A draft, then signed once; signed means locked. Concrete models add
    `signed_iff_signed_at(...)` to their Meta constraints."""

    status = models.CharField(
        max_length=8, choices=SignedStatus.choices, default=SignedStatus.DRAFT
    )
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    signed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        abstract = True

    @property
    def is_signed(self) -> bool:
        return self.status == SignedStatus.SIGNED


class Addendum(models.Model):
    """A correction or late entry to a signed document; never edited or removed."""

    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    text = models.TextField()

    class Meta:
        abstract = True
