"""Emergency access to a chart (break-glass) for staff outside the care team.

A clinical or director staff member of the organization who cannot see a patient's chart
opens it in an emergency by giving the record number and a reason. The grant lets them see
the chart (privacy.access.patients.patients_visible_to) until it expires, after
STEPWELL_BREAK_GLASS_MINUTES (60 by default); it is audited, listed for the directors of
the patient's programs until one reviews it, and shown on the chart.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from stepwell.core.errors import ApplicationError
from stepwell.privacy.access import consent as access
from stepwell.privacy.access.patients import patients_visible_to
from stepwell.privacy.audit import audit_record

from ..models import BreakGlassGrant

MIN_REASON = 10


def break_glass_minutes() -> int:
    minutes = getattr(settings, "STEPWELL_BREAK_GLASS_MINUTES", 60)
    return minutes if isinstance(minutes, int) and minutes > 0 else 60


def break_glass_open(
    *, actor, record_number: str, reason: str, now: datetime | None = None
) -> BreakGlassGrant:
    """Open a chart the user cannot otherwise see, for an emergency, with a reason."""
    patient = access.access_break_glass_patient_by_record_number(actor, record_number)
    reason = " ".join((reason or "").split())
    if len(reason) < MIN_REASON:
        raise ApplicationError(
            "Say why you need this chart now.",
            field_errors={"reason": "Give the emergency in a sentence (10 characters or more)."},
        )
    if patients_visible_to(actor).filter(pk=patient.pk).exists():
        raise ApplicationError(
            "You can already open this chart; no emergency access is needed.",
            field_errors={"record_number": "You can already open this chart."},
        )
    now = now or timezone.now()
    with transaction.atomic():
        grant = BreakGlassGrant.objects.create(
            user=actor,
            patient=patient,
            reason=reason[:1000],
            opened_at=now,
            expires_at=now + timedelta(minutes=break_glass_minutes()),
        )
        audit_record(
            user=actor,
            action="break_glass",
            patient_id=patient.pk,
            object_type="break_glass",
            object_id=grant.pk,
            detail={"reason": grant.reason, "expires_at": grant.expires_at.isoformat()},
        )
    return grant


def break_glass_review(*, actor, grant_id: int, note: str) -> BreakGlassGrant:
    """A director of the patient's program reviews an emergency access, with a note."""
    grant = access.access_break_glass_grant_by_id(actor, grant_id)
    note = (note or "").strip()
    if not note:
        raise ApplicationError(
            "Write what the review found.", field_errors={"note": "Write what the review found."}
        )
    with transaction.atomic():
        grant = BreakGlassGrant.objects.select_for_update().get(pk=grant.pk)
        if grant.reviewed_at is not None:
            raise ApplicationError(
                "This emergency access was already reviewed.",
                field_errors={"note": "Already reviewed."},
            )
        grant.reviewed_by = actor
        grant.reviewed_at = timezone.now()
        grant.review_note = note[:1000]
        grant.save(update_fields=["reviewed_by", "reviewed_at", "review_note"])
        audit_record(
            user=actor,
            action="review",
            patient_id=grant.patient_id,
            object_type="break_glass",
            object_id=grant.pk,
        )
    return grant
