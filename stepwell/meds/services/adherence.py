"""The patient's weekly answer on the portal: did you take your medications as
prescribed this week? (none / some / most / all days, and why not)."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.utils import timezone

from stepwell.privacy.access.meds import access_own_meds_patient
from stepwell.privacy.audit import AuditAction
from stepwell.schedule.calendar.weeks import iso_week_of

from ..models import Adherence, AdherenceAnswer
from .common import meds_audit, patient_today, refused


def adherence_answer(
    *, actor, answer: str, why_not: str = "", now: datetime | None = None
) -> Adherence:
    """The signed-in patient answers for this week; answering again replaces the answer."""
    patient = access_own_meds_patient(actor, action=AuditAction.CREATE)
    if answer not in AdherenceAnswer.values:
        raise refused("answer", "Choose no days, some days, most days or every day.")
    why_not = (why_not or "").strip()
    if len(why_not) > 2000:
        raise refused("why_not", "At most 2000 characters.")
    if answer == AdherenceAnswer.ALL:
        why_not = ""
    now = now or timezone.now()
    week = iso_week_of(patient_today(patient, now))
    with transaction.atomic():
        row, _ = Adherence.objects.update_or_create(
            patient=patient,
            week=week,
            defaults={"answer": answer, "why_not": why_not, "answered_at": now},
        )
        meds_audit(
            actor,
            AuditAction.CREATE,
            patient_id=patient.pk,
            object_type="adherence",
            object_id=row.pk,
            week=week,
        )
    return row
